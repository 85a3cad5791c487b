/**
 * Renderer soak: the live lab in Chromium (browser mode) watching 9 nodes under about
 * 1,000 ops/s, sampling the page's JS heap and its responsiveness (how late a frame
 * callback runs after a click) as the minutes pass. The point is that both stay flat:
 * bounded buffers, charts redrawn at most a few times a second.
 *
 * Needs Debian's chromium (RAFTLAB_E2E_CHROMIUM overrides the path) and the built renderer
 * (`npx electron-vite build`). Duration: RAFTLAB_SOAK_MS (default 120000; the issue's
 * figure is 10 minutes: RAFTLAB_SOAK_MS=600000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../src/lab/lab';
import { startLabServer } from '../../src/lab/server/labServer';
import { withDefaults } from '../../src/contract/clusterOptions';
import { findChromium, launchChromium } from '../e2e/helpers/browsers';
import { benchDiagram } from './rendererDiagram';

export interface RendererSoakResult {
  durationMs: number;
  samples: Array<{ atS: number; heapMB: number; frameDelayMs: number; opsPerSec: number }>;
  /** The time-travel phase: a million-message space-time diagram (rendererDiagram.ts). */
  diagram: Record<string, number>;
}

export async function benchRenderer(): Promise<RendererSoakResult> {
  const chromium = findChromium();
  if (!chromium.ok) throw new Error(`renderer soak needs Chromium: ${chromium.reason}`);
  const durationMs = Number(process.env.RAFTLAB_SOAK_MS ?? 120_000);
  const runsDir = mkdtempSync(join(tmpdir(), 'raftlab-soak-'));
  const lab = Lab.create({ runsDir });
  const server = await startLabServer({ lab, staticDir: 'out/renderer', port: 0 });
  const browser = await launchChromium(chromium.path);
  const samples: RendererSoakResult['samples'] = [];
  let diagram: Record<string, number> = {};
  try {
    // First, alone on the machine: the million-message diagram (issue 10 part 3).
    diagram = await benchDiagram(browser);
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(server.url);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    // Started through the lab so the options are exact; the page watches it live.
    await lab.startCluster(
      withDefaults({ nodes: 9, electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatMs: 100, fsync: 'never', workload: { clients: 48, rate: 1000, keys: 64 } }),
    );
    const t0 = performance.now();
    let lastOk = 0;
    let lastAt = t0;
    while (performance.now() - t0 < durationMs) {
      await new Promise((r) => setTimeout(r, Math.min(15_000, durationMs / 8)));
      await cdp.send('HeapProfiler.collectGarbage');
      const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
      const heap = metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      // Responsiveness: from asking the page for a frame to the frame (includes the CDP hop).
      const frameDelayMs = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const start = performance.now();
            // Runs in the page; the Node typings this file is checked with have no DOM.
            (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame(() => resolve(performance.now() - start));
          }),
      );
      const ok = lab.current?.opsOk() ?? 0;
      const now = performance.now();
      samples.push({
        atS: Math.round((now - t0) / 1000),
        heapMB: Math.round((heap / 2 ** 20) * 10) / 10,
        frameDelayMs: Math.round(frameDelayMs * 10) / 10,
        opsPerSec: Math.round(((ok - lastOk) * 1000) / (now - lastAt)),
      });
      lastOk = ok;
      lastAt = now;
    }
  } finally {
    await lab.stopCluster().catch((err: Error) => console.error(`soak: stopping the cluster failed: ${err.message}`));
    await browser.close();
    await server.close();
    await lab.shutdown();
    rmSync(runsDir, { recursive: true, force: true });
  }
  console.log('renderer soak: 9 nodes, workload 1,000 ops/s target, page watching live');
  console.log('  t (s)  JS heap after GC (MB)  frame delay (ms)  ok ops/s');
  for (const s of samples) console.log(`  ${String(s.atS).padStart(5)}  ${String(s.heapMB).padStart(21)}  ${String(s.frameDelayMs).padStart(16)}  ${String(s.opsPerSec).padStart(8)}`);
  return { durationMs, samples, diagram };
}
