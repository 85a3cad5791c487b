/** Sample bodies of every frame kind, shared by the codec tests. */
import type { ClientRequestBatch, ClientResponseBatch } from '../../../src/contract/client';
import type { ControlReply, ControlRequest } from '../../../src/contract/control';
import type { TelemetryBatch } from '../../../src/contract/telemetry';
import type { Entry, Message } from '../../../src/raft/types';

export const CLUSTER = 'cluster-test';

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function commandEntries(count: number, size = 32, firstIndex = 1): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({ index: firstIndex + i, term: 3, kind: 'command', data: new Uint8Array(size).fill(i & 0xff) });
  }
  return entries;
}

/** One message of every type, with edge values (0, large integers, empty and config entries). */
export const ALL_MESSAGES: Message[] = [
  { type: 'vote', from: 1, to: 2, term: 7, lastLogIndex: 0, lastLogTerm: 0, preVote: true, transfer: false },
  { type: 'vote', from: 3, to: 1, term: 2 ** 40, lastLogIndex: 2 ** 53 - 1, lastLogTerm: 65536, preVote: false, transfer: true },
  { type: 'voteResp', from: 2, to: 1, term: 7, granted: true, preVote: false },
  {
    type: 'append',
    from: 1,
    to: 2,
    term: 7,
    prevIndex: 10,
    prevTerm: 6,
    commit: 9,
    seq: 2 ** 40,
    entries: [
      { index: 11, term: 7, kind: 'noop', data: new Uint8Array(0) },
      { index: 12, term: 7, kind: 'command', data: bytes(1, 2, 3, 255) },
      { index: 13, term: 7, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3, 4] } },
      { index: 14, term: 7, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 4], outgoing: [1, 2, 3] } },
      { index: 15, term: 7, kind: 'command', data: new Uint8Array(70_000).fill(9) },
      // Learners (thesis §4.2.1): a third id list, with an empty outgoing list when not joint.
      { index: 16, term: 7, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 4], learners: [5] } },
      { index: 17, term: 7, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 4, 5], outgoing: [1, 2, 4], learners: [6] } },
    ],
  },
  { type: 'append', from: 1, to: 3, term: 7, prevIndex: 0, prevTerm: 0, commit: 0, seq: 0, entries: [] },
  { type: 'appendResp', from: 2, to: 1, term: 7, success: false, matchIndex: 0, rejectIndex: 10, hintTerm: 5, hintIndex: 8, seq: 77 },
  { type: 'heartbeat', from: 1, to: 2, term: 7, commit: 9, seq: 123456 },
  { type: 'heartbeatResp', from: 2, to: 1, term: 7, seq: 123456 },
  {
    type: 'snapshot',
    from: 1,
    to: 2,
    term: 7,
    snapshot: { meta: { index: 100, term: 6, config: { voters: [1, 2, 3], outgoing: [] } }, data: bytes(9, 8, 7) },
    checksum: 0xffffffff,
  },
  { type: 'timeoutNow', from: 1, to: 2, term: 7 },
];

export const CLIENT_REQUESTS: ClientRequestBatch = {
  requests: [
    { client: 'c1', seq: 1, op: { op: 'put', key: 'k', value: 'v' } },
    { client: 'c1', seq: 2, op: { op: 'get', key: 'k' } },
    { client: 'c2', seq: 1, op: { op: 'delete', key: 'k' } },
    { client: 'c2', seq: 2, op: { op: 'cas', key: 'k', expect: null, value: 'ünïcødé ✓ 🚀' } },
    { client: 'c2', seq: 3, op: { op: 'cas', key: 'k', expect: 'x'.repeat(1000), value: 'y' } },
    { client: 'c3', seq: 0, op: { op: 'append', key: '', value: 'z'.repeat(70_000) } },
  ],
};

export const CLIENT_RESPONSES: ClientResponseBatch = {
  responses: [
    { client: 'c1', seq: 1, status: 'ok', value: 'v', index: 12 },
    { client: 'c1', seq: 2, status: 'ok', value: null, index: 12 },
    { client: 'c2', seq: 1, status: 'fail', error: 'not_leader', leader: 3, leaderAddress: 'tcp://127.0.0.1:4000' },
    { client: 'c2', seq: 2, status: 'fail', error: 'not_leader', leader: null, leaderAddress: null },
    { client: 'c2', seq: 3, status: 'fail', error: 'cas_mismatch', value: 'current', message: 'expected something else' },
    { client: 'c3', seq: 1, status: 'info', error: 'leadership_lost' },
    { client: 'c3', seq: 2, status: 'info', error: 'timeout', message: 'no answer' },
  ],
};

export const CONTROL_REQUESTS: ControlRequest[] = [
  { id: 1, command: { cmd: 'ping' } },
  { id: 2, command: { cmd: 'status' } },
  {
    id: 3,
    command: {
      cmd: 'setLinkRules',
      rules: [
        { peer: 2, direction: 'out', block: true },
        { peer: 3, direction: 'in', drop: 0.25, delayMs: 10, jitterMs: 5.5, duplicate: 0.1 },
      ],
    },
  },
  { id: 4, command: { cmd: 'setLinkRules', rules: [] } },
  { id: 5, command: { cmd: 'setTimerRate', factor: 1.5 } },
  { id: 6, command: { cmd: 'setFsyncDelay', ms: 20 } },
  { id: 7, command: { cmd: 'setPeer', id: 4, address: 'tcp://127.0.0.1:5000', clientAddress: 'tcp://127.0.0.1:5001' } },
  { id: 8, command: { cmd: 'setPeer', id: 4, address: null } },
  { id: 9, command: { cmd: 'transferLeader', to: 2 } },
  { id: 10, command: { cmd: 'changeMembership', voters: [1, 2, 3, 4] } },
  { id: 11, command: { cmd: 'snapshot' } },
  { id: 12, command: { cmd: 'stop' } },
];

export const CONTROL_REPLIES: ControlReply[] = [
  { id: 1, ok: true },
  { id: 2, ok: true, result: null },
  {
    id: 3,
    ok: true,
    result: {
      id: 1,
      role: 'leader',
      term: 3,
      leader: 1,
      commit: 10,
      applied: 10,
      lastIndex: 11,
      snapshotIndex: 0,
      config: { voters: [1, 2, 3] },
    },
  },
  { id: 4, ok: false, error: 'not the leader' },
];

export const TELEMETRY: TelemetryBatch = {
  node: 2,
  seq: 17,
  events: [
    { t: 1700000000000.125, type: 'ready', pid: 1234, peerAddress: 'tcp://127.0.0.1:4000', clientAddress: 'ipc:///tmp/x' },
    { t: 1, type: 'role', role: 'candidate', term: 4, leader: null },
    { t: 2, type: 'vote', to: 1, term: 4, granted: false, preVote: true, reason: 'log behind' },
    { t: 3, type: 'election', phase: 'won', term: 4, preVote: false },
    { t: 4, type: 'commit', index: 99 },
    { t: 5, type: 'apply', index: 99, term: 4, digest: 'abc123' },
    { t: 6, type: 'snapshot', phase: 'installed', index: 50, term: 3 },
    { t: 7, type: 'snapshot', phase: 'compacted', index: 50 },
    { t: 8, type: 'config', config: { voters: [1, 2], outgoing: [1, 2, 3] }, index: 70 },
    { t: 9, type: 'transfer', phase: 'aborted', to: 3, reason: 'timeout' },
    { t: 10, type: 'quorumLost', term: 4 },
    { t: 11, type: 'faultRules', rules: [{ peer: 1, direction: 'in', block: true }], timerRate: 1, fsyncDelayMs: 0 },
    { t: 12, type: 'log', level: 'warn', message: 'disk slow' },
    {
      t: 13,
      type: 'metrics',
      term: 4,
      role: 'leader',
      leader: 2,
      commit: 99,
      applied: 99,
      lastIndex: 100,
      snapshotIndex: 50,
      progress: { '1': { match: 99, next: 101 }, '3': { match: 0, next: 1 } },
      loopLagMs: 1.5,
      rssBytes: 50_000_000,
      electionsStarted: 1,
      electionsWon: 1,
      votesGranted: 1,
      heartbeatsSent: 100,
      heartbeatsReceived: 0,
      stateChanges: 2,
      leaderStalenessMs: null,
      traffic: { '1': { append: { sent: 10, received: 0, bytesSent: 1000, bytesReceived: 0 } } },
      fsync: { count: 10, p50Ms: 0.2, p99Ms: 1.1, maxMs: 2 },
      rejectedFrames: { malformed: 1 },
      telemetryDropped: 0,
    },
  ],
};
