/**
 * Every peer message of a run, each send paired with its receipt(s) or its drop, built from
 * the journals (docs/formats.md, "messages.jsonl"): sends are the `messages` of each replayed
 * step, receipts are the journaled `message` inputs, drops the journal's Dropped records.
 *
 * Message ids are `from.incarnation.n`: the n-th message the sender's core emitted in that
 * incarnation, which replay recomputes exactly. The wire carries each message's id
 * (src/contract/codecRaftWire.ts) and the receiver journals it with the step, so a receipt
 * pairs with its send exactly, and a drop the journal names by id with that very message.
 * Journals written before ids (or receipts whose sender's journal is missing) fall back to
 * content: the earliest unpaired send on the link (from → to) with the same content (type,
 * term and the type's fields, which include the AppendEntries and heartbeat `seq` stamps); a
 * second receipt of a send already received is a duplicate (a link fault).
 */
import type { MessageAt } from '../contract/labApiTimeTravel';
import type { Message } from '../raft/types';
import type { NodeReplay, ReplayedStep } from './nodeReplay';

/**
 * One message, send and receipts paired: the lab API's `MessageAt` (src/contract/labApiTimeTravel.ts,
 * declared once there), with its times on the shared clock (ms since the epoch) until the lab
 * maps them to run time. `fields` holds the message's fields without entry and snapshot data
 * (counts and sizes instead); `dropped` says why it never arrived, when the journal recorded
 * a drop; more than one receipt means a link fault duplicated it.
 */
export type MessageRecord = MessageAt;

/** The fields that identify a message's content on its link, and that `raftlab messages` prints. */
export function messageFields(m: Message): Record<string, unknown> {
  switch (m.type) {
    case 'append':
      return { prevIndex: m.prevIndex, prevTerm: m.prevTerm, entries: m.entries.length, firstIndex: m.entries[0]?.index ?? null, commit: m.commit, seq: m.seq ?? 0 };
    case 'appendResp':
      return { success: m.success, matchIndex: m.matchIndex, rejectIndex: m.rejectIndex, hintTerm: m.hintTerm, hintIndex: m.hintIndex, seq: m.seq };
    case 'heartbeat':
      return { commit: m.commit, seq: m.seq };
    case 'heartbeatResp':
      return { seq: m.seq };
    case 'vote':
      return { lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm, preVote: m.preVote, transfer: m.transfer };
    case 'voteResp':
      return { granted: m.granted, preVote: m.preVote };
    case 'snapshot':
      return { index: m.snapshot.meta.index, snapshotTerm: m.snapshot.meta.term, bytes: m.snapshot.data.byteLength };
    case 'timeoutNow':
      return {};
  }
}

function contentKey(m: Message): string {
  return `${m.from}>${m.to}|${m.type}|${m.term}|${JSON.stringify(messageFields(m))}`;
}

interface Receipt {
  t: number;
  message: Message;
  /** The id it arrived with, when its frame carried one. */
  id?: string;
}

interface Drop {
  t: number;
  key: string;
  reason: string;
  id?: string;
}

/**
 * Replays every node (checking digests as it goes) and returns every message, in send order.
 * Nodes recorded at level 'messages' give receipts only as headers: they are not paired.
 */
export function collectMessages(
  replays: readonly NodeReplay[],
  /** Sees every replayed step of every node as it goes (the app's time travel indexes steps with it, in the same pass). */
  onStep?: (node: number, s: ReplayedStep) => void,
): { messages: MessageRecord[]; mismatches: number } {
  const sends: Array<{ record: MessageRecord; key: string }> = [];
  const receipts: Receipt[] = [];
  const drops: Drop[] = [];
  let mismatches = 0;
  for (const r of replays) {
    const counters = new Map<number, number>();
    const summary = r.run((s) => {
      onStep?.(r.node, s);
      if (s.input.type === 'message') receipts.push({ t: s.t, message: s.input.message, id: s.msgId ? `${s.input.message.from}.${s.msgId.incarnation}.${s.msgId.n}` : undefined });
      if (!s.out) return;
      for (const m of s.out.messages) {
        const n = (counters.get(s.incarnation) ?? 0) + 1;
        counters.set(s.incarnation, n);
        sends.push({ record: { id: `${m.from}.${s.incarnation}.${n}`, type: m.type, from: m.from, to: m.to, term: m.term, sentAt: s.t, receivedAt: [], fields: messageFields(m) }, key: contentKey(m) });
      }
    });
    mismatches += summary.mismatches.length;
    for (const d of r.drops) drops.push({ t: d.t, key: `${d.header.from}>${d.header.to}|${d.header.type}|${d.header.term}`, reason: d.reason, id: d.header.id });
  }
  sends.sort((a, b) => a.record.sentAt - b.record.sentAt);
  receipts.sort((a, b) => a.t - b.t);
  // Exact pairing first: receipts and drops that name their message's id.
  const byId = new Map<string, MessageRecord>();
  for (const { record } of sends) byId.set(record.id, record);
  const pairedById = new Set<MessageRecord>();
  const unnamed: Receipt[] = [];
  for (const rc of receipts) {
    const send = rc.id !== undefined ? byId.get(rc.id) : undefined;
    if (send) {
      send.receivedAt.push(rc.t);
      pairedById.add(send);
    } else unnamed.push(rc);
  }
  const unnamedDrops: Drop[] = [];
  for (const d of drops) {
    const send = d.id !== undefined ? byId.get(d.id) : undefined;
    if (send) {
      if (send.dropped === undefined) send.dropped = d.reason;
      pairedById.add(send);
    } else unnamedDrops.push(d);
  }
  // Unpaired sends by content key, oldest first; the last paired one per key (for duplicates).
  const open = new Map<string, Array<MessageRecord>>();
  const lastPaired = new Map<string, MessageRecord>();
  let si = 0;
  for (const rc of unnamed) {
    // Sends before this receipt become candidates (a message is received after it is sent).
    while (si < sends.length && sends[si].record.sentAt <= rc.t) {
      const { key, record } = sends[si++];
      if (pairedById.has(record)) continue;
      let q = open.get(key);
      if (!q) open.set(key, (q = []));
      q.push(record);
    }
    const key = contentKey(rc.message);
    const q = open.get(key);
    const send = q && q.length > 0 ? q.shift()! : undefined;
    if (send) {
      send.receivedAt.push(rc.t);
      lastPaired.set(key, send);
    } else {
      lastPaired.get(key)?.receivedAt.push(rc.t);
    }
  }
  // Drops go to the earliest unreceived send with the same header sent at or before the drop.
  const byHeader = new Map<string, MessageRecord[]>();
  for (const { record } of sends) {
    if (record.receivedAt.length > 0) continue;
    const k = `${record.from}>${record.to}|${record.type}|${record.term}`;
    let list = byHeader.get(k);
    if (!list) byHeader.set(k, (list = []));
    list.push(record);
  }
  for (const d of unnamedDrops.sort((a, b) => a.t - b.t)) {
    const list = byHeader.get(d.key);
    const i = list ? list.findIndex((m) => m.dropped === undefined && m.sentAt <= d.t) : -1;
    if (list && i >= 0) list[i].dropped = d.reason;
  }
  return { messages: sends.map((s) => s.record), mismatches };
}
