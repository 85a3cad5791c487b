/**
 * The renderer bench's time-travel phase (issue 10 part 3): a synthetic run of one million
 * messages (5 nodes, 10 minutes, the type mix of a busy cluster), windowed by the lab's
 * level-of-detail query (src/lab/timeTravel.ts messagesInWindow) and drawn by the
 * space-time diagram's canvas code (renderer/src/components/timeTravel/diagramDraw.ts) in
 * Chromium. Printed: the lab's memory for the run and query times, the page's draw time per
 * frame (mean and max of 60) zoomed out (counts per bucket) and zoomed in (arrows, batched in one
 * one path per arrow as the app does, beside batches of 8, 32, 128 and one per type), and its heap.
 */
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import type { MessageAt, MessageType } from '../../src/contract/labApiTimeTravel';
import { messagesInWindow } from '../../src/lab/timeTravel';

const MESSAGES = 1_000_000;
/** The page's own limit (renderer/src/stores/timeTravel.ts MAX_DRAWN_MESSAGES; the node project cannot import the renderer). */
const MAX_DRAWN_MESSAGES = 4000;
const RUN_MS = 600_000;
const NODES = [1, 2, 3, 4, 5];
const MIX: Array<[MessageType, number]> = [['heartbeat', 0.3], ['heartbeatResp', 0.3], ['append', 0.18], ['appendResp', 0.18], ['vote', 0.02], ['voteResp', 0.02]];

function synthetic(): MessageAt[] {
  const out: MessageAt[] = new Array(MESSAGES);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < MESSAGES; i++) {
    const sentAt = (i / MESSAGES) * RUN_MS;
    let r = rnd();
    let type: MessageType = 'heartbeat';
    for (const [t, p] of MIX) if ((r -= p) < 0) { type = t; break; }
    const from = NODES[i % NODES.length];
    const to = NODES[(i + 1 + (i % 3)) % NODES.length];
    const dropped = rnd() < 0.01;
    out[i] = { id: `${from}.1.${i}`, type, from, to, term: 3, sentAt, receivedAt: dropped ? [] : [sentAt + 0.3 + rnd() * 2], ...(dropped ? { dropped: 'fault out: drop' } : {}), fields: { seq: i } };
  }
  return out;
}

async function diagramBundle(): Promise<string> {
  const r = await build({ entryPoints: ['renderer/src/components/timeTravel/diagramDraw.ts'], bundle: true, format: 'iife', globalName: 'RaftlabDiagram', write: false, platform: 'browser' });
  return r.outputFiles[0].text;
}

export async function benchDiagram(browser: Browser): Promise<Record<string, number>> {
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const all = synthetic();
  const genMs = performance.now() - t0;
  const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  const time = <T>(fn: () => T) => {
    const s = performance.now();
    const v = fn();
    return { ms: performance.now() - s, v };
  };
  const whole = time(() => messagesInWindow(all, 0, RUN_MS, MAX_DRAWN_MESSAGES));
  const zoomed = time(() => messagesInWindow(all, 300_000, 302_000, MAX_DRAWN_MESSAGES));
  if (whole.v.detail !== 'buckets' || zoomed.v.detail !== 'messages') throw new Error('level of detail did not switch as expected');

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.setContent('<canvas id="c" style="width:1400px;height:264px"></canvas>');
  await page.addScriptTag({ content: await diagramBundle() });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const frames = await page.evaluate(
    ({ buckets, messages }) => {
      type Draw = { drawDiagram(ctx: unknown, d: unknown): void };
      const g = globalThis as unknown as { RaftlabDiagram: Draw; document: { getElementById(id: string): { width: number; height: number; getContext(k: string): unknown } } };
      const c = g.document.getElementById('c');
      c.width = 1400;
      c.height = 264;
      const ctx = c.getContext('2d');
      const types = new Set(['vote', 'voteResp', 'append', 'appendResp', 'heartbeat', 'heartbeatResp', 'snapshot', 'timeoutNow']);
      const base = { width: 1400, height: 264, lanes: [1, 2, 3, 4, 5], types, roles: [], faults: [], selectedId: null, scheme: 'light' };
      const run = (d: Record<string, unknown>) => {
        const ms: number[] = [];
        for (let i = 0; i < 60; i++) {
          const s = performance.now();
          g.RaftlabDiagram.drawDiagram(ctx, { ...base, ...d });
          // A pixel read forces the canvas to finish drawing, so the time is the frame's.
          (ctx as { getImageData(x: number, y: number, w: number, h: number): unknown }).getImageData(0, 0, 1, 1);
          ms.push(performance.now() - s);
        }
        return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, max: Math.max(...ms) };
      };
      return {
        out: run({ fromMs: 0, toMs: 600_000, messages: [], buckets, cursorMs: 300_000 }),
        in: run({ fromMs: 300_000, toMs: 302_000, messages, buckets: null, cursorMs: 301_000, arrowsPerPath: 32 }),
        inEach: run({ fromMs: 300_000, toMs: 302_000, messages, buckets: null, cursorMs: 301_000 }),
        in8: run({ fromMs: 300_000, toMs: 302_000, messages, buckets: null, cursorMs: 301_000, arrowsPerPath: 8 }),
        in128: run({ fromMs: 300_000, toMs: 302_000, messages, buckets: null, cursorMs: 301_000, arrowsPerPath: 128 }),
        inAll: run({ fromMs: 300_000, toMs: 302_000, messages, buckets: null, cursorMs: 301_000, arrowsPerPath: 1e9 }),
      };
    },
    { buckets: whole.v.buckets, messages: zoomed.v.messages },
  );
  await cdp.send('HeapProfiler.collectGarbage');
  const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  const pageHeapMB = (metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20;
  await page.close();
  const r = {
    messages: MESSAGES,
    labHeapMB: Math.round(heapMB),
    generateMs: Math.round(genMs),
    wholeRunQueryMs: Math.round(whole.ms * 10) / 10,
    twoSecondQueryMs: Math.round(zoomed.ms * 100) / 100,
    zoomedInArrows: zoomed.v.messages.length,
    frameOutMeanMs: Math.round(frames.out.mean * 100) / 100,
    frameOutMaxMs: Math.round(frames.out.max * 100) / 100,
    frameIn32PerPathMeanMs: Math.round(frames.in.mean * 100) / 100,
    frameIn32PerPathMaxMs: Math.round(frames.in.max * 100) / 100,
    frameInOnePathEachMeanMs: Math.round(frames.inEach.mean * 100) / 100,
    frameInOnePathEachMaxMs: Math.round(frames.inEach.max * 100) / 100,
    frameIn8PerPathMeanMs: Math.round(frames.in8.mean * 100) / 100,
    frameIn128PerPathMeanMs: Math.round(frames.in128.mean * 100) / 100,
    frameInOnePathPerTypeMeanMs: Math.round(frames.inAll.mean * 100) / 100,
    pageHeapMB: Math.round(pageHeapMB * 10) / 10,
  };
  console.log(`space-time diagram, synthetic run of ${MESSAGES.toLocaleString('en')} messages (5 nodes, 10 min):`);
  console.log(`  lab: ${r.labHeapMB} MB held; whole-run query (counts per bucket) ${r.wholeRunQueryMs} ms; a 2 s window (${r.zoomedInArrows} arrows) ${r.twoSecondQueryMs} ms`);
  console.log(`  page draw per frame: zoomed out (buckets) mean ${r.frameOutMeanMs} ms, max ${r.frameOutMaxMs} ms; zoomed in (3336 arrows, one path each, as the app draws) mean ${r.frameInOnePathEachMeanMs} ms, max ${r.frameInOnePathEachMaxMs} ms; page heap ${r.pageHeapMB} MB`);
  console.log(`  the same arrows batched (not used: slower here): 32 per path ${r.frameIn32PerPathMeanMs} ms (max ${r.frameIn32PerPathMaxMs}); 8 per path ${r.frameIn8PerPathMeanMs} ms; 128 per path ${r.frameIn128PerPathMeanMs} ms; one path per type ${r.frameInOnePathPerTypeMeanMs} ms`);
  return r;
}
