import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunRecorder } from '../../../src/lab/recorder/runRecorder';
import { finishRun } from '../../../src/lab/finishRun';
import { readRun, RunReadError } from '../../../src/lab/recorder/readRun';
import { exportRun } from '../../../src/lab/export/exportRun';
import { computeSummary } from '../../../src/lab/export/summary';
import { METRICS_CSV_COLUMNS } from '../../../src/lab/recorder/metricsCsv';
import type { RunEvent, Summary } from '../../../src/contract/runEvents';
import { syntheticRun } from './runGen';
import { waitFor } from '../../integration/helpers/waitFor';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'raftlab-rec-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});


const run = syntheticRun();

function recordAll(rec: RunRecorder): void {
  for (const e of run.events) rec.record(e);
  for (const o of run.history) rec.recordOp(o);
}

describe('RunRecorder', () => {
  it('writes events.jsonl, history.jsonl and metrics.csv that read back identically', () => {
    const dir = tempDir();
    const rec = new RunRecorder(dir);
    rec.start();
    expect(readFileSync(join(dir, 'metrics.csv'), 'utf8')).toBe(`${METRICS_CSV_COLUMNS.join(',')}\n`);
    recordAll(rec);
    rec.close();
    const back = readRun(dir);
    expect(back.warnings).toEqual([]);
    expect(back.events).toEqual(run.events);
    expect(back.history).toEqual(run.history);
    const rows = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(1 + run.events.filter((e) => e.type === 'metrics').length);
    expect(rec.stats).toMatchObject({ events: run.events.length, ops: run.history.length, writeErrors: 0 });
  });

  it('flushes on its own within the interval (a crash loses at most that much)', async () => {
    const dir = tempDir();
    const rec = new RunRecorder(dir, { flushIntervalMs: 50 });
    rec.start();
    rec.record(run.events[0]);
    await waitFor(() => readFileSync(join(dir, 'events.jsonl'), 'utf8').length > 0, { timeoutMs: 2000, what: 'the first periodic flush' });
    expect(readRun(dir).events).toEqual([run.events[0]]);
    rec.close();
  });

  it('counts records offered after close instead of writing them', () => {
    const dir = tempDir();
    const rec = new RunRecorder(dir);
    rec.start();
    rec.close();
    rec.record(run.events[0]);
    rec.recordOp(run.history[0]);
    expect(rec.stats.droppedAfterClose).toBe(2);
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8')).toBe('');
    rec.close(); // idempotent
  });

  it('reports a failing write with the directory, keeps the batch, and retries', () => {
    const dir = join(tempDir(), 'run');
    const errors: Error[] = [];
    const rec = new RunRecorder(dir, { onError: (e) => errors.push(e) });
    rec.start();
    rec.record(run.events[0]);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory');
    expect(() => rec.flush()).toThrow(/cannot write the recording in .*run/);
    expect(rec.stats.writeErrors).toBe(1);
    rmSync(dir);
    // Recreate the directory: the kept batch goes out on the next flush.
    mkdirSync(dir);
    rec.flush();
    expect(readRun(dir).events).toEqual([run.events[0]]);
    rec.close();
  });

  it('replaces a record JSON cannot hold by an error log event, and carries on', () => {
    const dir = tempDir();
    const rec = new RunRecorder(dir);
    rec.start();
    rec.record({ type: 'log', t: 5, node: 2, level: 'info', message: 'fine' } as unknown as RunEvent);
    rec.record({ type: 'log', t: 6, node: 2, level: 'info', message: 10n } as unknown as RunEvent);
    rec.flush();
    rec.record(run.events[0]);
    rec.close();
    const back = readRun(dir).events as unknown as Array<Record<string, unknown>>;
    expect(back).toHaveLength(3);
    expect(back[1]).toMatchObject({ type: 'log', t: 6, node: 2, level: 'error' });
    expect(String(back[1].message)).toMatch(/could not record a log: .*BigInt/);
    expect(rec.stats.unserializable).toBe(1);
  });

  it('finish writes summary, trace, EDN and report atomically and returns the summary', async () => {
    const dir = tempDir();
    const rec = new RunRecorder(dir);
    rec.start();
    recordAll(rec);
    const expectations = [{ name: 'noViolations', ok: false, detail: '1 violation' }];
    const result = await finishRun(rec, { expectations });
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['events.jsonl', 'history.edn', 'history.jsonl', 'metrics.csv', 'report.html', 'summary.json', 'trace.json']);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
    expect(summary).toEqual(result.summary);
    expect(summary.expectations).toEqual(expectations);
    const direct = computeSummary(run.events, run.history, { expectations });
    expect(summary).toEqual(direct);
    expect(JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')).traceEvents.length).toBeGreaterThan(100);
    expect(result.files.map((f) => f.name).sort()).toEqual(['history.edn', 'report.html', 'summary.json', 'trace.json']);
  });

  it('records 100k events cheaply (timings logged, not asserted)', () => {
    const dir = tempDir();
    const rec = new RunRecorder(dir, { flushIntervalMs: 60_000 });
    rec.start();
    const evs: RunEvent[] = [];
    for (let i = 0; i < 100_000; i++) evs.push({ type: 'apply', t: i * 0.01, node: (i % 5) + 1, index: i, term: 3, digest: 'a1b2c3d4' } as unknown as RunEvent);
    const metrics = run.events.filter((e) => e.type === 'metrics');
    const t0 = performance.now();
    for (const e of evs) rec.record(e);
    const recordMs = performance.now() - t0;
    const t1 = performance.now();
    rec.flush();
    const flushMs = performance.now() - t1;
    for (let i = 0; i < 10_000; i++) rec.record(metrics[i % metrics.length]);
    const t2 = performance.now();
    rec.flush();
    const flushMetricsMs = performance.now() - t2;
    rec.close();
    console.log(
      `[bench] recorder: record() x100k ${recordMs.toFixed(1)} ms; flush of 100k small events ${flushMs.toFixed(1)} ms ` +
        `(${((flushMs * 1000) / 100_000).toFixed(2)} µs/event); flush of 10k metrics events (+CSV) ${flushMetricsMs.toFixed(1)} ms`,
    );
    expect(readRun(dir).events).toHaveLength(110_000);
  });
});

describe('readRun', () => {
  it('skips a torn last line with a warning (a half-written run stays readable)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify(run.events[0])}\n${JSON.stringify(run.events[1]).slice(0, 20)}`);
    writeFileSync(join(dir, 'history.jsonl'), `${JSON.stringify(run.history[0])}\n`);
    const r = readRun(dir);
    expect(r.events).toEqual([run.events[0]]);
    expect(r.history).toEqual([run.history[0]]);
    expect(r.warnings).toEqual(['events.jsonl:2: skipped an incomplete last line (the run stopped while writing it)']);
  });

  it('accepts a complete last line without its newline, and skips bad lines in the middle', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify(run.events[0])}\n{oops\n{"type":"x"}\n\n${JSON.stringify(run.events[1])}`);
    const r = readRun(dir);
    expect(r.events).toEqual([run.events[0], run.events[1]]);
    expect(r.warnings).toEqual(['events.jsonl:2: skipped a line that is not valid JSON', 'events.jsonl:3: skipped: x event without a time t']);
  });

  it('reads lines that straddle its read chunks', () => {
    const dir = tempDir();
    const big = { type: 'log', t: 1, node: 1, level: 'info', message: 'é'.repeat(3_000_000) };
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify(run.events[0])}\n${JSON.stringify(big)}\n${JSON.stringify(run.events[1])}\n`);
    const r = readRun(dir);
    expect(r.events).toHaveLength(3);
    expect((r.events[1] as unknown as { message: string }).message.length).toBe(3_000_000);
  });

  it('names a directory that is not a run', () => {
    expect(() => readRun(tempDir())).toThrow(RunReadError);
    expect(() => readRun(tempDir())).toThrow(/is not a recorded run: events.jsonl is missing/);
  });
});

describe('exportRun', () => {
  function recorded(): string {
    const dir = tempDir();
    const rec = new RunRecorder(dir);
    rec.start();
    recordAll(rec);
    rec.close();
    return dir;
  }

  it('writes every format, leaving no temporary files', async () => {
    const dir = recorded();
    const r = await exportRun(dir);
    expect(r.files.map((f) => f.name)).toEqual(['metrics.csv', 'history.edn', 'trace.json', 'summary.json', 'report.html']);
    for (const f of r.files) expect(f.bytes).toBeGreaterThan(100);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(r.summary?.runId).toBe('synthetic-1');
  });

  it('writes one format on request', async () => {
    const dir = recorded();
    const r = await exportRun(dir, 'history.edn');
    expect(r.files.map((f) => f.name)).toEqual(['history.edn']);
    expect(r.summary).toBeNull();
    expect(existsSync(join(dir, 'trace.json'))).toBe(false);
  });

  it('keeps an existing summary.json (its expectations) unless asked to recompute', async () => {
    const dir = recorded();
    const rec = new RunRecorder(dir);
    const existing = { ...computeSummary(run.events, run.history), expectations: [{ name: 'x', ok: true, detail: 'kept' }] };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(existing));
    const kept = await exportRun(dir, 'report.html');
    expect(kept.summary?.expectations).toEqual(existing.expectations);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('kept');
    const fresh = await exportRun(dir, 'summary.json', { recomputeSummary: true });
    expect(fresh.summary?.expectations).toBeUndefined();
    rec.close();
  });

  it('recomputes a corrupt summary.json and says so', async () => {
    const dir = recorded();
    writeFileSync(join(dir, 'summary.json'), '{"half');
    const r = await exportRun(dir, 'summary.json');
    expect(r.warnings[0]).toMatch(/summary.json was not valid JSON/);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).runId).toBe('synthetic-1');
  });

  it('exports a run cut short mid-line', async () => {
    const dir = recorded();
    appendFileSync(join(dir, 'events.jsonl'), '{"type":"metrics","t":81');
    const r = await exportRun(dir);
    expect(r.warnings).toEqual([expect.stringMatching(/events.jsonl:\d+: skipped an incomplete last line/)]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('Recording warnings');
  });

  it('rejects an unknown format by name', async () => {
    await expect(exportRun(recorded(), 'pdf' as never)).rejects.toThrow(/unknown export format "pdf"/);
  });
});

/**
 * A full disk must stop recording cleanly: no endless retries holding batches in memory, and
 * never a duplicated or half line (docs/security.md#paths-and-files).
 */
describe('RunRecorder on a full disk', () => {
  /** Mounts a small tmpfs (we may be root); null with the reason when that is not permitted. */
  function mountSmallDisk(sizeKb: number): { dir: string; unmount: () => void } | { skip: string } {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root on Linux' };
    const dir = tempDir();
    const res = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { encoding: 'utf8' });
    if (res.status !== 0) return { skip: `mount -t tmpfs was refused: ${(res.stderr || res.error?.message || '').trim()}` };
    return {
      dir,
      unmount: () => {
        const u = spawnSync('umount', [dir], { encoding: 'utf8' });
        if (u.status !== 0) throw new Error(`umount ${dir} failed: ${u.stderr}`);
      },
    };
  }

  const bigEvent = (i: number): RunEvent => ({ type: 'log', t: i, node: 1, level: 'info', message: `line ${i} ${'x'.repeat(900)}` }) as RunEvent;

  it('stops for good on ENOSPC (/dev/full), tells the lab once, and drops what follows instead of holding it', () => {
    const dir = tempDir();
    const fatal: Error[] = [];
    const rec = new RunRecorder(dir, { onFatal: (e) => fatal.push(e), onError: (e) => { throw e; } });
    rec.start();
    rmSync(join(dir, 'events.jsonl'));
    symlinkSync('/dev/full', join(dir, 'events.jsonl'));
    rec.record(run.events[0]);
    rec.flush(); // does not throw: the failure went to onFatal
    expect(fatal).toHaveLength(1);
    expect(fatal[0].message).toMatch(/cannot write the recording in .*ENOSPC.*Recording stopped/);
    expect(rec.failed).not.toBeNull();
    for (let i = 0; i < 1000; i++) rec.record(run.events[1]);
    rec.flush();
    expect(fatal).toHaveLength(1);
    expect(rec.stats.droppedAfterFailure).toBe(1001);
    expect(rec.stats.writeErrors).toBe(1);
  });

  it('on a filesystem that fills up, keeps every complete line once, in order, and no half line', (ctx) => {
    const disk = mountSmallDisk(512);
    if ('skip' in disk) {
      ctx.skip(disk.skip);
      return;
    }
    try {
      const runDir = join(disk.dir, 'run');
      const fatal: Error[] = [];
      const rec = new RunRecorder(runDir, { onFatal: (e) => fatal.push(e), metricsCsv: false });
      rec.start();
      // ~1 KB lines in batches of 37: some batch is cut part-way by ENOSPC.
      let i = 0;
      while (fatal.length === 0 && i < 5000) {
        for (let k = 0; k < 37; k++) rec.record(bigEvent(i++));
        rec.flush();
      }
      expect(fatal).toHaveLength(1);
      expect(fatal[0].message).toMatch(/ENOSPC/);
      const text = readFileSync(join(runDir, 'events.jsonl'), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const ts = text.trimEnd().split('\n').map((l) => (JSON.parse(l) as RunEvent).t);
      // A prefix of what was recorded: nothing twice, nothing skipped.
      expect(ts).toEqual(Array.from({ length: ts.length }, (_, k) => k));
      expect(ts.length).toBeGreaterThan(100);
      expect(ts.length).toBeLessThan(i);
      rec.close();
    } finally {
      disk.unmount();
    }
  });
});
