/**
 * End to end, in Chromium: report.html as a browser opens it from disk. The page's own
 * stylesheet applies under its Content-Security-Policy (the hash matches: no console
 * error), markup from a crafted run shows as text, and, as a second line of defence,
 * script and handlers spliced into the file by hand do not run (the CSP forbids them).
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { exportRun } from '../../src/lab/export/exportRun';
import { DEFAULT_CLUSTER_OPTIONS } from '../../src/contract/clusterOptions';
import { browserRequired, findChromium, launchChromium } from './helpers/browsers';
import { collectPageProblems } from './helpers/pageProblems';

const chromium = findChromium();
const mustRun = browserRequired();
if (!chromium.ok && !mustRun) console.warn(`[e2e] skipping the report tests: ${chromium.reason}`);

const MARK = 'window.__raftlabXss';

function craftedRun(dir: string): void {
  const events = [
    { type: 'run', t: 0, node: null, phase: 'started', runId: 'crafted', options: { ...DEFAULT_CLUSTER_OPTIONS, nodes: 3 } },
    ...[1, 2, 3].map((n) => ({ type: 'process', t: 1, node: n, state: 'started', pid: 100 + n })),
    { type: 'role', t: 10, node: 1, role: 'leader', term: 1, leader: 1 },
    { type: 'role', t: 20, node: 2, role: 'leader', term: `<img src=x onerror="${MARK}=1">`, leader: 2 },
    { type: 'fault', t: 40, node: null, action: 'apply', fault: { kind: 'kill', node: 1 }, description: `<img src=x onerror="${MARK}=2">`, nodes: [1] },
    { type: 'process', t: 41, node: 1, state: 'killed' },
    { type: 'violation', t: 50, node: 2, property: 'p', message: `<script>${MARK}=3</script>` },
    { type: 'role', t: 300, node: 2, role: 'leader', term: 2, leader: 2 },
    { type: 'run', t: 1000, node: null, phase: 'stopped' },
  ];
  writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(dir, 'history.jsonl'), '');
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ runId: `<script>${MARK}=4</script>`, nodes: `<img src=x onerror="${MARK}=5">` }));
}

describe.skipIf(!chromium.ok && !mustRun)('report.html in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!chromium.ok) throw new Error(chromium.reason);
    browser = await launchChromium(chromium.path);
    dir = mkdtempSync(join(tmpdir(), 'raftlab-report-e2e-'));
    craftedRun(dir);
    await exportRun(dir, 'report.html');
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies its own stylesheet under the CSP, runs nothing, and shows crafted markup as text', async () => {
    const page = await browser.newPage();
    const problems = collectPageProblems(page);
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    expect(await page.evaluate<string>('getComputedStyle(document.body).fontSize')).toBe('14px');
    expect(await page.evaluate<unknown>('window.__raftlabXss')).toBeUndefined();
    expect(await page.locator('img, script').count()).toBe(0);
    expect(await page.getByText(`<img src=x onerror="${MARK}=2">`).count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('blocks script and handlers even if someone splices them into the file (defence in depth)', async () => {
    const spliced = join(dir, 'spliced.html');
    const page0 = readFileSync(join(dir, 'report.html'), 'utf8');
    writeFileSync(spliced, page0.replace('<body>', `<body><script>${MARK}=6</script><img src="data:," onerror="${MARK}=7"><svg onload="${MARK}=8"></svg>`));
    const page = await browser.newPage();
    const problems = collectPageProblems(page);
    await page.goto(pathToFileURL(spliced).href);
    expect(await page.evaluate<unknown>('window.__raftlabXss')).toBeUndefined();
    // The browser says why: the policy refused them.
    expect(problems.join('\n')).toMatch(/Content Security Policy/);
    await page.close();
  });
});
