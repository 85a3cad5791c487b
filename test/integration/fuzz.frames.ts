/**
 * Random and mutated Raft frames for a live node, each with the outcome the node must
 * reach (the oracle): which counter refuses it, or that it reaches the core.
 *
 * The sender is an admitted member (CURVE stops strangers before any byte is decoded,
 * test/unit/node/transport/curve.test.ts), holding member `identity`'s keys, so the frames
 * get past the handshake and exercise everything after it: the pre-decode scan, the codec,
 * the validators, the seal, the sender binding and the core.
 *
 * Families (fast-check arbitraries, sampled from a seed so a failure reproduces):
 *   valid     a batch of 1-6 random messages of every type (random fields, entries,
 *             snapshots, configs), sealed as `identity`; some speak for another node
 *             ('impersonation') or are addressed to another node ('misrouted');
 *   resealed  a valid frame with bytes flipped, cut or spliced, then sealed again, so it
 *             reaches the codec and the validators (only a member can do this);
 *   tampered  the same mutations after sealing: the seal no longer verifies ('forged'),
 *             unless the codec refuses the bytes first;
 *   bytes     random bytes.
 *
 * Safety: an admitted member that sends current-term messages can break Raft (it is a
 * Byzantine member; Raft tolerates crashes, not lies, §5). Every message that would reach
 * the core therefore carries a term below `staleBelow` (the cluster's term when the fuzz
 * starts), which Raft must ignore or answer with a refusal (§5.1: "If a server receives a
 * request with a stale term number, it rejects the request"): so the cluster's safety must
 * hold whatever those messages say. Frames whose messages would reach the core with a
 * newer term (possible after a mutation) are not sent, and counted as `skipped`.
 */
import fc from 'fast-check';
import { decodeFrame, encodeFrame, type FrameSealer } from '../../src/contract/codec';
import { LIMITS } from '../../src/contract/limits';
import type { ClusterConfig, Entry, Message, NodeId } from '../../src/raft/types';
import { sealedSender } from '../../src/wire/curveOptions';
import type { SealKeys } from '../../src/wire/frameSeal';

export type FuzzFamily = 'valid' | 'resealed' | 'tampered' | 'bytes';

/** The outcome the node must reach: a counter of its peer socket, or delivery to the core. */
export type FuzzOutcome = 'delivered' | string;

export interface FuzzFrame {
  family: FuzzFamily;
  /** The first message's type, or 'bytes' when the frame never was a batch. */
  type: string;
  bytes: Uint8Array;
  /** Counter key -> how many this frame adds (misrouted and impersonation count messages). */
  refusals: Record<string, number>;
  /** Messages that reach the core. */
  delivered: number;
}

export interface FuzzSetup {
  clusterId: string;
  /** The node the frames are for. */
  target: NodeId;
  /** The member whose keys send them. */
  identity: NodeId;
  /** Every member id (impersonated senders and misrouted receivers are drawn from these and a few strangers). */
  members: NodeId[];
  /** Messages that reach the core carry terms below this. */
  staleBelow: number;
  /** Seals as `identity` for `target`. */
  sealer: FrameSealer;
  /** The target's seal keys and the members' public keys: the oracle runs the node's own seal check. */
  targetSeals: SealKeys;
  publicKeyOf: (id: NodeId) => string | undefined;
  maxFrameBytes: number;
}

function messageArb(s: FuzzSetup): fc.Arbitrary<Message> {
  const others = [...s.members.filter((m) => m !== s.identity), 99];
  const from = fc.oneof({ weight: 6, arbitrary: fc.constant(s.identity) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
  const to = fc.oneof({ weight: 8, arbitrary: fc.constant(s.target) }, { weight: 1, arbitrary: fc.constantFrom(...s.members.filter((m) => m !== s.target), 77) });
  const term = fc.nat({ max: Math.max(0, s.staleBelow - 1) });
  const index = fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 1_000_000 }), fc.constant(2 ** 53 - 1));
  const anyTerm = fc.oneof(fc.nat({ max: 10 }), fc.nat(), fc.constant(2 ** 53 - 1));
  const ids = fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 });
  const config: fc.Arbitrary<ClusterConfig> = fc.oneof(
    ids.map((voters) => ({ voters })),
    fc.tuple(ids, ids).map(([voters, outgoing]) => ({ voters, outgoing })),
  );
  const entry: fc.Arbitrary<Entry> = fc.oneof(
    fc.record({ index, term: anyTerm, kind: fc.constant('command' as const), data: fc.uint8Array({ maxLength: 24 }) }),
    fc.record({ index, term: anyTerm, kind: fc.constant('noop' as const), data: fc.constant(new Uint8Array(0)) }),
    fc.record({ index, term: anyTerm, kind: fc.constant('config' as const), data: fc.constant(new Uint8Array(0)), config }),
  );
  const base = { from, to, term };
  return fc.oneof(
    fc.record({ type: fc.constant('vote' as const), ...base, lastLogIndex: index, lastLogTerm: anyTerm, preVote: fc.boolean(), transfer: fc.boolean() }),
    fc.record({ type: fc.constant('voteResp' as const), ...base, granted: fc.boolean(), preVote: fc.boolean() }),
    fc.record({ type: fc.constant('append' as const), ...base, prevIndex: index, prevTerm: anyTerm, entries: fc.array(entry, { maxLength: 12 }), commit: index }),
    fc.record({ type: fc.constant('appendResp' as const), ...base, success: fc.boolean(), matchIndex: index, rejectIndex: index, hintTerm: anyTerm, hintIndex: index }),
    fc.record({ type: fc.constant('heartbeat' as const), ...base, commit: index, seq: fc.nat() }),
    fc.record({ type: fc.constant('heartbeatResp' as const), ...base, seq: fc.nat() }),
    fc.record({
      type: fc.constant('snapshot' as const),
      ...base,
      snapshot: fc.record({ meta: fc.record({ index, term: anyTerm, config }), data: fc.uint8Array({ maxLength: 64 }) }),
    }),
    fc.record({ type: fc.constant('timeoutNow' as const), ...base }),
  ) as fc.Arbitrary<Message>;
}

/** Byte mutations: flips, a cut, a splice of random bytes, or a duplicated slice. */
const mutationArb = fc.oneof(
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => (b: Uint8Array) => {
    const out = b.slice();
    for (const [at, x] of flips) out[at % out.length] ^= x;
    return out;
  }),
  fc.nat().map((at) => (b: Uint8Array) => b.slice(0, at % b.length)),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, junk]) => (b: Uint8Array) => {
    const cut = at % b.length;
    return Uint8Array.from([...b.subarray(0, cut), ...junk, ...b.subarray(cut)]);
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 32 })).map(([at, len]) => (b: Uint8Array) => {
    const start = at % b.length;
    return Uint8Array.from([...b.subarray(0, start + len), ...b.subarray(start)]);
  }),
);

const SEAL_TRAILER = 22;

/** Replaces a frame's seal trailer with a fresh one over `signed` (what only a key holder can do). */
function reseal(signed: Uint8Array, sealer: FrameSealer): Uint8Array {
  const mac = sealer.mac(signed);
  const out = new Uint8Array(signed.byteLength + SEAL_TRAILER);
  out.set(signed);
  out[signed.byteLength] = 0xc4;
  out[signed.byteLength + 1] = 20;
  new DataView(out.buffer).setUint32(signed.byteLength + 2, sealer.sender);
  out.set(mac, signed.byteLength + 6);
  return out;
}

/**
 * What the node's peer socket (src/node/transport/peerTransport.ts) does with `bytes`, or
 * null when the frame would hand the core a message of a current term (not to be sent).
 */
export function oracle(bytes: Uint8Array, s: FuzzSetup): Pick<FuzzFrame, 'refusals' | 'delivered'> | null {
  const frame = decodeFrame(bytes, { clusterId: s.clusterId, kinds: ['raft'], maxBytes: s.maxFrameBytes });
  if (!frame.ok) return { refusals: { [frame.reason]: 1 }, delivered: 0 };
  const refusals: Record<string, number> = {};
  const messages = frame.body.messages;
  const addressed = messages.filter((m) => m.to === s.target);
  if (addressed.length < messages.length) refusals.misrouted = messages.length - addressed.length;
  if (addressed.length === 0) return { refusals, delivered: 0 };
  const sender = sealedSender(frame.seal, s.targetSeals, s.publicKeyOf, s.target);
  if (typeof sender !== 'number') return { refusals: { ...refusals, [sender]: 1 }, delivered: 0 };
  const impostors = addressed.filter((m) => m.from !== sender).length;
  if (impostors > 0) return { refusals: { ...refusals, impersonation: impostors }, delivered: 0 };
  if (addressed.some((m) => m.term >= s.staleBelow)) return null;
  return { refusals, delivered: addressed.length };
}

export interface FuzzBatch {
  frames: FuzzFrame[];
  /** Generated frames not sent because a message would reach the core with a current term. */
  skipped: number;
}

/** `count` frames of every family, from `seed`. */
export function fuzzFrames(s: FuzzSetup, count: number, seed: number): FuzzBatch {
  const batch = fc.array(messageArb(s), { minLength: 1, maxLength: 6 });
  const item = fc.oneof(
    { weight: 4, arbitrary: batch.map((messages) => ({ family: 'valid' as const, messages, mutate: null })) },
    { weight: 3, arbitrary: fc.tuple(batch, mutationArb).map(([messages, mutate]) => ({ family: 'resealed' as const, messages, mutate })) },
    { weight: 2, arbitrary: fc.tuple(batch, mutationArb).map(([messages, mutate]) => ({ family: 'tampered' as const, messages, mutate })) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 512 }).map((raw) => ({ family: 'bytes' as const, messages: [] as Message[], mutate: (_: Uint8Array) => raw })) },
  );
  const frames: FuzzFrame[] = [];
  let skipped = 0;
  for (const sample of fc.sample(item, { seed, numRuns: count })) {
    let bytes: Uint8Array;
    if (sample.family === 'bytes') bytes = sample.mutate(new Uint8Array(0));
    else {
      // Batches beyond the validator's message limit cannot occur here (at most 6).
      if (sample.messages.length > LIMITS.raftMessagesPerFrame) continue;
      const sealed = encodeFrame('raft', s.clusterId, sample.messages, s.sealer);
      if (sample.family === 'valid') bytes = sealed;
      else if (sample.family === 'tampered') bytes = sample.mutate!(sealed);
      else bytes = reseal(sample.mutate!(sealed.subarray(0, sealed.byteLength - SEAL_TRAILER)), s.sealer);
    }
    if (bytes.byteLength === 0) bytes = Uint8Array.of(0xc1);
    const outcome = oracle(bytes, s);
    if (outcome === null) {
      skipped++;
      continue;
    }
    frames.push({ family: sample.family, type: sample.messages[0]?.type ?? 'bytes', bytes, ...outcome });
  }
  return { frames, skipped };
}

/** Sums of the oracle's refusals and deliveries over frames. */
export function expectedTotals(frames: FuzzFrame[]): { refusals: Record<string, number>; delivered: number } {
  const refusals: Record<string, number> = {};
  let delivered = 0;
  for (const f of frames) {
    delivered += f.delivered;
    for (const [k, n] of Object.entries(f.refusals)) refusals[k] = (refusals[k] ?? 0) + n;
  }
  return { refusals, delivered };
}
