// The simulator's building blocks: RNG, disk semantics, network faults, partition shapes,
// trace ring buffer, CLI arguments.
import { describe, expect, it } from 'vitest';
import type { Entry, Message } from '../../../src/raft/types';
import { USAGE, UsageError, parseSimArgs } from '../../../src/sim/args';
import { SimDisk, StorageContractError } from '../../../src/sim/disk';
import { SimNetwork } from '../../../src/sim/network';
import { makePartition } from '../../../src/sim/partitions';
import { SeededRng, deriveSeed } from '../../../src/sim/rng';
import { TraceRecorder } from '../../../src/sim/trace';

const enc = new TextEncoder();
const entry = (index: number, term: number, text = `c${index}`): Entry => ({ index, term, kind: 'command', data: enc.encode(text) });
const hb = (from: number, to: number): Message => ({ type: 'heartbeat', from, to, term: 1, commit: 0, seq: 1 });

describe('SeededRng', () => {
  it('replays the same sequence for a seed and differs across seeds and salts', () => {
    const a = new SeededRng(7);
    const b = new SeededRng(7);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(new SeededRng(8).next()).not.toBe(seqA[0]);
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 3));
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
  });

  it('keeps ranges in bounds', () => {
    const rng = new SeededRng(1);
    for (let i = 0; i < 1000; i++) {
      const v = rng.range(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
    }
    expect(() => rng.pick([])).toThrow('empty');
  });
});

describe('SimDisk', () => {
  it('appends, truncates and replaces an overlapped tail', () => {
    const disk = new SimDisk();
    expect(disk.written).toBe(false);
    disk.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
    disk.truncateFrom(3);
    expect(disk.lastIndex).toBe(2);
    disk.append([entry(2, 2), entry(3, 2)]);
    expect(disk.entries().map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/2', '3/2']);
    expect(disk.written).toBe(true);
  });

  it('rejects a gap or an append inside the snapshot', () => {
    const disk = new SimDisk();
    disk.append([entry(1, 1)]);
    expect(() => disk.append([entry(3, 1)])).toThrow(StorageContractError);
    disk.saveLocalSnapshot({ meta: { index: 1, term: 1, config: { voters: [1] } }, data: new Uint8Array() });
    expect(() => disk.append([entry(1, 1)])).toThrow(/inside the snapshot/);
    expect(() => disk.truncateFrom(1)).toThrow(/reaches into the snapshot/);
  });

  it('keeps the log suffix after a received snapshot only when the log holds its last entry (Figure 13)', () => {
    const matching = new SimDisk();
    matching.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
    matching.saveSnapshot({ meta: { index: 2, term: 1, config: { voters: [1] } }, data: new Uint8Array() });
    expect(matching.entries().map((e) => e.index)).toEqual([3]);
    const conflicting = new SimDisk();
    conflicting.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
    conflicting.saveSnapshot({ meta: { index: 2, term: 2, config: { voters: [1] } }, data: new Uint8Array() });
    expect(conflicting.entries()).toEqual([]);
    expect(conflicting.lastIndex).toBe(2);
    expect(conflicting.lastTerm).toBe(2);
  });

  it('loads what a restarted node recovers: hard state, snapshot, entries after it', () => {
    const disk = new SimDisk();
    disk.append([entry(1, 1), entry(2, 1)]);
    disk.saveHardState({ term: 3, vote: 2, commit: 2 });
    disk.saveLocalSnapshot({ meta: { index: 1, term: 1, config: { voters: [1, 2] } }, data: enc.encode('sm') });
    const state = disk.load();
    expect(state.hardState).toEqual({ term: 3, vote: 2, commit: 2 });
    expect(state.snapshot?.meta.index).toBe(1);
    expect(state.entries.map((e) => e.index)).toEqual([2]);
    expect(() => disk.compactTo(2)).toThrow(/beyond the durable snapshot/);
  });
});

describe('SimNetwork', () => {
  const trace = new TraceRecorder(false);

  it('delivers after the latency, in send order without reordering', () => {
    const net = new SimNetwork(new SeededRng(1), trace);
    net.faults = { dropRate: 0, duplicateRate: 0, delayRate: 0, maxExtraDelay: 0, maxLatency: 0, reorder: 'none' };
    net.send(hb(1, 2), 5);
    net.send(hb(1, 3), 5);
    expect(net.takeDue(4)).toBeUndefined();
    expect(net.takeDue(5)?.map((m) => m.to)).toEqual([2, 3]);
    expect(net.pending).toBe(0);
  });

  it('drops and duplicates at the configured rates', () => {
    const net = new SimNetwork(new SeededRng(2), trace);
    net.faults = { dropRate: 0.3, duplicateRate: 0.2, delayRate: 0, maxExtraDelay: 0, maxLatency: 0, reorder: 'none' };
    for (let i = 0; i < 2000; i++) net.send(hb(1, 2), 0);
    expect(net.stats.dropped).toBeGreaterThan(450);
    expect(net.stats.dropped).toBeLessThan(750);
    expect(net.stats.duplicated).toBeGreaterThan(200);
    expect(net.takeDue(0)!.length).toBe(2000 - net.stats.dropped + net.stats.duplicated);
  });

  it('blocks directed links until healed', () => {
    const net = new SimNetwork(new SeededRng(3), trace);
    net.block(1, 2);
    expect(net.canReach(1, 2)).toBe(false);
    expect(net.canReach(2, 1)).toBe(true);
    expect(net.describeBlocked()).toBe('1->2');
    net.heal();
    expect(net.canReach(1, 2)).toBe(true);
  });
});

describe('partition shapes', () => {
  const nodes = [1, 2, 3, 4, 5];
  const blocked = (links: Array<[number, number]>) => new Set(links.map(([a, b]) => `${a}-${b}`));

  it('isolate cuts one node off both ways', () => {
    const p = makePartition('isolate', nodes, new SeededRng(1), 3);
    const b = blocked(p.links);
    for (const n of [1, 2, 4, 5]) {
      expect(b.has(`3-${n}`) && b.has(`${n}-3`)).toBe(true);
    }
    expect(b.has('1-2')).toBe(false);
  });

  it('bridge leaves one node connected to both halves, which cannot talk to each other', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = makePartition('bridge', nodes, new SeededRng(seed));
      const b = blocked(p.links);
      const bridge = Number(/^bridge (\d+)/.exec(p.description)![1]);
      for (const n of nodes) if (n !== bridge) expect(b.has(`${bridge}-${n}`) || b.has(`${n}-${bridge}`)).toBe(false);
      expect(p.links.length).toBeGreaterThan(0);
    }
  });

  it('halves and groups leave no node connected across groups', () => {
    for (const shape of ['halves', 'groups'] as const) {
      const p = makePartition(shape, nodes, new SeededRng(4));
      const b = blocked(p.links);
      for (const [x, y] of p.links) expect(b.has(`${y}-${x}`)).toBe(true); // symmetric
    }
  });

  it('oneWay blocks one direction only', () => {
    const p = makePartition('oneWay', nodes, new SeededRng(5));
    const b = blocked(p.links);
    for (const [x, y] of p.links) expect(b.has(`${y}-${x}`)).toBe(false);
    expect(p.links.length).toBe(4);
  });
});

describe('TraceRecorder', () => {
  it('keeps the last K lines, oldest first, and nothing when disabled', () => {
    const t = new TraceRecorder(true, 3);
    for (let i = 1; i <= 5; i++) t.record(i, `line ${i}`);
    expect(t.tail()).toEqual(['t=3 line 3', 't=4 line 4', 't=5 line 5']);
    const off = new TraceRecorder(false, 3);
    off.record(1, 'x');
    expect(off.tail()).toEqual([]);
  });
});

describe('sim CLI arguments', () => {
  it('defaults to seeds 1..20 on two workers', () => {
    const o = parseSimArgs([], 2);
    expect(o.seeds).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(o.workers).toBe(2);
    expect(o.verbose).toBe(false);
  });

  it('parses --seeds, --seed, --nodes, --steps, --verbose, --flag=value', () => {
    expect(parseSimArgs(['--seeds', '200'], 2).seeds.length).toBe(200);
    const one = parseSimArgs(['--seed', '42', '--nodes=5', '--steps', '100', '--verbose'], 2);
    expect(one).toMatchObject({ seeds: [42], nodes: 5, steps: 100, verbose: true, workers: 1 });
  });

  it('rejects bad input with a clear message', () => {
    expect(() => parseSimArgs(['--seeds', 'x'], 2)).toThrow(UsageError);
    expect(() => parseSimArgs(['--seeds', '0'], 2)).toThrow(/--seeds must be an integer/);
    expect(() => parseSimArgs(['--nodes', '10'], 2)).toThrow(/--nodes/);
    expect(() => parseSimArgs(['--bogus'], 2)).toThrow(/unknown option '--bogus'/);
    expect(() => parseSimArgs(['--seed', '1', '--seeds', '2'], 2)).toThrow(/not both/);
    expect(() => parseSimArgs(['--seed'], 2)).toThrow(/needs a value/);
    expect(USAGE).toContain('--seeds N');
  });
});
