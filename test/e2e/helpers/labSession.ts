/**
 * The setup every browser-mode e2e suite shares: a Lab with its own runs directory under
 * test-results/e2e/, the lab server serving the built renderer, headless Chromium with one
 * page at the lab's URL (its errors collected), and a close that takes it all down in turn.
 * One place for it, so the suites differ only in what they do with the page.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Lab } from '../../../src/lab/lab';
import { startLabServer, type LabServer } from '../../../src/lab/server/labServer';
import { browserRequired, findChromium, launchChromium } from './browsers';
import { ARTEFACT_DIR, REPO_ROOT } from './artefacts';
import { collectPageProblems } from './pageProblems';

/** Whether a suite runs here: skipped without a Chromium, except under CI, where that is an error. */
export interface SuiteBrowser {
  skip: boolean;
  /** The Chromium to launch; throws the reason there is none (reached only under CI). */
  path(): string;
}

/** Finds the Chromium for a suite; warns once, naming the suite, when it will be skipped. */
export function suiteBrowser(suite: string): SuiteBrowser {
  const chromium = findChromium();
  const skip = !chromium.ok && !browserRequired();
  if (skip && !chromium.ok) console.warn(`[e2e] skipping ${suite}: ${chromium.reason}`);
  return {
    skip,
    path: () => {
      if (!chromium.ok) throw new Error(`CI is set, so the e2e tests must run, but ${chromium.reason}`);
      return chromium.path;
    },
  };
}

export interface LabSessionOptions {
  /** The runs directory's name under test-results/e2e/ (emptied first). */
  runs: string;
  viewport: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  acceptDownloads?: boolean;
}

export interface LabSession {
  lab: Lab;
  server: LabServer;
  browser: Browser;
  page: Page;
  runsDir: string;
  /** Page errors, console errors and failed requests seen so far (helpers/pageProblems.ts). */
  problems: string[];
  /** Closes the browser, then the server, then the lab (which stops the node processes), each even if the one before failed. */
  close(): Promise<void>;
}

/** Opens the lab, its server and a browser page on it, and waits for the start form. */
export async function openLabSession(browser: SuiteBrowser, opts: LabSessionOptions): Promise<LabSession> {
  const runsDir = join(ARTEFACT_DIR, opts.runs);
  rmSync(runsDir, { recursive: true, force: true });
  mkdirSync(runsDir, { recursive: true });
  const opened: { lab?: Lab; server?: LabServer; browser?: Browser } = {};
  const close = async () => {
    try {
      await opened.browser?.close();
    } finally {
      try {
        await opened.server?.close();
      } finally {
        await opened.lab?.shutdown();
      }
    }
  };
  try {
    opened.lab = Lab.create({ runsDir });
    opened.server = await startLabServer({ lab: opened.lab, staticDir: join(REPO_ROOT, 'out', 'renderer'), port: 0 });
    opened.browser = await launchChromium(browser.path());
    const context = await opened.browser.newContext({ viewport: opts.viewport, colorScheme: opts.colorScheme ?? 'light', acceptDownloads: opts.acceptDownloads ?? false });
    const page = await context.newPage();
    const problems = collectPageProblems(page);
    await page.goto(opened.server.url);
    await page.getByRole('button', { name: 'Start cluster' }).waitFor();
    return { lab: opened.lab, server: opened.server, browser: opened.browser, page, runsDir, problems, close };
  } catch (err) {
    // What did open is closed here: the suite's afterAll has no session to close.
    await close();
    throw err;
  }
}
