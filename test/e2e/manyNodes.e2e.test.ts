/**
 * End to end, in browser mode: 25 nodes on one 1280×800 screen. The "Large cluster" preset
 * starts 25 node processes with timeouts this machine can sustain; then the node tiles, the
 * network graph's circles and labels must not overlap (bounding boxes measured in the page),
 * the controls must be reachable without scrolling, and axe must find nothing serious.
 * Issue 15 saw a 4,858 px page with overlapping circles and matrix labels.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 * RAFTLAB_DOCS_SCREENSHOT=1 refreshes docs/screenshot-25-nodes.png and docs/screenshot-dark.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../integration/helpers/waitFor';
import { ARTEFACT_DIR, REPO_ROOT } from './helpers/artefacts';
import { describeAxe, seriousAxeViolations } from './helpers/axe';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';
import { describeCards, readAlert, readCards, type CardView } from './helpers/labPage';

const VIEWPORT = { width: 1280, height: 800 };
const NODES = 25;

const browser = suiteBrowser('the 25-node test');

interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every pair of boxes that overlaps by more than half a pixel each way. */
function overlaps(boxes: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (dx > 0.5 && dy > 0.5) out.push(`${a.name} overlaps ${b.name}`);
    }
  }
  return out;
}

describe.skipIf(browser.skip)('25 nodes on one 1280×800 screen (headless Chromium)', () => {
  let session: LabSession | undefined;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    session = await openLabSession(browser, { runs: 'runs-many', viewport: VIEWPORT });
    ({ page, problems } = session);
  });

  afterAll(() => session?.close());

  it('starts 25 nodes from the "Large cluster" preset, with timeouts the warning accepts', async () => {
    await page.getByRole('button', { name: 'Large cluster: 25 nodes' }).click();
    expect(await page.getByLabel('Nodes', { exact: true }).inputValue()).toBe(String(NODES));
    const min = Number(await page.getByLabel('Election timeout min (ms)').inputValue());
    expect(min, 'the preset lengthens the election timeout for 25 processes').toBeGreaterThan(150);
    const start = page.getByRole('button', { name: 'Start cluster' });
    const box = await start.boundingBox();
    expect((box?.y ?? Infinity) + (box?.height ?? 0), 'Start cluster above the fold').toBeLessThanOrEqual(VIEWPORT.height);
    let cards: CardView[] = [];
    let alert: string | null = null;
    // Each node must report ready within the lab's 15 s; on a two-core machine shared with
    // other test processes, 25 starting at once sometimes miss that, and the lab says so in
    // the alert banner. One more attempt then, and a failure naming both errors after that.
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      const t0 = performance.now();
      await start.click();
      const outcome = await waitFor(
        async () => {
          cards = await readCards(page);
          alert = await readAlert(page);
          if (alert && /Start cluster failed/.test(alert)) return 'failed';
          return cards.length === NODES && cards.every((c) => c.process === 'running') ? 'running' : null;
        },
        { what: `${NODES} running nodes`, timeoutMs: 60_000, intervalMs: 250, describe: () => `${describeCards(cards)}; alert: ${alert}` },
      );
      if (outcome === 'running') {
        console.log(`[e2e many] ${NODES} nodes running after ${Math.round(performance.now() - t0)} ms (attempt ${attempt})`);
        return;
      }
      failures.push(`attempt ${attempt}: ${alert}`);
      console.log(`[e2e many] ${failures.at(-1)}`);
      await page.getByRole('button', { name: 'Dismiss error' }).click();
      await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    }
    throw new Error(`the 25-node cluster did not start: ${failures.join('; ')}`);
  });

  it('lays the tiles, the graph\'s circles and its labels out without overlaps, controls in reach', async () => {
    const tiles: Box[] = await page.getByRole('article', { name: /^Node \d+$/ }).evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { name: el.getAttribute('aria-label') ?? '?', x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
    expect(tiles).toHaveLength(NODES);
    expect(overlaps(tiles)).toEqual([]);
    const graph = page.getByRole('img', { name: /^Network of 25 nodes/ });
    const circles: Box[] = await graph.locator('circle').evaluateAll((els) =>
      els.map((el, i) => {
        const r = el.getBoundingClientRect();
        return { name: `circle ${i + 1}`, x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
    const labels: Box[] = await graph.locator('text').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { name: `label ${el.textContent?.trim()}`, x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
    expect(circles).toHaveLength(NODES);
    // Circles are round: boxes of neighbours may touch at the corners, so compare centres instead.
    const centres = circles.map((c) => ({ x: c.x + c.width / 2, y: c.y + c.height / 2, r: c.width / 2, name: c.name }));
    const tooClose: string[] = [];
    for (let i = 0; i < centres.length; i++) {
      for (let j = i + 1; j < centres.length; j++) {
        const d = Math.hypot(centres[i].x - centres[j].x, centres[i].y - centres[j].y);
        if (d < centres[i].r + centres[j].r) tooClose.push(`${centres[i].name} and ${centres[j].name} (${d.toFixed(1)} px apart)`);
      }
    }
    expect(tooClose).toEqual([]);
    expect(overlaps(labels)).toEqual([]);
    expect(Math.min(...circles.map((c) => c.width)), 'circles large enough to read a two-digit label').toBeGreaterThanOrEqual(14);
    // The cluster view is one screen, not 4,858 px: tiles, graph and action bar.
    const grid = await page.locator('.node-grid').boundingBox();
    expect(grid?.height ?? Infinity, 'the 25 tiles fit in less than a screen').toBeLessThan(VIEWPORT.height - 100);
    const stop = await page.getByRole('button', { name: 'Stop cluster' }).boundingBox();
    expect((stop?.y ?? Infinity) + (stop?.height ?? 0), 'Stop cluster above the fold').toBeLessThanOrEqual(VIEWPORT.height);
    // One action bar for the selected node instead of 150 buttons.
    expect(await page.getByRole('button', { name: /^Kill node \d+$/ }).count()).toBe(1);
    // How busy 25 nodes keep the page: the gap between animation frames over ~2 s (reported, not asserted).
    const frames = (await page.evaluate(`new Promise((resolve) => {
      const gaps = []; let last = performance.now(); const end = last + 2000;
      const tick = (now) => { gaps.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else resolve(gaps); };
      requestAnimationFrame(tick);
    })`)) as number[];
    const sorted = [...frames].sort((a, b) => a - b);
    console.log(`[e2e many] frame gaps over 2 s at 25 nodes: ${frames.length} frames, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
    // The message-rate matrix is drawn with plain numbers under named axes and cells of at least ~14 px.
    const matrix = await page.getByRole('figure', { name: /^Message-rate matrix/ }).locator('canvas').first().boundingBox();
    expect(((matrix?.height ?? 0) - 110) / NODES, 'matrix rows at least 14 px high').toBeGreaterThanOrEqual(14);
  });

  it('has no serious or critical axe violation at 25 nodes in the light and the dark theme; screenshots in both', async () => {
    const light = join(ARTEFACT_DIR, 'many-25-nodes.png');
    await page.screenshot({ path: light });
    const lightViolations = await seriousAxeViolations(page); // 25 tiles, the action bar, the light palette
    expect(lightViolations, describeAxe(lightViolations)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    // The charts re-theme on the next frame; wait for their canvases to be redrawn in the dark scheme.
    await page.waitForFunction('matchMedia("(prefers-color-scheme: dark)").matches');
    await page.waitForTimeout(500); // one redraw interval of the charts (LiveChart REDRAW_INTERVAL_MS is 250 ms)
    const dark = join(ARTEFACT_DIR, 'many-25-nodes-dark.png');
    await page.screenshot({ path: dark, fullPage: true });
    console.log('[e2e many] screenshots taken');
    const darkViolations = await seriousAxeViolations(page); // dark palette contrast, 25 tiles
    expect(darkViolations, describeAxe(darkViolations)).toEqual([]);
    if (process.env.RAFTLAB_DOCS_SCREENSHOT === '1') {
      copyFileSync(light, join(REPO_ROOT, 'docs', 'screenshot-25-nodes.png'));
      copyFileSync(dark, join(REPO_ROOT, 'docs', 'screenshot-dark.png'));
    }
  });

  it('raised no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});
