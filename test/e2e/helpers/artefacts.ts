/**
 * Where e2e artefacts go: test-results/e2e/ (git-ignored), one PNG per step, so a failed
 * run in CI leaves pictures of what the page showed.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const ARTEFACT_DIR = join(REPO_ROOT, 'test-results', 'e2e');

/** A screenshot function that saves full-page PNGs as `<prefix>-<name>.png`. */
export function screenshotter(page: Page, prefix: string): (name: string) => Promise<string> {
  mkdirSync(ARTEFACT_DIR, { recursive: true });
  return async (name) => {
    const path = join(ARTEFACT_DIR, `${prefix}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
}

/** Deletes the `<prefix>-*.png` of earlier runs, so every picture in the folder is from this run. */
export function clearScreenshots(prefix: string): void {
  mkdirSync(ARTEFACT_DIR, { recursive: true });
  for (const f of readdirSync(ARTEFACT_DIR, { withFileTypes: true })) {
    if (f.isFile() && f.name.startsWith(`${prefix}-`) && f.name.endsWith('.png')) rmSync(join(ARTEFACT_DIR, f.name));
  }
}
