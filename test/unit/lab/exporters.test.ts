import { describe, expect, it } from 'vitest';
import { csvField, METRICS_CSV_COLUMNS, toMetricsCsv } from '../../../src/lab/recorder/metricsCsv';
import { ednString, toHistoryEdn } from '../../../src/lab/export/historyEdn';
import { toChromeTrace } from '../../../src/lab/export/traceJson';
import { computeSummary } from '../../../src/lab/export/summary';
import { analyzeElections } from '../../../src/lab/export/elections';
import { renderReport } from '../../../src/lab/export/report/reportHtml';
import { percentile } from '../../../src/analysis/percentile';
import { LANE_LABELS, LANE_STATES, MARK_LABELS, markColours, nodeColour, roleColours } from '../../../src/analysis/legend';
import { esc } from '../../../src/lab/export/report/html';
import type { RunEvent } from '../../../src/contract/runEvents';
import { cas, get, put } from './historyGen';
import { syntheticRun } from './runGen';

const run = syntheticRun();

describe('metrics.csv', () => {
  it('has the documented columns and one row per metrics sample', () => {
    const csv = toMetricsCsv(run.events);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(METRICS_CSV_COLUMNS.join(','));
    expect(lines[0]).toBe(
      't,node,term,role,leader,commit,applied,lastIndex,snapshotIndex,loopLagMs,rssBytes,electionsStarted,electionsWon,votesGranted,' +
        'heartbeatsSent,heartbeatsReceived,stateChanges,leaderStalenessMs,fsyncP50Ms,fsyncP99Ms,telemetryDropped,heapUsedBytes,externalBytes',
    );
    const metrics = run.events.filter((e) => e.type === 'metrics');
    expect(lines).toHaveLength(metrics.length + 1);
    const first = lines[1].split(',');
    expect(first).toHaveLength(METRICS_CSV_COLUMNS.length);
    expect(first.slice(0, 4)).toEqual(['102', '1', '0', 'follower']);
    // null leader and null staleness are empty fields; fsync percentiles come from fsync.
    expect(first[4]).toBe('');
    expect(first[17]).toBe('');
    expect(first[18]).toBe('0.2');
    expect(first[19]).toBe('1.1');
  });

  it('has the memory breakdown of a sample in heapUsedBytes and externalBytes, empty when the sample has none', () => {
    const metrics = run.events.filter((e) => e.type === 'metrics');
    const withMemory = { ...metrics[0], heapUsedBytes: 41_000_000, externalBytes: 9_500_000 };
    // A recording from before the fields existed: the event has no heapUsedBytes / externalBytes.
    const { heapUsedBytes: _h, externalBytes: _e, ...withoutMemory } = { ...metrics[1], heapUsedBytes: 1, externalBytes: 1 };
    const lines = toMetricsCsv([withMemory, withoutMemory]).trimEnd().split('\n');
    const heap = METRICS_CSV_COLUMNS.indexOf('heapUsedBytes');
    const external = METRICS_CSV_COLUMNS.indexOf('externalBytes');
    const rss = METRICS_CSV_COLUMNS.indexOf('rssBytes');
    const [a, b] = [lines[1].split(','), lines[2].split(',')];
    expect(a).toHaveLength(METRICS_CSV_COLUMNS.length);
    expect([a[rss], a[heap], a[external]]).toEqual(['50000000', '41000000', '9500000']);
    expect(b).toHaveLength(METRICS_CSV_COLUMNS.length);
    expect([b[rss], b[heap], b[external]]).toEqual(['50000000', '', '']);
  });

  it('escapes fields the CSV way', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });
});

describe('history.edn', () => {
  it('writes an invoke and a completion per operation, in time order, with indexes', () => {
    const edn = toHistoryEdn([put(1, 2, 'a', { client: 0 }), get(1.5, 3, 'a', { client: 1 })]);
    expect(edn.trimEnd().split('\n')).toEqual([
      '{:type :invoke, :f :write, :value ["k" "a"], :process 0, :time 1000000, :index 0}',
      '{:type :invoke, :f :read, :value ["k" nil], :process 1, :time 1500000, :index 1}',
      '{:type :ok, :f :write, :value ["k" "a"], :process 0, :time 2000000, :index 2, :raftlab/after "a"}',
      '{:type :ok, :f :read, :value ["k" "a"], :process 1, :time 3000000, :index 3}',
    ]);
  });

  it('writes cas as [expected new], failures with an error keyword, and delete as a write of nil', () => {
    const edn = toHistoryEdn([
      cas(0, 1, null, 'x'),
      cas(2, 3, 'y', 'z', { status: 'fail', error: 'cas_mismatch', output: null }),
      { client: 0, op: 'delete', key: 'k', value: null, output: null, call: 4, return: 5, status: 'ok' },
    ]);
    const lines = edn.trimEnd().split('\n');
    expect(lines[0]).toBe('{:type :invoke, :f :cas, :value ["k" [nil "x"]], :process 0, :time 0, :index 0}');
    expect(lines[3]).toBe('{:type :fail, :f :cas, :value ["k" ["y" "z"]], :process 0, :time 3000000, :index 3, :error :cas-mismatch}');
    expect(lines[5]).toBe('{:type :ok, :f :write, :value ["k" nil], :process 0, :time 5000000, :index 5, :raftlab/op :delete}');
  });

  it('gives a client a fresh process after an :info (Jepsen never reuses a crashed process)', () => {
    const edn = toHistoryEdn([
      put(0, 1, 'a', { client: 2, status: 'info', error: 'timeout', output: null }),
      put(2, 3, 'b', { client: 2 }),
      put(4, 5, 'c', { client: 2 }),
    ]);
    const processes = edn.trimEnd().split('\n').map((l) => Number(/:process (\d+)/.exec(l)![1]));
    expect(processes).toEqual([2, 2, 3, 3, 3, 3]);
    expect(edn).toContain(':type :info');
    expect(edn).toContain(':error :timeout');
  });

  it('escapes strings the EDN way', () => {
    expect(ednString('a"b\\c\nd\te\u0001')).toBe('"a\\"b\\\\c\\nd\\te\\u0001"');
    expect(ednString('ünïcödé')).toBe('"ünïcödé"');
  });

  it('covers the whole synthetic history', () => {
    const lines = toHistoryEdn(run.history).trimEnd().split('\n');
    expect(lines).toHaveLength(run.history.length * 2);
    const times = lines.map((l) => Number(/:time (-?\d+)/.exec(l)![1]));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    lines.forEach((l, i) => expect(l).toContain(`:index ${i}}`.replace('}', '')));
  });
});

describe('trace.json', () => {
  const trace = toChromeTrace(run.events, { runId: 'synthetic-1' });
  const evs = trace.traceEvents;

  it('is JSON with a process per node named "Node N"', () => {
    expect(() => JSON.parse(JSON.stringify(trace))).not.toThrow();
    const names = evs.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args!.name]);
    expect(names).toEqual([[0, 'Lab'], [1, 'Node 1'], [2, 'Node 2'], [3, 'Node 3']]);
    expect(trace.displayTimeUnit).toBe('ms');
  });

  it('has role slices in microseconds', () => {
    const leaderSlices = evs.filter((e) => e.ph === 'X' && e.name === 'leader');
    const n1 = leaderSlices.find((e) => e.pid === 1)!;
    expect(n1.ts).toBe(420_000);
    expect(n1.dur).toBe(2000_000 - 420_000); // until the kill
    expect(n1.args).toEqual({ term: 1 });
    // A slice per role period of each node; the last ones close at the end of the run.
    const n3 = evs.filter((e) => e.ph === 'X' && e.pid === 3 && e.tid === 1);
    expect(n3.map((e) => e.name)).toEqual(['follower', 'follower', 'follower', 'candidate', 'leader']);
    expect(n3[4].ts + n3[4].dur!).toBe(8100_000);
  });

  it('names a PreVote pre-candidate\'s slice apart from a candidate\'s (thesis §9.6)', () => {
    const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;
    const t = toChromeTrace([
      e({ type: 'role', t: 10, node: 1, role: 'candidate', term: 4, leader: null, preCandidate: true }),
      e({ type: 'role', t: 30, node: 1, role: 'candidate', term: 5, leader: null, preCandidate: false }),
      e({ type: 'role', t: 40, node: 1, role: 'leader', term: 5, leader: 1 }),
    ]);
    const slices = t.traceEvents.filter((x) => x.ph === 'X').map((x) => [x.name, x.cname, x.args?.term]);
    expect(slices).toEqual([['pre-candidate (PreVote)', 'olive', 4], ['candidate', 'yellow', 5], ['leader', 'good', 5]]);
  });

  it('has term and commit counters, faults and violations as global instants', () => {
    expect(evs.some((e) => e.ph === 'C' && e.name === 'term' && e.pid === 2 && e.args!.term === 2)).toBe(true);
    expect(evs.filter((e) => e.ph === 'C' && e.name === 'commit' && e.pid === 1).length).toBeGreaterThan(10);
    const faults = evs.filter((e) => e.cat === 'fault');
    expect(faults.every((e) => e.ph === 'i' && e.s === 'g')).toBe(true);
    expect(faults.map((e) => e.name)).toContain('fault: kill leader (node 1)');
    const v = evs.find((e) => e.cat === 'violation')!;
    expect(v).toMatchObject({ ph: 'i', s: 'g', ts: 7000_000, name: 'violation: commit-monotonic' });
    const down = evs.find((e) => e.ph === 'X' && e.pid === 1 && e.tid === 2)!;
    expect(down).toMatchObject({ name: 'down', ts: 2000_000, dur: 1001_000 });
  });
});

describe('election intervals', () => {
  it('measures the planted leaderless intervals', () => {
    const a = analyzeElections(run.events);
    expect(a.samples).toEqual(run.expectedElectionMs);
    expect(a.intervals.map((i) => i.cause)).toEqual(['killed', 'partitioned', 'paused']);
    expect(a.intervals[0]).toMatchObject({ from: 1, fromTerm: 1, to: 2, toTerm: 2 });
    expect(a.intervals[2].to).toBeUndefined();
    expect(a.leaderChanges).toBe(3);
    expect(a.firstLeaderAt).toBe(420);
  });

  const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;
  it('counts a step-down until the next leader', () => {
    const a = analyzeElections([
      e({ type: 'role', t: 10, node: 1, role: 'leader', term: 1, leader: 1 }),
      e({ type: 'role', t: 100, node: 1, role: 'follower', term: 1, leader: null }),
      e({ type: 'role', t: 350, node: 2, role: 'leader', term: 2, leader: 2 }),
    ]);
    expect(a.intervals).toMatchObject([{ cause: 'stepped-down', start: 100, end: 350 }]);
  });

  it('falls back to a majority reporting a higher term when the leader is silent', () => {
    const a = analyzeElections([
      e({ type: 'run', t: 0, node: null, phase: 'started', options: { nodes: 3 } }),
      e({ type: 'role', t: 10, node: 1, role: 'leader', term: 1, leader: 1 }),
      e({ type: 'role', t: 200, node: 2, role: 'candidate', term: 2, leader: null }),
      e({ type: 'role', t: 210, node: 3, role: 'follower', term: 2, leader: null }),
      e({ type: 'role', t: 260, node: 2, role: 'leader', term: 2, leader: 2 }),
    ]);
    expect(a.intervals).toMatchObject([{ cause: 'new-term', start: 200, end: 260 }]);
  });

  it('does not count a lone partitioned follower inflating its term', () => {
    const a = analyzeElections([
      e({ type: 'run', t: 0, node: null, phase: 'started', options: { nodes: 5 } }),
      e({ type: 'role', t: 10, node: 1, role: 'leader', term: 1, leader: 1 }),
      e({ type: 'role', t: 200, node: 5, role: 'candidate', term: 2, leader: null }),
      e({ type: 'role', t: 400, node: 5, role: 'candidate', term: 3, leader: null }),
    ]);
    expect(a.intervals).toEqual([]);
  });

  it('leaves an interval open at the end of the run out of the samples', () => {
    const a = analyzeElections([
      e({ type: 'role', t: 10, node: 1, role: 'leader', term: 1, leader: 1 }),
      e({ type: 'process', t: 100, node: 1, state: 'killed' }),
    ]);
    expect(a.intervals).toMatchObject([{ cause: 'killed', end: null }]);
    expect(a.samples).toEqual([]);
  });
});

describe('summary', () => {
  it('computes the documented fields', () => {
    const s = computeSummary(run.events, run.history);
    expect(s.runId).toBe('synthetic-1');
    expect(s.nodes).toBe(3);
    expect(s.durationMs).toBe(8100);
    expect(s.leaderChanges).toBe(3);
    expect(s.electionMs).toEqual({ count: 3, p50: 301, p99: 400, max: 400, samples: [301, 400, 120] });
    expect(s.faults).toBe(4);
    expect(s.violations).toEqual([{ property: 'commit-monotonic', message: 'planted, with "quotes", commas, and <html>', t: 7000 }]);
    expect(s.linearizable).toBe(true);
    expect(s.linearizability).toBeUndefined();
    const ok = run.history.filter((o) => o.status === 'ok').length;
    expect(s.ops.ok).toBe(ok);
    expect(s.ops.ok + s.ops.fail + s.ops.info).toBe(run.history.length);
    expect(s.throughputOpsPerSec).toBeCloseTo(ok / 8.1, 1);
    expect(s.commitLatencyMs.p50).toBeGreaterThan(0);
    expect(s.commitLatencyMs.p99!).toBeGreaterThanOrEqual(s.commitLatencyMs.p50!);
  });

  it('says why the history is not linearizable', () => {
    const s = computeSummary([], [put(0, 1, 'a'), get(2, 3, 'b')]);
    expect(s.linearizable).toBe(false);
    expect(s.linearizability).toMatch(/cannot be linearized/);
    // The witness names the operations that cannot be ordered, for the timeline (issue 10 part 3).
    expect(s.linearizabilityWitness?.op).toMatchObject({ op: 'get', output: 'b', call: 2, return: 3 });
    expect(s.linearizabilityWitness?.linearizedTail.map((o) => [o.op, o.value])).toEqual([['put', 'a']]);
    expect(s.linearizabilityWitness?.valueBefore).toBe('a');
    expect(s.electionMs).toEqual({ count: 0, p50: null, p99: null, max: null, samples: [] });
  });

  it('percentiles use the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });
});

describe('report.html', () => {
  const summary = computeSummary(run.events, run.history, { expectations: [{ name: 'noViolations', ok: false, detail: '1 violation' }] });
  const html = renderReport({ summary, events: run.events, history: run.history, warnings: ['events.jsonl:9: skipped an incomplete last line'] });

  it('is one self-contained document: no scripts, no external resources', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/url\((?!#)/);
    // The only URL is the SVG namespace.
    expect(html.match(/https?:\/\/[^"]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
  });

  it('has the summary, the charts and the escaped texts', () => {
    expect(html).toContain('synthetic-1');
    expect((html.match(/<svg /g) ?? []).length).toBe(6);
    for (const title of ['Roles over time', 'Term', 'Elections', 'Commit index', 'Throughput', 'Latency', 'Expectations', 'Safety violations', 'Faults', 'Recording warnings']) {
      expect(html).toContain(`<h2>${title}</h2>`);
    }
    expect(html).toContain('planted, with &quot;quotes&quot;, commas, and &lt;html&gt;');
    expect(html).not.toContain('<html>,');
    expect(html).toContain('isolate leader (node 2)');
    // The election table is markup, not escaped text: one row per planted interval.
    expect(html).toContain('<td>leader killed</td><td>node 1 (term 1)</td><td>node 2 leads term 2</td><td class="num">301.0 ms</td></tr>');
    expect(html).toContain('<td>node 3 came back, still leading term 3</td>');
    expect(html).not.toContain('&lt;tr&gt;');
    expect(html).not.toContain('&lt;td');
  });

  it('uses the app\'s palette and legend words, and its caption describes only what it draws', () => {
    for (const s of LANE_STATES) {
      expect(html).toContain(`fill="${roleColours('light')[s]}"`);
      expect(html).toContain(`>${esc(LANE_LABELS[s])}</text>`);
    }
    expect(html).toContain(MARK_LABELS.lastingFault);
    expect(html).toContain(MARK_LABELS.instantFault);
    expect(html).not.toMatch(/dashed/);
    // The kills and the pause of the run are drawn as instant-fault lines, in the app's colour.
    expect((html.match(/class="fault-line"><title>/g) ?? []).length).toBeGreaterThan(0);
    expect(html).toContain(`stroke:${markColours('light').faultInstant}`);
    expect(html).toContain(`stroke="${nodeColour('light', 2)}"`);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy"');
  });

  it('balances its tags (a cheap well-formedness check of the SVG)', () => {
    for (const tag of ['svg', 'table', 'tr', 'title', 'text', 'h2']) {
      const open = (html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
      const close = (html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length;
      expect(close, tag).toBe(open);
    }
  });

  it('breaks a node\'s term line while it is down and lifts equal terms apart, as the app does (issue 15 item 7)', () => {
    const termSvg = html.slice(html.indexOf('aria-label="Term per node"'));
    const pathOf = (node: number) => new RegExp(`<path d="([^"]*)"[^>]*><title>Node ${node}</title>`).exec(termSvg)![1];
    // Node 1 was killed at 2000 and restarted at 3001: two runs of its line, not one flat line.
    expect(pathOf(1).match(/M/g)).toHaveLength(2);
    // Node 2 was never down: one run.
    expect(pathOf(2).match(/M/g)).toHaveLength(1);
    // Nodes 2 and 3 share term 2 for most of the run, yet their lines start at different heights.
    const startY = (node: number) => Number(/^M[\d.]+,([\d.]+)/.exec(pathOf(node))![1]);
    expect(new Set([startY(1), startY(2), startY(3)]).size).toBe(3);
  });

  it('renders an empty run without failing', () => {
    const s = computeSummary([], []);
    const empty = renderReport({ summary: s, events: [], history: [] });
    expect(empty).toContain('no leader was lost');
  });
});
