/**
 * Which browser engines the e2e tests can drive on this machine.
 *
 * `npx playwright install` is not part of the setup: the tests use a system Chromium
 * (Debian's `chromium` package in CI) through playwright-core, and the Electron binary when
 * npm installed it. Each finder answers with a path or with the reason there is none, so a
 * skipped test says exactly why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

export type Found = { ok: true; path: string } | { ok: false; reason: string };

/** Set to a Chromium or Chrome executable to use it instead of the usual locations. */
export const CHROMIUM_ENV = 'RAFTLAB_E2E_CHROMIUM';

const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export function findChromium(): Found {
  const fromEnv = process.env[CHROMIUM_ENV];
  if (fromEnv) {
    return existsSync(fromEnv) ? { ok: true, path: fromEnv } : { ok: false, reason: `${CHROMIUM_ENV}=${fromEnv} does not exist` };
  }
  const path = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (path) return { ok: true, path };
  return {
    ok: false,
    reason: `no Chromium found (looked in ${CHROMIUM_CANDIDATES.join(', ')}); install one (Debian: apt-get install chromium) or set ${CHROMIUM_ENV}`,
  };
}

/**
 * The Electron binary, if the electron package's postinstall downloaded it. `require('electron')`
 * from Node returns the binary's path, and throws when the download never happened (which
 * is the case when install scripts are disabled, as in this repository's CI).
 */
export function findElectron(): Found {
  const require = createRequire(import.meta.url);
  let path: unknown;
  try {
    path = require('electron');
  } catch (err) {
    return { ok: false, reason: `the Electron binary is not installed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
  if (typeof path !== 'string') return { ok: false, reason: `require('electron') gave ${typeof path}, not a path` };
  if (!existsSync(path)) return { ok: false, reason: `the Electron binary is not at ${path}` };
  return { ok: true, path };
}

/** True when the run must not skip a test for lack of a browser (CI installs one). */
export function browserRequired(): boolean {
  return Boolean(process.env.CI);
}

/**
 * Chromium flags for a quiet, deterministic test browser: no sandbox (CI containers run as
 * root, where the sandbox cannot start), no GPU, and no background traffic to Google.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches headless Chromium with a fresh temporary profile (playwright's default). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}
