// The one executor of a step's Outputs (src/raft/execute.ts): the order of the ordering
// contract on `Outputs` (types.ts), stopping before any effect, drivers whose effects finish
// later (a promise) and drivers whose effects finish at once (no promise).
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import {
  EFFECT_ORDER,
  type EffectKind,
  type OutputSink,
  carryOut,
  carryOutNow,
  effectCount,
  effectKindAt,
  firstEffectOf,
} from '../../../src/raft/execute';
import type { Entry, Message, Outputs, Snapshot } from '../../../src/raft/types';
import { makeConfig } from './helpers';

const noop = (index: number, term: number): Entry => ({ index, term, kind: 'noop', data: new Uint8Array(0) });
const snapshot: Snapshot = { meta: { index: 3, term: 1, config: { voters: [1, 2, 3] } }, data: new Uint8Array([1]) };
const msg = (to: number): Message => ({ type: 'heartbeat', from: 1, to, term: 2, commit: 0, seq: 1 });

/** Outputs with every field set, so every effect kind appears. */
function everything(): Outputs {
  return {
    snapshot,
    truncateFrom: 4,
    entries: [noop(4, 2), noop(5, 2)],
    hardState: { term: 2, vote: 1, commit: 4 },
    messages: [msg(2), msg(3)],
    committed: [noop(4, 2)],
    results: [{ type: 'admin', id: 1 }],
    snapshotTaken: snapshot,
    compactTo: 3,
    snapshotWanted: 4,
    events: [{ type: 'commit', index: 4 }],
  };
}

const EXPECTED: EffectKind[] = [
  'saveSnapshot',
  'truncateLog',
  'appendEntries',
  'saveHardState',
  'sync',
  'restoreStateMachine',
  'acknowledge',
  'send',
  'send',
  'apply',
  'result',
  'saveTakenSnapshot',
  'compactLog',
  'takeSnapshot',
  'event',
];

/** A sink that records the kind of every effect, and lets a test make one effect slow. */
function recorder(slow?: { kind: EffectKind; promise: Promise<void> }): { sink: OutputSink; seen: EffectKind[] } {
  const seen: EffectKind[] = [];
  const sink = {} as Record<EffectKind, () => unknown>;
  for (const kind of EFFECT_ORDER) {
    sink[kind] = () => {
      seen.push(kind);
      return slow?.kind === kind ? slow.promise : undefined;
    };
  }
  return { sink: sink as unknown as OutputSink, seen };
}

describe('carryOut: the ordering contract (types.ts, Outputs)', () => {
  it('persists (snapshot, log change, hard state), syncs, then acknowledges, sends, applies, answers (§5.1-§5.3)', () => {
    const { sink, seen } = recorder();
    const out = everything();
    expect(carryOutNow(out, sink)).toBe(EXPECTED.length);
    expect(seen).toEqual(EXPECTED);
    expect(effectCount(out)).toBe(EXPECTED.length);
    EXPECTED.forEach((kind, k) => expect(effectKindAt(out, k)).toBe(kind));
    expect(effectKindAt(out, EXPECTED.length)).toBeUndefined();
    expect(firstEffectOf(out, 'send')).toBe(7);
  });

  it('hands each effect its part of the outputs, the acknowledgement naming the last entry', () => {
    const calls: string[] = [];
    const sink: OutputSink = {
      saveSnapshot: (s) => void calls.push(`snapshot ${s.meta.index}`),
      truncateLog: (from) => void calls.push(`truncate ${from}`),
      appendEntries: (es) => void calls.push(`append ${es.map((e) => e.index).join(',')}`),
      saveHardState: (hs) => void calls.push(`hardState ${hs.term}/${hs.vote}/${hs.commit}`),
      sync: () => void calls.push('sync'),
      restoreStateMachine: (s) => void calls.push(`restore ${s.meta.index}`),
      acknowledge: (index, term) => void calls.push(`ack ${index}/${term}`),
      send: (m) => void calls.push(`send ${m.to}`),
      apply: (es) => void calls.push(`apply ${es.map((e) => e.index).join(',')}`),
      result: (r) => void calls.push(`result ${r.id}`),
      saveTakenSnapshot: (s) => void calls.push(`taken ${s.meta.index}`),
      compactLog: (i) => void calls.push(`compact ${i}`),
      takeSnapshot: (i) => void calls.push(`want ${i}`),
      event: (e) => void calls.push(`event ${e.type}`),
    };
    carryOutNow(everything(), sink);
    expect(calls).toEqual([
      'snapshot 3',
      'truncate 4',
      'append 4,5',
      'hardState 2/1/4',
      'sync',
      'restore 3',
      'ack 5/2',
      'send 2',
      'send 3',
      'apply 4',
      'result 1',
      'taken 3',
      'compact 3',
      'want 4',
      'event commit',
    ]);
  });

  it('has no sync barrier (and no acknowledgement) for a step that writes nothing', () => {
    const { sink, seen } = recorder();
    const out: Outputs = { entries: [], messages: [msg(2)], committed: [], results: [], events: [] };
    expect(carryOutNow(out, sink)).toBe(1);
    expect(seen).toEqual(['send']);
  });

  it('stops before effect k, for every k: what a crash there leaves undone', () => {
    for (let k = 0; k <= EXPECTED.length; k++) {
      const { sink, seen } = recorder();
      expect(carryOutNow(everything(), sink, k)).toBe(k);
      expect(seen).toEqual(EXPECTED.slice(0, k));
    }
  });
});

describe('carryOut: drivers whose effects finish later', () => {
  it('sends nothing before a slow sync has finished, then carries on (§5.1: persist before send)', async () => {
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const { sink, seen } = recorder({ kind: 'sync', promise: slow });
    const done = carryOut(everything(), sink);
    expect(done).toBeInstanceOf(Promise);
    await Promise.resolve();
    expect(seen).toEqual(EXPECTED.slice(0, 5));
    finish();
    await expect(done).resolves.toBe(EXPECTED.length);
    expect(seen).toEqual(EXPECTED);
  });

  it('returns a plain number, no promise, when every effect finished at once', () => {
    const { sink } = recorder();
    expect(typeof carryOut(everything(), sink)).toBe('number');
  });

  it('ends the walk after a slow effect when the driver has halted meanwhile', async () => {
    const { sink, seen } = recorder({ kind: 'sync', promise: Promise.resolve() });
    await expect(carryOut(everything(), sink, { halted: () => true })).resolves.toBe(5);
    expect(seen).toEqual(EXPECTED.slice(0, 5));
  });

  it('passes a failed write on and does nothing after it', async () => {
    const failed = Promise.reject(new Error('disk full'));
    const { sink, seen } = recorder({ kind: 'sync', promise: failed });
    await expect(carryOut(everything(), sink)).rejects.toThrow('disk full');
    expect(seen).not.toContain('send');
  });

  it('carryOutNow refuses a sink that returns a promise: later effects would overtake it', () => {
    const { sink, seen } = recorder({ kind: 'appendEntries', promise: Promise.resolve() });
    expect(() => carryOutNow(everything(), sink)).toThrow(/appendEntries returned a promise/);
    expect(seen).not.toContain('send');
  });
});

describe('carryOut with the real core', () => {
  it('a single-voter election persists the no-op and the raised term before anything else (§5.2)', () => {
    const node = new RaftNode(makeConfig(1, [1]));
    let out: Outputs | undefined;
    for (let i = 0; i < 100 && !out?.entries.length; i++) out = node.step({ type: 'tick' });
    const { sink, seen } = recorder();
    carryOutNow(out!, sink);
    expect(seen.slice(0, 4)).toEqual(['appendEntries', 'saveHardState', 'sync', 'acknowledge']);
  });
});

describe('carryOut: rule 0, a leader replicating in parallel with its own write (thesis §10.2.1)', () => {
  const append = (to: number): Message => ({ type: 'append', from: 1, to, term: 2, prevIndex: 3, prevTerm: 2, entries: [noop(4, 2)], commit: 3, seq: 1 });
  const vote = (to: number): Message => ({ type: 'voteResp', from: 1, to, term: 2, granted: false, preVote: false } as unknown as Message);
  /** A leader's proposal step: new entries and their AppendEntries, no hard state. */
  const proposal = (): Outputs => ({ entries: [noop(4, 2)], messages: [append(2), vote(3), msg(3)], committed: [], results: [], events: [] });

  it('sends append and heartbeat messages before the entries are written, everything else after the barrier', () => {
    const calls: string[] = [];
    const { sink } = recorder();
    const s = sink as unknown as Record<string, (...a: unknown[]) => unknown>;
    s.send = (m) => void calls.push(`send ${(m as Message).type} ${(m as Message).to}`);
    s.appendEntries = () => void calls.push('append');
    s.sync = () => void calls.push('sync');
    s.acknowledge = () => void calls.push('ack');
    const out = proposal();
    carryOutNow(out, sink);
    expect(calls).toEqual(['send append 2', 'send heartbeat 3', 'append', 'sync', 'ack', 'send voteResp 3']);
    expect(effectCount(out)).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((k) => effectKindAt(out, k))).toEqual(['replicate', 'replicate', 'appendEntries', 'sync', 'acknowledge', 'send']);
    expect(firstEffectOf(out, 'replicate')).toBe(0);
    expect(firstEffectOf(out, 'send')).toBe(5);
  });

  it('a crash after the replication and before the write leaves the messages sent and nothing written', () => {
    const { sink, seen } = recorder();
    expect(carryOutNow(proposal(), sink, firstEffectOf(proposal(), 'appendEntries'))).toBe(2);
    expect(seen).toEqual(['send', 'send']);
  });

  it('never sends early when the step writes a hard state, a truncation or a snapshot: its term or vote may be new (§5.1, §5.2)', () => {
    for (const extra of [{ hardState: { term: 3, vote: 1, commit: 3 } }, { truncateFrom: 4 }, { snapshot }] as Array<Partial<Outputs>>) {
      const out = { ...proposal(), ...extra };
      const { sink, seen } = recorder();
      carryOutNow(out, sink);
      expect(seen.indexOf('send')).toBeGreaterThan(seen.indexOf('sync'));
      expect(firstEffectOf(out, 'replicate')).toBe(-1);
    }
  });

  it('waits for a slow write before acknowledging, after the replication went out', async () => {
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const { sink, seen } = recorder({ kind: 'sync', promise: slow });
    const done = carryOut(proposal(), sink);
    await Promise.resolve();
    expect(seen).toEqual(['send', 'send', 'appendEntries', 'sync']);
    finish();
    await expect(done).resolves.toBe(6);
    expect(seen).toEqual(['send', 'send', 'appendEntries', 'sync', 'acknowledge', 'send']);
  });
});
