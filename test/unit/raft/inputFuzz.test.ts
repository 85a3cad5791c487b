/**
 * Property: a node never dies of its input (issue 9, "What to build" 2). A 3-node in-memory
 * cluster (helpers.ts, which checks Election Safety and State Machine Safety on every step)
 * runs random client traffic and ticks while the fuzzer
 * - replays real messages of every type (duplicated, delayed, reordered: what a network does,
 *   so they must be taken without any error), and
 * - injects mutated ones, each mutation breaking one rule validateInput.ts enforces (bad
 *   types, terms beyond MAX_TERM, unknown or self senders, non-contiguous entries, wrong
 *   entry terms, malformed configurations, snapshot checksum and metadata, TimeoutNow not
 *   from the leader): each must be refused with RaftInputError or ignored, leave `status()`
 *   unchanged, and raise its refusal counter.
 * At the end every node's applied commands are prefixes of one another. Bounded in time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TERM, RaftInputError, crc32 } from '../../../src/raft';
import type { Entry, Message, NodeId, RefusalReason } from '../../../src/raft';
import { Network, enc } from './helpers';

const IDS = [1, 2, 3];

type Mutation = (m: Message, net: Network) => Message | null;

const set = (m: Message, patch: Record<string, unknown>): Message => ({ ...m, ...patch }) as Message;

/** Mutations that apply to any message type. */
const ANY: Mutation[] = [
  (m) => set(m, { term: Number.MAX_SAFE_INTEGER }),
  (m) => set(m, { term: MAX_TERM + 1 }),
  (m) => set(m, { term: -1 }),
  (m) => set(m, { term: 1.5 }),
  (m) => set(m, { term: '7' }),
  // An unknown sender. A leader's message from one is accepted when it may be a leader added
  // in a configuration the target has not received (validateInput.ts fromUnknownLeader), so
  // for those the mutation claims a second leader in a term the target already follows.
  (m, net) => {
    if (m.type !== 'append' && m.type !== 'heartbeat' && m.type !== 'snapshot') return set(m, { from: 99 });
    const st = net.node(m.to).status();
    return st.leader === null ? null : set(m, { from: 99, term: st.term });
  },
  (m) => set(m, { from: m.to }),
  (m) => set(m, { from: 0 }),
  (m) => set(m, { to: m.to === 1 ? 2 : 1 }),
  (m) => set(m, { type: 'bogus' }),
];

const entry = (index: number, term: number, over: Partial<Entry> = {}): Entry => ({ index, term, kind: 'command', data: enc('fuzz'), ...over });

/** Mutations per message type, each breaking one rule. */
const BY_TYPE: Partial<Record<Message['type'], Mutation[]>> = {
  vote: [
    (m) => m.type === 'vote' ? set(m, { lastLogTerm: m.term + 1 }) : null,
    (m) => set(m, { preVote: 'yes' }),
    (m) => set(m, { lastLogIndex: -3 }),
  ],
  voteResp: [(m) => set(m, { granted: 1 })],
  append: [
    (m) => m.type === 'append' ? set(m, { entries: [entry(m.prevIndex + 2, m.term)] }) : null,
    (m) => m.type === 'append' ? set(m, { entries: [entry(m.prevIndex + 1, m.term + 1)] }) : null,
    (m) => m.type === 'append' ? set(m, { entries: [entry(m.prevIndex + 1, m.term), entry(m.prevIndex + 2, m.term), entry(m.prevIndex + 2, m.term)] }) : null,
    (m) => m.type === 'append' && m.prevTerm > 0 ? set(m, { entries: [entry(m.prevIndex + 1, m.prevTerm - 1)] }) : null,
    (m) => m.type === 'append' ? set(m, { entries: [entry(m.prevIndex + 1, m.term, { kind: 'config', data: new Uint8Array(0), config: { voters: [] } })] }) : null,
    (m) => m.type === 'append' ? set(m, { entries: [entry(m.prevIndex + 1, m.term, { data: 'x' as unknown as Uint8Array })] }) : null,
    (m) => set(m, { entries: 'x' }),
    (m) => m.type === 'append' ? set(m, { prevTerm: m.term + 1 }) : null,
    (m) => set(m, { commit: -1 }),
    (m) => set(m, { seq: -1 }),
  ],
  appendResp: [(m) => set(m, { seq: 0.5 }), (m) => m.type === 'appendResp' ? set(m, { hintTerm: m.term + 1 }) : null, (m) => set(m, { success: 'no' })],
  heartbeat: [(m) => set(m, { commit: -5 }), (m) => set(m, { seq: 1.5 })],
  heartbeatResp: [(m) => set(m, { seq: -1 })],
  snapshot: [
    (m) => m.type === 'snapshot' ? set(m, { checksum: (m.checksum + 1) >>> 0 }) : null,
    (m) => {
      if (m.type !== 'snapshot' || m.snapshot.data.length === 0) return null;
      const data = m.snapshot.data.slice();
      data[0] ^= 0xff;
      return set(m, { snapshot: { ...m.snapshot, data } });
    },
    (m) => m.type === 'snapshot' ? set(m, { snapshot: { ...m.snapshot, meta: { ...m.snapshot.meta, index: 0 } } }) : null,
    (m) => m.type === 'snapshot' ? set(m, { snapshot: { ...m.snapshot, meta: { ...m.snapshot.meta, term: m.term + 1 } } }) : null,
    (m) => m.type === 'snapshot' ? set(m, { snapshot: { ...m.snapshot, meta: { ...m.snapshot.meta, config: { voters: [2, 2] } } } }) : null,
  ],
  timeoutNow: [
    // From a member that is not the target's leader, in the target's current term.
    (m, net) => {
      const st = net.node(m.to).status();
      const from = IDS.find((id) => id !== m.to && id !== st.leader);
      return from === undefined ? null : set(m, { from, term: st.term });
    },
  ],
};

/** What the runs exercised: message types mutated, and refusal reasons seen. */
const seen = { types: new Set<string>(), reasons: new Map<string, number>() };

const totalRefused = (net: Network, id: NodeId): number => Object.values(net.node(id).counters().refused).reduce((a, b) => a + b, 0);

type Action =
  | { kind: 'tick'; n: number }
  | { kind: 'propose'; text: string }
  | { kind: 'replay'; pick: number }
  | { kind: 'mutate'; pick: number; mutation: number; typed: boolean }
  | { kind: 'transfer'; to: number }
  | { kind: 'cut'; a: number; b: number }
  | { kind: 'heal' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), n: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('propose' as const), text: fc.string({ maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('mutate' as const), pick: fc.nat(), mutation: fc.nat(), typed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), a: fc.constantFrom(...IDS), b: fc.constantFrom(...IDS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), to: fc.constantFrom(...IDS) }) },
);

/**
 * Well-formed bases for the types a short run seldom sends (InstallSnapshot, TimeoutNow), so
 * their mutations are tried too: addressed to a node, from another member, in its term.
 */
function syntheticBase(net: Network, pick: number): Message {
  const to = IDS[pick % IDS.length];
  const st = net.node(to).status();
  const from = IDS.find((id) => id !== to)!;
  if ((pick >> 2) % 2 === 0) return { type: 'timeoutNow', from: st.leader ?? from, to, term: st.term };
  const data = enc(`snapshot for ${to}`);
  return {
    type: 'snapshot',
    from,
    to,
    term: Math.max(st.term, 1),
    snapshot: { meta: { index: st.commit + 1, term: Math.max(st.term, 1), config: { voters: IDS } }, data },
    checksum: crc32(data),
  };
}

function run(actions: Action[], seed: number, preVote: boolean): { refusals: number; replays: number } {
  const net = new Network(IDS, { seed, preVote, checkQuorum: preVote, snapshotThreshold: 4 }, { autoSnapshot: true });
  let refusals = 0;
  let replays = 0;
  for (const a of actions) {
    switch (a.kind) {
      case 'tick':
        net.tickAll(a.n);
        break;
      case 'propose': {
        const leader = net.leader();
        if (leader !== null) net.propose(leader, a.text);
        break;
      }
      case 'cut':
        if (a.a !== a.b) net.cut(a.a, [a.b]);
        break;
      case 'heal':
        net.heal();
        break;
      case 'transfer': {
        const leader = net.leader();
        if (leader !== null) {
          net.step(leader, { type: 'admin', id: net.nextRequestId(), request: { type: 'transferLeader', to: a.to } });
          net.deliverAll();
        }
        break;
      }
      case 'replay': {
        if (net.sent.length === 0) break;
        const m = net.sent[a.pick % net.sent.length];
        // A real message again, late: a network may do this, so no error of any kind is allowed.
        net.step(m.to, { type: 'message', message: m });
        net.deliverAll();
        replays++;
        break;
      }
      case 'mutate': {
        const synthetic = a.pick % 5 === 0 || net.sent.length === 0;
        const base = synthetic ? syntheticBase(net, a.pick) : net.sent[a.pick % net.sent.length];
        const pool = a.typed ? BY_TYPE[base.type] ?? ANY : ANY;
        const forged = pool[a.mutation % pool.length](base, net);
        if (forged === null) break;
        const target = base.to;
        const before = net.node(target).status();
        const refusedBefore = totalRefused(net, target);
        let thrown: unknown = null;
        try {
          const out = net.step(target, { type: 'message', message: forged });
          // Not thrown: it must have been ignored, with nothing to carry out.
          expect(out.messages.length + out.entries.length + out.events.length + out.results.length).toBe(0);
          expect(out.hardState).toBeUndefined();
          expect(out.snapshot).toBeUndefined();
        } catch (e) {
          thrown = e;
          if (!(e instanceof RaftInputError)) throw e;
        }
        expect(net.node(target).status()).toEqual(before);
        expect(totalRefused(net, target)).toBe(refusedBefore + 1);
        if (thrown !== null) expect(Object.keys(net.node(target).counters().refused)).toContain((thrown as RaftInputError).reason as RefusalReason);
        refusals++;
        seen.types.add(base.type);
        const counts = net.node(target).counters().refused;
        for (const [reason, n] of Object.entries(counts)) if (n > 0) seen.reasons.set(reason, Math.max(seen.reasons.get(reason) ?? 0, n));
        break;
      }
    }
  }
  // Committed prefixes agree (the harness's safety checker, src/sim/safetyChecker.ts, also
  // checked each index as it was applied).
  const applied = IDS.map((id) => net.appliedCommands(id));
  for (const x of applied) for (const y of applied) {
    const n = Math.min(x.length, y.length);
    expect(x.slice(0, n)).toEqual(y.slice(0, n));
  }
  return { refusals, replays };
}

describe('fuzzing the core with replayed and mutated messages of every type', () => {
  it('never throws anything but RaftInputError, refuses without changing state, counts, and stays safe', () => {
    let refusals = 0;
    let replays = 0;
    const started = Date.now();
    fc.assert(
      fc.property(fc.array(action, { minLength: 20, maxLength: 120 }), fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), (actions, seed, preVote) => {
        const r = run(actions, seed, preVote);
        refusals += r.refusals;
        replays += r.replays;
      }),
      { numRuns: 400, interruptAfterTimeLimit: 4_000 },
    );
    // The time bound may cut the runs short, but never to nothing.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(refusals).toBeGreaterThan(100);
    expect(replays).toBeGreaterThan(50);
  });

  it('mutated messages of every type, and met most refusal reasons (after the run above)', () => {
    console.log(`fuzz: mutated types ${[...seen.types].sort().join(' ')}; reasons ${[...seen.reasons.keys()].sort().join(' ')}`);
    for (const t of ['vote', 'voteResp', 'append', 'appendResp', 'heartbeat', 'heartbeatResp', 'snapshot', 'timeoutNow']) expect(seen.types).toContain(t);
    const reasons = ['malformed', 'term_out_of_range', 'unknown_sender', 'entries_not_contiguous', 'entry_term_invalid', 'config_entry_invalid'];
    reasons.push('snapshot_invalid', 'snapshot_checksum', 'timeout_now_not_from_leader');
    for (const r of reasons) {
      expect(seen.reasons.has(r), r).toBe(true);
    }
  });
});
