/**
 * The core's boundary: every input is checked BEFORE it touches any state, so a node never
 * dies of its input (issue 9). Input that no correct caller or peer produces throws
 * `RaftInputError`; input a correct but out-of-date peer can send (a removed server's vote
 * request, §6; a TimeoutNow that outlived its leader) is ignored. Both are counted per reason
 * in `Counters.refused` (errors.ts lists the reasons).
 *
 * Rules for messages, beyond types and ranges (limits.ts):
 * - the sender is a member of some configuration this node knows (any sender while it knows
 *   none: a joining node learns its configuration from the leader), or a leader this node
 *   cannot know yet: see fromUnknownLeader;
 * - AppendEntries entries are contiguous (index = prevIndex + 1 + i), their terms
 *   non-decreasing from prevTerm and at most the message term (§5.3), configuration entries
 *   well formed (§6), and none would overwrite a committed entry (§5.4 Leader Completeness);
 * - InstallSnapshot metadata is sane (index >= 1, 1 <= term <= message term, a well-formed
 *   configuration, not older than our committed log) and its data matches the checksum (§7);
 * - TimeoutNow comes from the current leader of the current term (thesis §3.10), so a
 *   forged one cannot force an election past PreVote and CheckQuorum.
 */
import { crc32 } from './checksum';
import { RaftInputError } from './errors';
import { MAX_INDEX, MAX_SEQ, MAX_TERM } from './limits';
import type { RaftState } from './state';
import type { AppendRequest, ClusterConfig, Input, Message, RefusalReason, SnapshotRequest } from './types';

/** The input may be stepped ('accept') or must be dropped without any effect ('ignore'). */
export type Verdict = 'accept' | 'ignore';

const ENTRY_KINDS: ReadonlySet<unknown> = new Set(['command', 'noop', 'config']);

/** Checks `input` against the node's state; throws `RaftInputError` or returns the verdict. */
export function validateInput(s: RaftState, input: Input): Verdict {
  if (input === null || typeof input !== 'object') refuse(s, 'caller_contract', 'input must be an object');
  switch (input.type) {
    case 'tick':
      return 'accept';
    case 'message':
      return validateMessage(s, input.message);
    case 'propose':
    case 'read':
    case 'admin':
      if (typeof input.id !== 'number') refuse(s, 'caller_contract', `${input.type} input needs a numeric id`);
      return 'accept';
    case 'persisted':
      if (!Number.isSafeInteger(input.index) || !Number.isSafeInteger(input.term)) {
        refuse(s, 'caller_contract', 'persisted input needs integer index and term');
      }
      return 'accept';
    case 'snapshotTaken': {
      const { index, data } = input;
      if (!Number.isSafeInteger(index) || index < 0) {
        refuse(s, 'caller_contract', `snapshotTaken index must be an integer >= 0 (got ${String(index)})`);
      }
      if (!(data instanceof Uint8Array)) refuse(s, 'caller_contract', 'snapshotTaken data must be a Uint8Array');
      if (index > s.applied) {
        refuse(s, 'caller_contract', `snapshotTaken at ${index}, but only entries up to ${s.applied} were handed out to apply`);
      }
      return 'accept';
    }
    default:
      refuse(s, 'caller_contract', `unknown input type ${String((input as { type?: unknown }).type)}`);
  }
}

function refuse(s: RaftState, reason: RefusalReason, message: string): never {
  s.counters.refused[reason]++;
  throw new RaftInputError(message, reason);
}

function ignore(s: RaftState, reason: RefusalReason): Verdict {
  s.counters.refused[reason]++;
  return 'ignore';
}

const isUint = (v: unknown, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isNodeId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

function validateMessage(s: RaftState, m: Message): Verdict {
  if (m === null || typeof m !== 'object') refuse(s, 'malformed', 'message input without a message');
  if (m.to !== s.id) refuse(s, 'malformed', `message for node ${String(m.to)} delivered to node ${s.id}`);
  if (!isNodeId(m.from) || m.from === s.id) refuse(s, 'malformed', `message from invalid sender ${String(m.from)}`);
  if (!Number.isSafeInteger(m.term) || m.term < 0) refuse(s, 'malformed', `message with invalid term ${String(m.term)}`);
  if (m.term > MAX_TERM) refuse(s, 'term_out_of_range', `message term ${m.term} is above the bound ${MAX_TERM}`);
  checkShape(s, m);
  if (!s.configs.knows(m.from) && !s.configs.isEmpty() && !fromUnknownLeader(s, m)) return ignore(s, 'unknown_sender');
  if (m.type === 'timeoutNow' && m.term >= s.term && !(m.term === s.term && s.role === 'follower' && s.leader === m.from)) {
    return ignore(s, 'timeout_now_not_from_leader');
  }
  if (m.type === 'append' && m.term >= s.term) checkNoCommittedConflict(s, m);
  return 'accept';
}

/**
 * A leader's message (AppendEntries, heartbeat, InstallSnapshot) from a sender no configuration
 * in our log names, that may still be legitimate: a node that fell behind (down or cut off
 * during later changes) is a voter of a configuration it has not received yet, led by a server
 * added in it (§6: servers learn configurations from the leader's log; thesis §4.2.1 learners
 * promoted later are such servers). Refusing it would leave the node a candidate forever
 * (the simulator found this: seeds 16, 77, 116, 174 of 200 before). Let it through, except
 * when it claims to lead a term in which we already follow (or are) another leader: by
 * Election Safety (§5.2) that can only be a forgery. An older term is harmless and must get
 * its answer (node.ts answers a stale leader with our term, so a leader that cannot know us
 * still learns it is stale; etcd raft does the same under CheckQuorum).
 * (Forged frames from other processes are refused first at the transport: docs/security.md.)
 */
function fromUnknownLeader(s: RaftState, m: Message): boolean {
  if (m.type !== 'append' && m.type !== 'heartbeat' && m.type !== 'snapshot') return false;
  return m.term !== s.term || s.leader === null || s.leader === m.from;
}

/** Field types and ranges of each message type; nothing here depends on the node's state. */
function bad(s: RaftState, m: Message, field: string, value: unknown): never {
  return refuse(s, 'malformed', `${m.type} ${field} is invalid (${String(value)})`);
}

function checkShape(s: RaftState, m: Message): void {
  switch (m.type) {
    case 'vote':
      if (!isUint(m.lastLogIndex, MAX_INDEX)) bad(s, m, 'lastLogIndex', m.lastLogIndex);
      if (!isUint(m.lastLogTerm, MAX_TERM)) bad(s, m, 'lastLogTerm', m.lastLogTerm);
      if (m.lastLogTerm > m.term) refuse(s, 'entry_term_invalid', `vote lastLogTerm ${m.lastLogTerm} is above the message term ${m.term}`);
      if (typeof m.preVote !== 'boolean') bad(s, m, 'preVote', m.preVote);
      if (typeof m.transfer !== 'boolean') bad(s, m, 'transfer', m.transfer);
      return;
    case 'voteResp':
      if (typeof m.granted !== 'boolean') bad(s, m, 'granted', m.granted);
      if (typeof m.preVote !== 'boolean') bad(s, m, 'preVote', m.preVote);
      return;
    case 'append':
      checkAppendShape(s, m);
      return;
    case 'appendResp':
      if (typeof m.success !== 'boolean') bad(s, m, 'success', m.success);
      if (!isUint(m.matchIndex, MAX_INDEX)) bad(s, m, 'matchIndex', m.matchIndex);
      if (!isUint(m.rejectIndex, MAX_INDEX)) bad(s, m, 'rejectIndex', m.rejectIndex);
      if (!isUint(m.hintIndex, MAX_INDEX + 1)) bad(s, m, 'hintIndex', m.hintIndex);
      if (!isUint(m.hintTerm, MAX_TERM)) bad(s, m, 'hintTerm', m.hintTerm);
      if (m.hintTerm > m.term) refuse(s, 'entry_term_invalid', `appendResp hintTerm ${m.hintTerm} is above the message term ${m.term}`);
      if (!isUint(m.seq, MAX_SEQ)) bad(s, m, 'seq', m.seq);
      return;
    case 'heartbeat':
      if (!isUint(m.commit, MAX_INDEX)) bad(s, m, 'commit', m.commit);
      if (!isUint(m.seq, MAX_SEQ)) bad(s, m, 'seq', m.seq);
      return;
    case 'heartbeatResp':
      if (!isUint(m.seq, MAX_SEQ)) bad(s, m, 'seq', m.seq);
      return;
    case 'snapshot':
      checkSnapshotShape(s, m);
      return;
    case 'timeoutNow':
      return;
    default:
      refuse(s, 'malformed', `unknown message type ${String((m as { type?: unknown }).type)}`);
  }
}

function checkAppendShape(s: RaftState, m: AppendRequest): void {
  if (!isUint(m.prevIndex, MAX_INDEX)) refuse(s, 'malformed', `append prevIndex is invalid (${String(m.prevIndex)})`);
  if (!isUint(m.prevTerm, MAX_TERM)) refuse(s, 'malformed', `append prevTerm is invalid (${String(m.prevTerm)})`);
  if (!isUint(m.commit, MAX_INDEX)) refuse(s, 'malformed', `append commit is invalid (${String(m.commit)})`);
  if (m.seq !== undefined && !isUint(m.seq, MAX_SEQ)) refuse(s, 'malformed', `append seq is invalid (${String(m.seq)})`);
  if (m.prevTerm > m.term) refuse(s, 'entry_term_invalid', `append prevTerm ${m.prevTerm} is above the message term ${m.term}`);
  const entries = m.entries;
  if (!Array.isArray(entries)) refuse(s, 'malformed', 'append entries must be an array');
  if (m.prevIndex + entries.length > MAX_INDEX) refuse(s, 'malformed', `append reaches beyond index ${MAX_INDEX}`);
  let prevTerm = m.prevTerm;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e === null || typeof e !== 'object') refuse(s, 'malformed', `append entry ${i} is not an entry`);
    if (e.index !== m.prevIndex + 1 + i) {
      refuse(s, 'entries_not_contiguous', `append entry ${i} has index ${String(e.index)}, expected ${m.prevIndex + 1 + i}`);
    }
    if (!Number.isSafeInteger(e.term) || e.term < prevTerm || e.term > m.term) {
      refuse(s, 'entry_term_invalid', `append entry ${e.index} has term ${String(e.term)}, outside [${prevTerm}, ${m.term}]`);
    }
    if (!ENTRY_KINDS.has(e.kind)) refuse(s, 'malformed', `append entry ${e.index} has unknown kind ${String(e.kind)}`);
    if (!(e.data instanceof Uint8Array)) refuse(s, 'malformed', `append entry ${e.index} data is not bytes`);
    if (e.kind === 'config') {
      const problem = configProblem(e.config);
      if (problem !== null) refuse(s, 'config_entry_invalid', `append entry ${e.index}: ${problem}`);
    }
    prevTerm = e.term;
  }
}

function checkSnapshotShape(s: RaftState, m: SnapshotRequest): void {
  const snap = m.snapshot;
  if (snap === null || typeof snap !== 'object' || snap.meta === null || typeof snap.meta !== 'object') {
    refuse(s, 'malformed', 'snapshot message without a snapshot');
  }
  const meta = snap.meta;
  if (!isUint(meta.index, MAX_INDEX) || meta.index < 1) refuse(s, 'snapshot_invalid', `snapshot index ${String(meta.index)} is not in [1, ${MAX_INDEX}]`);
  if (!Number.isSafeInteger(meta.term) || meta.term < 1 || meta.term > m.term) {
    refuse(s, 'snapshot_invalid', `snapshot term ${String(meta.term)} is not in [1, ${m.term}]`);
  }
  const problem = configProblem(meta.config);
  if (problem !== null) refuse(s, 'config_entry_invalid', `snapshot configuration: ${problem}`);
  if (!(snap.data instanceof Uint8Array)) refuse(s, 'malformed', 'snapshot data is not bytes');
  if (!isUint(m.checksum, 0xffffffff)) refuse(s, 'malformed', `snapshot checksum is invalid (${String(m.checksum)})`);
  // Terms never decrease along a log: a snapshot replacing our committed prefix cannot end in an older term.
  if (meta.index > s.commit && s.log.term(s.commit) > meta.term) {
    refuse(s, 'snapshot_invalid', `snapshot ${meta.index}/${meta.term} is older than our committed entry ${s.commit}/${s.log.term(s.commit)}`);
  }
  const sum = crc32(snap.data);
  if (sum !== m.checksum) refuse(s, 'snapshot_checksum', `snapshot data checksum ${sum} does not match ${m.checksum}`);
}

/** Why `config` is not a well-formed configuration (§6), or null. */
function configProblem(config: ClusterConfig | undefined): string | null {
  if (config === null || typeof config !== 'object') return 'no configuration';
  const voters = idsProblem(config.voters, 'voters');
  if (voters !== null) return voters;
  if (config.voters.length === 0) return 'voters is empty';
  if (config.outgoing !== undefined) {
    const outgoing = idsProblem(config.outgoing, 'outgoing');
    if (outgoing !== null) return outgoing;
  }
  if (config.learners !== undefined) {
    const learners = idsProblem(config.learners, 'learners');
    if (learners !== null) return learners;
    // thesis §4.2.1: a learner is a non-voting member, so never also a voter of either half.
    const both = config.learners.find((l) => config.voters.includes(l) || (config.outgoing?.includes(l) ?? false));
    if (both !== undefined) return `node ${both} is both a learner and a voter`;
  }
  return null;
}

function idsProblem(ids: unknown, name: string): string | null {
  if (!Array.isArray(ids)) return `${name} is not an array`;
  const seen = new Set<number>();
  for (const id of ids) {
    if (!isNodeId(id)) return `${name} holds ${String(id)}, not a node id`;
    if (seen.has(id)) return `${name} lists node ${id} twice`;
    seen.add(id);
  }
  return null;
}

/** Would this AppendEntries overwrite a committed entry? Mirrors handleAppendRequest (appendEntries.ts) without changing anything. */
function checkNoCommittedConflict(s: RaftState, m: AppendRequest): void {
  const entries = m.entries;
  if (entries.length === 0) return;
  let prevIndex = m.prevIndex;
  let prevTerm = m.prevTerm;
  let start = 0;
  const snapIndex = s.log.snapshotIndex;
  if (prevIndex < snapIndex) {
    const skip = snapIndex - prevIndex;
    if (entries.length <= skip) return;
    prevTerm = entries[skip - 1].term;
    prevIndex = snapIndex;
    start = skip;
  }
  if (!s.log.matchTerm(prevIndex, prevTerm)) return; // rejected by the consistency check
  for (let i = start; i < entries.length; i++) {
    const e = entries[i];
    if (s.log.matchTerm(e.index, e.term)) continue;
    if (e.index <= s.commit) {
      refuse(s, 'conflicts_committed', `append entry ${e.index}/${e.term} would overwrite committed entry ${e.index}/${s.log.term(e.index)} (commit ${s.commit})`);
    }
    return;
  }
}
