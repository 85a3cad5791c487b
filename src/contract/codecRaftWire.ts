/**
 * Wire layout of Raft messages: positional msgpack arrays instead of maps.
 *
 * Why tuples: Raft traffic is the hot path (a leader under load sends AppendEntries with
 * hundreds of entries). Decoding 100 entries as maps took ~27 µs with msgpackr, as arrays
 * ~7 µs, and the frame is 40% smaller. The layout is private to the codec: both ends
 * speak `Message` objects (src/raft/types.ts); `validateRaft.ts` turns tuples back into
 * fresh, fully checked `Message` objects.
 *
 * Layout (every message starts with [typeCode, from, to, term]):
 *   vote          [1, from, to, term, lastLogIndex, lastLogTerm, preVote, transfer]
 *   voteResp      [2, from, to, term, granted, preVote]
 *   append        [3, from, to, term, prevIndex, prevTerm, entries, commit, seq]
 *   appendResp    [4, from, to, term, success, matchIndex, rejectIndex, hintTerm, hintIndex, seq]
 *   heartbeat     [5, from, to, term, commit, seq]
 *   heartbeatResp [6, from, to, term, seq]
 *   snapshot      [7, from, to, term, metaIndex, metaTerm, config, data, checksum]
 *   timeoutNow    [8, from, to, term]
 * Entry:   [index, term, kindCode, data] or, for kind 'config', [index, term, 2, data, config]
 *
 * A batch is either `[message...]` (no ids: tests, and journals written before ids) or
 * `[incarnation, [n...], [message...]]`: each message's id is `from.incarnation.n`, the n-th
 * message the sender's core emitted in that incarnation (src/contract/debug.ts), which replay
 * recomputes (src/replay/messages.ts). The two forms differ in their first element: a
 * message tuple is an array, an incarnation a number.
 * Config:  [voters], [voters, outgoing] or, with learners (thesis §4.2.1), [voters, outgoing | [], learners]
 */
import type { ClusterConfig, Entry, EntryKind, Message, MessageType } from '../raft/types';
import { bytesSize, headerSize, numberSize, type MsgpackWriter } from './codecWriter';

export const RAFT_TYPE_CODES = {
  vote: 1,
  voteResp: 2,
  append: 3,
  appendResp: 4,
  heartbeat: 5,
  heartbeatResp: 6,
  snapshot: 7,
  timeoutNow: 8,
} as const satisfies Record<MessageType, number>;

export const ENTRY_KIND_CODES = { command: 0, noop: 1, config: 2 } as const satisfies Record<EntryKind, number>;
export const ENTRY_KINDS: readonly EntryKind[] = ['command', 'noop', 'config'];

/** The ids of a batch's messages: the sender's incarnation and each message's number (0: not known). */
export interface RaftBatchIds {
  incarnation: number;
  ns: readonly number[];
}

/** A decoded 'raft' frame body: its messages and, when the sender sent them, their ids. */
export interface RaftBatch {
  messages: Message[];
  ids: RaftBatchIds | null;
}

/** Writes a batch of messages (the body of a 'raft' frame), with their ids when given. */
export function writeRaftBatch(w: MsgpackWriter, messages: readonly Message[], ids?: RaftBatchIds | null): void {
  if (ids) {
    w.arrayHeader(3);
    w.number(ids.incarnation);
    writeIds(w, ids.ns);
  }
  w.arrayHeader(messages.length);
  for (let i = 0; i < messages.length; i++) writeRaftMessage(w, messages[i]);
}

/** Bytes the ids of a batch add to it: the outer header, the incarnation and the list of numbers. */
export function raftBatchIdsSize(incarnation: number, ns: readonly number[]): number {
  return 1 + numberSize(incarnation) + idsSize(ns);
}

/** Bytes one more id adds to a batch's id list (its list header may widen by at most 2: see raftBatchIdsSize). */
export function raftIdSize(n: number): number {
  return numberSize(n);
}

function writeRaftMessage(w: MsgpackWriter, m: Message): void {
  switch (m.type) {
    case 'vote':
      w.arrayHeader(8);
      writeBase(w, RAFT_TYPE_CODES.vote, m.from, m.to, m.term);
      w.number(m.lastLogIndex);
      w.number(m.lastLogTerm);
      w.bool(m.preVote);
      w.bool(m.transfer);
      return;
    case 'voteResp':
      w.arrayHeader(6);
      writeBase(w, RAFT_TYPE_CODES.voteResp, m.from, m.to, m.term);
      w.bool(m.granted);
      w.bool(m.preVote);
      return;
    case 'append':
      w.arrayHeader(9);
      writeBase(w, RAFT_TYPE_CODES.append, m.from, m.to, m.term);
      w.number(m.prevIndex);
      w.number(m.prevTerm);
      w.arrayHeader(m.entries.length);
      for (let i = 0; i < m.entries.length; i++) writeEntry(w, m.entries[i]);
      w.number(m.commit);
      w.number(m.seq ?? 0);
      return;
    case 'appendResp':
      w.arrayHeader(10);
      writeBase(w, RAFT_TYPE_CODES.appendResp, m.from, m.to, m.term);
      w.bool(m.success);
      w.number(m.matchIndex);
      w.number(m.rejectIndex);
      w.number(m.hintTerm);
      w.number(m.hintIndex);
      w.number(m.seq);
      return;
    case 'heartbeat':
      w.arrayHeader(6);
      writeBase(w, RAFT_TYPE_CODES.heartbeat, m.from, m.to, m.term);
      w.number(m.commit);
      w.number(m.seq);
      return;
    case 'heartbeatResp':
      w.arrayHeader(5);
      writeBase(w, RAFT_TYPE_CODES.heartbeatResp, m.from, m.to, m.term);
      w.number(m.seq);
      return;
    case 'snapshot':
      w.arrayHeader(9);
      writeBase(w, RAFT_TYPE_CODES.snapshot, m.from, m.to, m.term);
      w.number(m.snapshot.meta.index);
      w.number(m.snapshot.meta.term);
      writeConfig(w, m.snapshot.meta.config);
      w.bytes(m.snapshot.data);
      w.number(m.checksum);
      return;
    case 'timeoutNow':
      w.arrayHeader(4);
      writeBase(w, RAFT_TYPE_CODES.timeoutNow, m.from, m.to, m.term);
      return;
    default:
      throw new TypeError(`cannot encode unknown Raft message type ${String((m as { type: unknown }).type)}`);
  }
}

function writeBase(w: MsgpackWriter, code: number, from: number, to: number, term: number): void {
  w.number(code);
  w.number(from);
  w.number(to);
  w.number(term);
}

function writeEntry(w: MsgpackWriter, e: Entry): void {
  const withConfig = e.kind === 'config';
  w.arrayHeader(withConfig ? 5 : 4);
  w.number(e.index);
  w.number(e.term);
  w.number(ENTRY_KIND_CODES[e.kind]);
  w.bytes(e.data);
  if (withConfig) {
    if (!e.config) throw new TypeError(`config entry ${e.index} has no config`);
    writeConfig(w, e.config);
  }
}

const NO_IDS: readonly number[] = [];

function writeConfig(w: MsgpackWriter, c: ClusterConfig): void {
  const withLearners = c.learners !== undefined && c.learners.length > 0;
  const withOutgoing = c.outgoing !== undefined;
  w.arrayHeader(withLearners ? 3 : withOutgoing ? 2 : 1);
  writeIds(w, c.voters);
  if (withOutgoing || withLearners) writeIds(w, c.outgoing ?? NO_IDS);
  if (withLearners) writeIds(w, c.learners!);
}

function writeIds(w: MsgpackWriter, ids: readonly number[]): void {
  w.arrayHeader(ids.length);
  for (let i = 0; i < ids.length; i++) w.number(ids[i]);
}

/**
 * Exact encoded size of one message within a 'raft' frame, computed without encoding.
 * Traffic counters use it to attribute a batch frame's bytes to its message types on both
 * the sending and the receiving side.
 */
export function raftMessageWireSize(m: Message): number {
  const base = 1 + 1 + numberSize(m.from) + numberSize(m.to) + numberSize(m.term);
  switch (m.type) {
    case 'vote':
      return base + numberSize(m.lastLogIndex) + numberSize(m.lastLogTerm) + 2;
    case 'voteResp':
      return base + 2;
    case 'append': {
      let size = base + numberSize(m.prevIndex) + numberSize(m.prevTerm) + numberSize(m.commit) + numberSize(m.seq ?? 0);
      size += headerSize(m.entries.length);
      for (let i = 0; i < m.entries.length; i++) {
        const e = m.entries[i];
        size += 1 + numberSize(e.index) + numberSize(e.term) + 1 + bytesSize(e.data.byteLength);
        if (e.kind === 'config' && e.config) size += configSize(e.config);
      }
      return size;
    }
    case 'appendResp':
      return (
        base + 1 + numberSize(m.matchIndex) + numberSize(m.rejectIndex) + numberSize(m.hintTerm) + numberSize(m.hintIndex) + numberSize(m.seq)
      );
    case 'heartbeat':
      return base + numberSize(m.commit) + numberSize(m.seq);
    case 'heartbeatResp':
      return base + numberSize(m.seq);
    case 'snapshot':
      return (
        base +
        numberSize(m.snapshot.meta.index) +
        numberSize(m.snapshot.meta.term) +
        configSize(m.snapshot.meta.config) +
        bytesSize(m.snapshot.data.byteLength) +
        numberSize(m.checksum)
      );
    case 'timeoutNow':
      return base;
  }
}

function configSize(c: ClusterConfig): number {
  const withLearners = c.learners !== undefined && c.learners.length > 0;
  let size = 1 + idsSize(c.voters);
  if (c.outgoing !== undefined || withLearners) size += idsSize(c.outgoing ?? NO_IDS);
  if (withLearners) size += idsSize(c.learners!);
  return size;
}

function idsSize(ids: readonly number[]): number {
  let size = headerSize(ids.length);
  for (let i = 0; i < ids.length; i++) size += numberSize(ids[i]);
  return size;
}
