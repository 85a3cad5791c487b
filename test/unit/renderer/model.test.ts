import type { RunEvent } from '../../../src/contract/runEvents';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../renderer/src/model/ringBuffer';
import { CompactingSeries } from '../../../renderer/src/model/compactingSeries';
import { ElectionTracker } from '../../../renderer/src/model/electionTracker';
import { RoleTimeline } from '../../../renderer/src/model/roleTimeline';
import { TrafficRates } from '../../../renderer/src/model/trafficRates';
import { EventLog, describeEvent } from '../../../renderer/src/model/eventLog';
import { cdf, histogram } from '../../../renderer/src/model/distribution';
import { percentiles } from '../../../src/analysis/percentile';
import { RunModel } from '../../../renderer/src/model/runModel';
import { MetricsModel } from '../../../renderer/src/model/metricsModel';
import { asShownEvents } from '../../../renderer/src/model/events';
import { election, fault, isolating, metrics, proc, role, run, workload } from './events';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items in order and reports evictions', () => {
    const b = new RingBuffer<number>(3);
    expect(b.push(1)).toBeUndefined();
    b.push(2);
    b.push(3);
    expect(b.push(4)).toBe(1);
    expect(b.toArray()).toEqual([2, 3, 4]);
    expect([...b]).toEqual([2, 3, 4]);
    expect(b.length).toBe(3);
    expect(b.totalPushed).toBe(4);
    expect(b.at(0)).toBe(2);
    expect(b.at(-1)).toBe(4);
    expect(b.at(3)).toBeUndefined();
    b.replaceLast(40);
    expect(b.last()).toBe(40);
    b.clear();
    expect(b.toArray()).toEqual([]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('CompactingSeries', () => {
  it('stays under capacity, keeps recent points exact and older ones merged by rule', () => {
    const s = new CompactingSeries(['last', 'max', 'mean'], 16);
    for (let i = 0; i < 1000; i++) s.push(i, [i, i % 7, i]);
    expect(s.length).toBeLessThan(16);
    expect(s.compactionCount).toBeGreaterThan(0);
    const last = s.points(0);
    // The newest point is exact, and times stay increasing after compaction.
    expect(last[last.length - 1]).toEqual([999, 999]);
    for (let i = 1; i < last.length; i++) expect(last[i][0]).toBeGreaterThan(last[i - 1][0]);
    // 'last' keeps the value at each merged point's time.
    for (const [t, v] of last) expect(v).toBe(t);
    // 'max' never invents values above the true max.
    for (const [, v] of s.points(1)) expect(v).toBeLessThanOrEqual(6);
  });

  it('treats null as unknown: gaps survive, and merging prefers a known value', () => {
    const s = new CompactingSeries(['mean'], 8);
    s.push(0, [null]);
    s.push(1, [4]);
    expect(s.points(0)).toEqual([[0, null], [1, 4]]);
    for (let t = 2; t < 8; t++) s.push(t, [null]);
    expect(s.points(0)[0]).toEqual([1, 4]);
    expect(s.lastValue(0)).toBeNull();
    expect(() => s.push(9, [1, 2])).toThrow(RangeError);
  });
});

describe('RoleTimeline', () => {
  it('starts a segment only when the state changes and restores the role after a pause', () => {
    const tl = new RoleTimeline();
    tl.down(1, 0);
    tl.started(1, 10);
    tl.role(1, 'follower', 1, 20); // same state, new term: new segment
    tl.role(1, 'follower', 1, 30); // no change
    tl.role(1, 'candidate', 2, 40);
    tl.role(1, 'leader', 2, 50);
    tl.paused(1, 60);
    tl.resumed(1, 70);
    tl.down(1, 80);
    tl.closeAll(90);
    expect(tl.segments(1).map((s) => [s.state, s.term, s.start, s.end])).toEqual([
      ['down', 0, 0, 10],
      ['follower', 0, 10, 20],
      ['follower', 1, 20, 40],
      ['candidate', 2, 40, 50],
      ['leader', 2, 50, 60],
      ['paused', 2, 60, 70],
      ['leader', 2, 70, 80],
      ['down', 2, 80, 90],
    ]);
    expect(tl.current(1)).toBe('down');
    expect(tl.current(2)).toBeNull();
  });

  it('caps the segments per node', () => {
    const tl = new RoleTimeline(10);
    for (let i = 0; i < 1000; i++) tl.role(1, i % 2 ? 'candidate' : 'follower', i, i);
    expect(tl.segments(1)).toHaveLength(10);
    expect(tl.segments(1)[9].start).toBe(999);
  });
});

describe('ElectionTracker (leaderless intervals, as the lab measures them)', () => {
  const feed = (e: ElectionTracker, events: Parameters<typeof asShownEvents>[0]) => {
    for (const ev of asShownEvents(events)) e.observe(ev);
  };

  it('does not sample the initial election but reports when the first leader appeared', () => {
    const e = new ElectionTracker();
    feed(e, [run(0), role(180, 2, 'candidate', 1), role(230, 2, 'leader', 1)]);
    expect(e.total).toBe(0);
    expect(e.firstLeaderAt).toBe(230);
    expect(e.leaderChanges).toBe(1);
    expect(e.currentLeader).toEqual({ node: 2, term: 1 });
  });

  it("starts when the leader's process goes down and ends at the next leader of a higher term", () => {
    const e = new ElectionTracker();
    feed(e, [run(0), role(100, 1, 'leader', 1), proc(900, 3, 'killed')]);
    expect(e.leaderlessStart).toBeNull(); // not the leader
    feed(e, [proc(1000, 1, 'killed'), role(1250, 2, 'candidate', 2), role(1300, 3, 'leader', 1), role(1400, 2, 'leader', 2)]);
    expect(e.list()).toEqual([{ t: 1400, ms: 400, cause: 'killed', leader: 2, term: 2, from: 1 }]);
  });

  it('starts at a fault naming the leader when that arrives before the process event', () => {
    const e = new ElectionTracker();
    feed(e, [run(0), role(100, 1, 'leader', 1), fault(990, 'apply', 'kill', 'kill node 1', [1]), proc(1000, 1, 'killed'), role(1300, 2, 'leader', 2)]);
    expect(e.last()).toMatchObject({ ms: 310, cause: 'killed' });
  });

  it('closes when a paused leader resumes and nobody took over', () => {
    const e = new ElectionTracker();
    feed(e, [run(0), role(100, 1, 'leader', 1), proc(500, 1, 'paused'), proc(800, 1, 'resumed')]);
    expect(e.last()).toMatchObject({ ms: 300, cause: 'paused', leader: 1, term: 1 });
    expect(e.currentLeader).toEqual({ node: 1, term: 1 });
  });

  it('starts when a partition cuts the leader off from a majority (and not for a minority cut)', () => {
    const e = new ElectionTracker();
    feed(e, [run(0), ...[1, 2, 3, 4, 5].map((n) => proc(1, n, 'started')), role(100, 1, 'leader', 1)]);
    feed(e, [fault(500, 'apply', 'partition', 'isolate node 5', [5], isolating(5, [1, 2, 3, 4]))]);
    expect(e.leaderlessStart).toBeNull();
    feed(e, [fault(600, 'heal', 'all', 'heal'), fault(1000, 'apply', 'partition', 'isolate node 1', [1], isolating(1, [2, 3, 4, 5]))]);
    expect(e.leaderlessStart).toBe(1000);
    feed(e, [role(1300, 3, 'candidate', 2), role(1350, 3, 'leader', 2), role(2000, 1, 'follower', 2)]);
    expect(e.last()).toMatchObject({ ms: 350, cause: 'partitioned', leader: 3, term: 2 });
    expect(e.leaderlessStart).toBeNull(); // the old leader stepping down later opens nothing
  });

  it('closes when a partition heals before anyone started a higher term', () => {
    const e = new ElectionTracker();
    feed(e, [run(0), ...[1, 2, 3].map((n) => proc(1, n, 'started')), role(100, 1, 'leader', 1)]);
    feed(e, [fault(1000, 'apply', 'partition', 'isolate node 1', [1], isolating(1, [2, 3])), fault(1100, 'heal', 'all', 'heal')]);
    expect(e.last()).toMatchObject({ ms: 100, cause: 'partitioned', leader: 1 });
  });

  it("falls back to a majority reporting a higher term when the leader's own events are missing (§5.1)", () => {
    const e = new ElectionTracker();
    feed(e, [run(0), ...[1, 2, 3].map((n) => proc(1, n, 'started')), role(100, 1, 'leader', 1)]);
    feed(e, [metrics(700, 2, { role: 'candidate', term: 2 })]);
    expect(e.leaderlessStart).toBeNull(); // one of three is not a majority
    feed(e, [metrics(750, 3, { role: 'follower', term: 2 })]);
    expect(e.leaderlessStart).toBe(700); // starts at the first report
    feed(e, [metrics(800, 2, { role: 'leader', term: 2 })]);
    expect(e.last()).toMatchObject({ ms: 100, cause: 'new-term', leader: 2 });
  });

  it('starts when the leader steps down and ignores stale leader reports', () => {
    const e = new ElectionTracker();
    feed(e, [run(0), role(100, 1, 'leader', 3), role(2000, 1, 'follower', 3), role(2100, 2, 'leader', 2)]);
    expect(e.leaderlessStart).toBe(2000);
    feed(e, [role(2600, 1, 'leader', 4)]);
    expect(e.last()).toMatchObject({ ms: 600, cause: 'stepped-down', term: 4 });
  });

  it('bounds the kept samples but keeps counting', () => {
    const e = new ElectionTracker(5);
    feed(e, [run(0), role(50, 1, 'leader', 1)]);
    for (let term = 2; term <= 21; term++) feed(e, [proc(term * 100, 1, 'killed'), role(term * 100 + 10, 1, 'leader', term)]);
    expect(e.total).toBe(20);
    expect(e.list()).toHaveLength(5);
  });
});

describe('TrafficRates', () => {
  it('turns cumulative counters into per-pair rates and survives counter resets', () => {
    const r = new TrafficRates(1500);
    const traffic = (sent: number) => ({ '2': { append: { sent, received: 0, bytesSent: 0, bytesReceived: 0 } } });
    r.update(1, 0, traffic(0));
    expect(r.rate(1, 2)).toBe(0);
    r.update(1, 1000, traffic(100));
    expect(r.rate(1, 2)).toBe(50); // smoothed: half of 100/s on the first interval
    r.update(1, 2000, traffic(200));
    expect(r.rate(1, 2)).toBe(75);
    r.update(1, 3000, traffic(5)); // restarted process: new baseline, rate unchanged
    expect(r.rate(1, 2)).toBe(75);
    expect(r.matrix([1, 2])).toEqual([[0, 75], [0, 0]]);
    // Node 1 stops reporting while others continue: its rates go stale to zero.
    r.update(2, 5000, {});
    expect(r.rate(1, 2)).toBe(0);
  });
});

describe('EventLog', () => {
  it('keeps a buffer per type so frequent events cannot evict rare ones, and filters by type and text', () => {
    const log = new EventLog({ default: 5, commit: 3 });
    const events = asShownEvents([role(1, 1, 'leader', 1), ...Array.from({ length: 50 }, (_, i) => ({ type: 'commit', t: 2 + i, node: 2, index: i }) as never), fault(60, 'apply')]);
    for (const e of events) log.append(e);
    expect(log.size).toBe(5);
    expect(log.total).toBe(52);
    expect(log.types()).toEqual(['commit', 'fault', 'role']);
    const all = log.query({ limit: 10 });
    expect(all.map((e) => e.event.type)).toEqual(['fault', 'commit', 'commit', 'commit', 'role']);
    expect(log.query({ types: new Set(['role']), limit: 10 })).toHaveLength(1);
    expect(log.query({ text: 'ISOLATE', limit: 10 }).map((e) => e.event.type)).toEqual(['fault']);
    expect(log.query({ limit: 2 })).toHaveLength(2);
  });

  it('describes every kind of event in words', () => {
    expect(describeEvent(asShownEvents([role(1, 1, 'leader', 4)])[0])).toBe('leader in term 4 (leader: node 1)');
    const pre = { ...role(1, 2, 'candidate', 4), preCandidate: true } as RunEvent;
    expect(describeEvent(asShownEvents([pre])[0])).toBe('pre-candidate (PreVote) in term 4');
    expect(describeEvent(asShownEvents([proc(1, 2, 'killed')])[0])).toBe('process killed');
    expect(describeEvent(asShownEvents([workload(1, 100, 2, 9.5)])[0])).toBe('workload: 100 ops/s, p50 2.0 ms, p99 9.5 ms (ok 20, fail 0, info 0)');
    // A scenario step shows the file's note beside what it did (the teaching scenarios).
    const step: RunEvent = { t: 5, node: null, type: 'step', index: 2, line: 31, description: 'time out node 1 now', note: 'S1 campaigns in term 2 (§5.2).' };
    expect(describeEvent(asShownEvents([step])[0])).toBe('scenario step 3 (line 31): time out node 1 now — S1 campaigns in term 2 (§5.2).');
    expect(describeEvent(asShownEvents([{ ...step, note: undefined, skipped: true, description: 'no killed node to restart' }])[0])).toBe('scenario step 3 (line 31) skipped: no killed node to restart');
  });
});

describe('distribution', () => {
  it('computes histogram and CDF; percentiles are the shared nearest-rank ones', () => {
    const samples = [150, 160, 170, 300, 310, 900];
    const bins = histogram(samples, 10);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(6);
    expect(bins[0].from).toBeLessThanOrEqual(150);
    expect(bins[bins.length - 1].to).toBeGreaterThan(900);
    expect(cdf([3, 1, 2, 2])).toEqual([[1, 0.25], [2, 0.75], [3, 1]]);
    expect(percentiles(samples, [50, 99])).toEqual({ 50: 170, 99: 900 });
    expect(percentiles([], [50])).toEqual({ 50: null });
    expect(histogram([])).toEqual([]);
    expect(histogram([5, 5, 5])).toEqual([{ from: 5, to: 6, count: 3 }]);
  });
});

describe('RunModel', () => {
  it('builds lanes, terms, elections, faults and node snapshots from a run', () => {
    const m = new RunModel();
    m.ingest([
      run(0),
      proc(1, 1, 'starting'), proc(1, 2, 'starting'), proc(1, 3, 'starting'),
      proc(50, 1, 'started'), proc(50, 2, 'started'), proc(50, 3, 'started'),
      election(200, 1, 1), role(200, 1, 'candidate', 1), role(260, 1, 'leader', 1),
      role(261, 2, 'follower', 1, 1), role(262, 3, 'follower', 1, 1),
      metrics(300, 1, { role: 'leader', commit: 5, applied: 5, lastIndex: 6 }),
      fault(1000, 'apply', 'partition', 'isolate node 1', [1], isolating(1, [2, 3])),
      election(1300, 2, 2), role(1300, 2, 'candidate', 2), role(1350, 2, 'leader', 2),
      fault(2000, 'heal', 'all', 'heal'),
      role(2010, 1, 'follower', 2, 2),
      fault(2500, 'apply', 'kill', 'kill node 2', [2]), proc(2500, 2, 'killed'),
      role(2800, 3, 'candidate', 3), role(2850, 3, 'leader', 3),
    ]);
    expect(m.runId).toBe('r1');
    expect(m.nodeIds()).toEqual([1, 2, 3]);
    expect(m.elections.firstLeaderAt).toBe(260);
    expect(m.elections.list().map((s) => [s.ms, s.cause])).toEqual([[350, 'partitioned'], [350, 'killed']]);
    expect(m.timeline.segments(1).map((s) => s.state)).toEqual(['down', 'follower', 'candidate', 'leader', 'follower']);
    expect(m.timeline.current(2)).toBe('down');
    expect(m.termPoints(2)).toEqual([[261, 1], [1300, 2]]);
    expect(m.maxTerm()).toBe(3);
    expect(m.faults.toArray()).toEqual([
      { start: 1000, end: 2000, kind: 'partition', key: 'partition', description: 'isolate node 1', instant: false },
      { start: 2500, end: 2500, kind: 'kill', key: null, description: 'kill node 2', instant: true },
    ]);
    expect(m.node(1)).toMatchObject({ role: 'follower', term: 2, commit: 5, lastIndex: 6 });
    expect(m.node(2)?.process).toBe('killed');
    m.ingest([run(3000, 'stopped')]);
    expect(m.ended).toBe(true);
    expect(m.timeline.segments(3).at(-1)?.end).toBe(3000);
  });

  describe('fault shading keyed on the fault (src/contract/faultKeys.ts)', () => {
    /** A fault event with a full spec, as FaultController records it. */
    const spec = (t: number, action: 'apply' | 'heal', fault: Record<string, unknown>, description: string): RunEvent =>
      ({ type: 'fault', t, node: null, action, fault, description, nodes: [] }) as unknown as RunEvent;
    const open = (m: RunModel) => m.faults.toArray().filter((f) => f.end === null).map((f) => f.key);
    const ends = (m: RunModel) => Object.fromEntries(m.faults.toArray().map((f) => [f.description, f.end]));
    const threeFaults = [
      run(0),
      spec(100, 'apply', { kind: 'partition', preset: 'isolate-node', node: 1 }, 'isolate node 1'),
      spec(200, 'apply', { kind: 'link', from: 2, to: 3, symmetric: true, drop: 0.5 }, 'link 2<->3'),
      spec(300, 'apply', { kind: 'clock', node: 3, rate: 2 }, 'clock 3'),
    ];

    it('removing one fault ends only its own shading', () => {
      const m = new RunModel();
      m.ingest([...threeFaults, spec(400, 'heal', { kind: 'link', from: 2, to: 3, symmetric: true }, 'link 2<->3 fault removed')]);
      expect(ends(m)).toEqual({ 'isolate node 1': null, 'link 2<->3': 400, 'clock 3': null });
      m.ingest([spec(500, 'heal', { kind: 'partition' }, 'partition removed')]);
      expect(open(m)).toEqual(['clock:3']);
      m.ingest([spec(600, 'heal', { kind: 'clock', node: 3, rate: 1 }, 'node 3 clock back to normal')]);
      expect(open(m)).toEqual([]);
      expect(ends(m)).toEqual({ 'isolate node 1': 500, 'link 2<->3': 400, 'clock 3': 600 });
    });

    it('a global heal ends every shading at once', () => {
      const m = new RunModel();
      m.ingest([...threeFaults, fault(700, 'heal', 'all', 'heal network, clocks and disks')]);
      expect(ends(m)).toEqual({ 'isolate node 1': 700, 'link 2<->3': 700, 'clock 3': 700 });
    });

    it('restart and resume are heals of instants: they end no shading', () => {
      const m = new RunModel();
      m.ingest([...threeFaults, spec(800, 'heal', { kind: 'restart', node: 1 }, 'restart node 1'), spec(900, 'heal', { kind: 'resume', node: 2 }, 'resume node 2')]);
      expect(open(m)).toEqual(['partition', 'link:2-3', 'clock:3']);
    });

    it('a new fault on the same key replaces the old one; flaky rewrites every link, and removing it clears them', () => {
      const m = new RunModel();
      m.ingest([
        ...threeFaults,
        spec(1000, 'apply', { kind: 'partition', groups: [[1, 2], [3]] }, '{1,2} | {3}'),
        spec(1100, 'apply', { kind: 'link', from: 3, to: 2, delayMs: 50 }, 'link 3->2'),
      ]);
      expect(ends(m)).toMatchObject({ 'isolate node 1': 1000, 'link 2<->3': 1100, '{1,2} | {3}': null, 'link 3->2': null });
      m.ingest([spec(1200, 'apply', { kind: 'flaky', drop: 0.1 }, 'flaky network')]);
      expect(open(m)).toEqual(['clock:3', 'partition', 'flaky']);
      m.ingest([spec(1300, 'apply', { kind: 'link', from: 1, to: 2, drop: 0.9 }, 'link 1->2'), spec(1400, 'heal', { kind: 'flaky' }, 'flaky network removed')]);
      expect(open(m)).toEqual(['clock:3', 'partition']);
    });

    it('a rule that changes nothing ends the fault on its key instead of shading a new one', () => {
      const m = new RunModel();
      m.ingest([...threeFaults, spec(400, 'apply', { kind: 'clock', node: 3, rate: 1 }, 'clock 3 at 1x'), spec(500, 'apply', { kind: 'link', from: 2, to: 3, symmetric: true }, 'link 2<->3 cleared')]);
      expect(open(m)).toEqual(['partition']);
      expect(m.faults.length).toBe(3);
    });
  });

  it('starts over when a new run starts', () => {
    const m = new RunModel();
    m.ingest([run(0), role(100, 1, 'leader', 1), run(5000, 'stopped')]);
    m.ingest([run(0), role(90, 2, 'leader', 1)]);
    expect(m.nodeIds()).toEqual([2]);
    expect(m.elections.firstLeaderAt).toBe(90);
    expect(m.ended).toBe(false);
  });
});

describe('MetricsModel', () => {
  it('keeps index series, workload series and replication lag from the leader', () => {
    const m = new MetricsModel();
    m.ingest([
      run(0),
      metrics(100, 1, { role: 'leader', term: 2, commit: 10, applied: 9, lastIndex: 12, progress: { '2': { match: 12, next: 13 }, '3': { match: 4, next: 5 } } }),
      metrics(100, 2, { commit: 10, applied: 10, lastIndex: 12 }),
      workload(200, 500, 1.5, 8),
      workload(400, 700, null, null),
    ]);
    expect(m.indexPoints(1, 'commit')).toEqual([[100, 10]]);
    expect(m.indexPoints(1, 'lastIndex')).toEqual([[100, 12]]);
    expect(m.leader()).toBe(1);
    expect(m.followerLag()).toEqual([{ node: 2, match: 12, lag: 0 }, { node: 3, match: 4, lag: 8 }]);
    expect(m.workloadPoints('p99')).toEqual([[200, 8], [400, null]]);
    expect(m.totals.ok).toBe(240);
    expect(m.latestWorkload).toEqual({ t: 400, p50Ms: null, p99Ms: null, opsPerSec: 700 });
  });

  it('does not trust an old leader that stopped reporting', () => {
    const m = new MetricsModel();
    m.ingest([metrics(100, 1, { role: 'leader', term: 1 }), metrics(5000, 2, { role: 'follower', term: 1 })]);
    expect(m.leader()).toBeNull();
  });
});

describe('memory stays bounded: 9 nodes, 1,000 ops/s, 10 minutes', () => {
  it('caps every buffer however long the run', () => {
    const runModel = new RunModel();
    const metricsModel = new MetricsModel();
    const nodes = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const sent = new Map<number, number>();
    const start = [run(0), ...nodes.map((n) => proc(1, n, 'started')), role(200, 1, 'leader', 1)];
    runModel.ingest(start);
    metricsModel.ingest(start);
    let index = 0;
    let term = 1;
    // 50 ms batches, as the lab pushes them (~20 a second).
    for (let t = 250; t <= 600_000; t += 50) {
      const batch = [];
      index += 50; // 1,000 ops/s
      for (const n of nodes) {
        // Commit telemetry: one event per node per batch, plus a metrics snapshot every 100 ms.
        batch.push({ type: 'commit', t, node: n, index } as never);
        if (t % 100 === 0) {
          const s = (sent.get(n) ?? 0) + 40;
          sent.set(n, s);
          batch.push(metrics(t, n, { role: n === 1 ? 'leader' : 'follower', term, commit: index, applied: index, lastIndex: index + 5, sent: Object.fromEntries(nodes.filter((p) => p !== n).map((p) => [p, s])) }));
        }
      }
      if (t % 200 === 0) batch.push(workload(t, 1000, 2, 12));
      // A leader change every 5 seconds keeps the lanes, terms and elections busy.
      if (t % 5000 === 0) {
        term++;
        batch.push(role(t, 1, 'follower', term), role(t + 1, 1, 'leader', term));
      }
      runModel.ingest(batch);
      metricsModel.ingest(batch);
    }
    expect(runModel.now).toBe(600_001); // the last leader change lands 1 ms after the last batch
    expect(runModel.log.total).toBeGreaterThan(150_000);
    expect(runModel.log.size).toBeLessThanOrEqual(2000 + 1000 + 300 + 600 + 2000 * 3);
    for (const n of nodes) {
      expect(metricsModel.indexSeriesOf(n)!.length).toBeLessThan(metricsModel.seriesCapacity);
      expect(runModel.timeline.segments(n).length).toBeLessThanOrEqual(runModel.limits.segmentsPerNode);
      expect(runModel.termPoints(n).length).toBeLessThanOrEqual(runModel.limits.termPointsPerNode);
    }
    expect(metricsModel.workload.length).toBeLessThan(metricsModel.seriesCapacity);
    expect(runModel.elections.total).toBe(120); // one every 5 s (the first election is not a sample)
    // The newest points are still exact after all the compaction.
    expect(metricsModel.indexPoints(5, 'commit').at(-1)).toEqual([600_000, index]);
    expect(metricsModel.traffic.rate(2, 3)).toBeCloseTo(400, 0);
  });
});
