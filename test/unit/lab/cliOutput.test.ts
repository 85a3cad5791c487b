/**
 * The CLI's status line and summary (issue 15 item 14): on a terminal the status line is
 * redrawn in place with '\r', which only works while it fits on one row; a line that
 * wraps leaves a new row behind at every redraw.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../src/contract/runEvents';
import type { Cluster } from '../../../src/lab/cluster';
import { StatusLine, summaryTable } from '../../../src/lab/cliOutput';

function terminal(columns: number) {
  const writes: string[] = [];
  return { writes, out: { isTTY: true, columns, write: (s: string) => writes.push(s) } };
}

const cluster = {
  nodes: () => [1, 2, 3, 4, 5].map((id) => ({ id, term: 12_345, commit: 987_654 })),
  leader: () => 3,
  opsOk: () => 123_456,
} as unknown as Cluster;

describe('StatusLine on a terminal', () => {
  for (const columns of [40, 70, 120]) {
    it(`never writes a row wider than the terminal (${columns} columns), so redraws stay on one row`, () => {
      const { writes, out } = terminal(columns);
      const line = new StatusLine(out, 'figure16-election-times electionTimeoutMs=150-300 (1/4)', 30_000);
      for (let t = 0; t <= 30_000; t += 250) line.update(cluster, t);
      line.note('12.0s kill node 3');
      for (let t = 30_000; t <= 31_000; t += 250) line.update(cluster, t);
      for (const w of writes) {
        for (const row of w.split(/[\r\n]/)) expect(row.length, JSON.stringify(w)).toBeLessThan(columns);
      }
      // Only the note ends a row; the redraws never do.
      expect(writes.filter((w) => w.includes('\n'))).toEqual(['  12.0s kill node 3\n']);
    });
  }

  it('keeps the figures whole at 70 columns: the bar and the label give way first', () => {
    for (const [columns, label] of [[70, 'leader-crash'], [70, 'figure16-election-times electionTimeoutMs=150-300 (1/4)'], [60, 'leader-crash']] as const) {
      const { writes, out } = terminal(columns);
      const line = new StatusLine(out, label, 30_000);
      line.update(cluster, 15_000);
      const row = writes[0].replace('\r', '');
      expect(row.length, row).toBeLessThan(columns);
      expect(row, row).toMatch(/15\.0s {2}leader 3 {2}term 12345 {2}commit 987654 {2}\d+ ops\/s$/);
    }
    // Wide enough for everything: the full 24-column bar, half filled, and the whole label.
    const { writes, out } = terminal(120);
    new StatusLine(out, 'leader-crash', 30_000).update(cluster, 15_000);
    expect(writes[0]).toContain(`leader-crash [${'#'.repeat(12)}${'.'.repeat(12)}] 15.0s`);
  });

  it('does not flicker: once the figures grew, the label keeps its cut when they shrink again', () => {
    const { writes, out } = terminal(70);
    let ops = 0;
    const busy = { ...cluster, opsOk: () => ops } as unknown as Cluster;
    const line = new StatusLine(out, '5 nodes, faults mixed', 20_000);
    const labelPart = (w: string) => w.replace('\r', '').split(/\s+\d+%/)[0];
    line.update(busy, 1000); // 0 ops/s
    ops = 100_000;
    line.update(busy, 2000); // a six-digit rate: the widest figures
    ops = 100_001;
    line.update(busy, 3000); // 1 ops/s again
    const labels = writes.map(labelPart);
    expect(labels[2], 'after the widest figures the label stays as cut for them').toBe(labels[1]);
    for (const w of writes) expect(w.replace('\r', '').length).toBeLessThan(70);
  });

  it('falls back to COLUMNS when the stream does not know its width', () => {
    const before = process.env.COLUMNS;
    process.env.COLUMNS = '50';
    try {
      const writes: string[] = [];
      const line = new StatusLine({ isTTY: true, write: (s: string) => writes.push(s) }, 'a-rather-long-scenario-label-for-a-run', 10_000);
      line.update(cluster, 1000);
      expect(writes[0].replace('\r', '').length).toBeLessThan(50);
      expect(writes[0]).toContain('…');
    } finally {
      if (before === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = before;
    }
  });
});

describe('summaryTable', () => {
  const summary = (ops: Summary['ops']): Summary => ({
    runId: 'r',
    nodes: 3,
    durationMs: 1000,
    leaderChanges: 1,
    electionMs: { count: 0, p50: null, p99: null, max: null, samples: [] },
    commitLatencyMs: { p50: null, p99: null },
    throughputOpsPerSec: 0,
    ops,
    faults: 0,
    violations: [],
    linearizable: true,
  });
  const row = (table: string, name: string) => table.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length).trim();

  it('says "no operations" instead of "linearizable true" when nothing was checked', () => {
    expect(row(summaryTable('3 nodes, faults none', summary({ ok: 0, fail: 0, info: 0 }), '/runs/x'), 'linearizable')).toBe('no operations');
    expect(row(summaryTable('3 nodes, faults none', summary({ ok: 5, fail: 0, info: 1 }), '/runs/x'), 'linearizable')).toBe('true');
  });
});
