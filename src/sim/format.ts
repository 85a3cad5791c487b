/**
 * One-line, human-readable renderings of messages, entries and events, shared by the
 * simulator's failure traces and the scripted interaction tests' golden output.
 */
import type { ClusterConfig, Entry, Message, RaftEvent, Result } from '../raft/types';

const decoder = new TextDecoder();

/** Command bytes as a quoted string when printable, else as a byte count. */
export function formatData(data: Uint8Array): string {
  const text = decoder.decode(data);
  return /^[\x20-\x7e]*$/.test(text) && text.length <= 40 ? JSON.stringify(text) : `<${data.length} bytes>`;
}

export function formatIds(ids: readonly number[] | undefined): string {
  return `(${(ids ?? []).join(',')})`;
}

export function formatConfig(config: ClusterConfig): string {
  const outgoing = config.outgoing && config.outgoing.length > 0 ? ` outgoing=${formatIds(config.outgoing)}` : '';
  const learners = config.learners && config.learners.length > 0 ? ` learners=${formatIds(config.learners)}` : '';
  return `voters=${formatIds(config.voters)}${outgoing}${learners}`;
}

export function formatEntry(entry: Entry): string {
  const id = `${entry.index}/${entry.term}`;
  switch (entry.kind) {
    case 'noop':
      return `${id} noop`;
    case 'config':
      return `${id} config ${entry.config ? formatConfig(entry.config) : '?'}`;
    case 'command':
      return `${id} ${formatData(entry.data)}`;
  }
}

/** Lists up to `limit` entries, then summarises the rest. */
export function formatEntries(entries: readonly Entry[], limit = 4): string {
  if (entries.length <= limit) return `[${entries.map(formatEntry).join(', ')}]`;
  const head = entries.slice(0, limit - 1).map(formatEntry).join(', ');
  const last = entries[entries.length - 1];
  return `[${head}, ... ${last.index}/${last.term}] (${entries.length})`;
}

/** The message without its endpoints, e.g. `vote term=2 last=5/1 prevote`. */
export function formatMessageBody(m: Message): string {
  switch (m.type) {
    case 'vote':
      return `${m.preVote ? 'prevote' : 'vote'} term=${m.term} last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? ' transfer' : ''}`;
    case 'voteResp':
      return `${m.preVote ? 'prevoteResp' : 'voteResp'} term=${m.term} ${m.granted ? 'granted' : 'rejected'}`;
    case 'append':
      return `append term=${m.term} prev=${m.prevIndex}/${m.prevTerm} commit=${m.commit} entries=${formatEntries(m.entries)}`;
    case 'appendResp':
      return m.success
        ? `appendResp term=${m.term} ok match=${m.matchIndex}`
        : `appendResp term=${m.term} reject index=${m.rejectIndex} hint=${m.hintIndex}/${m.hintTerm}`;
    case 'heartbeat':
      return `heartbeat term=${m.term} commit=${m.commit} seq=${m.seq}`;
    case 'heartbeatResp':
      return `heartbeatResp term=${m.term} seq=${m.seq}`;
    case 'snapshot':
      return `snapshot term=${m.term} snap=${m.snapshot.meta.index}/${m.snapshot.meta.term} ${formatConfig(m.snapshot.meta.config)}`;
    case 'timeoutNow':
      return `timeoutNow term=${m.term}`;
  }
}

/** e.g. `1->2 vote term=2 last=5/1`. */
export function formatMessage(m: Message): string {
  return `${m.from}->${m.to} ${formatMessageBody(m)}`;
}

export function formatEvent(e: RaftEvent): string {
  switch (e.type) {
    case 'role':
      return `role ${e.role} term=${e.term} leader=${e.leader ?? 'none'}`;
    case 'electionStarted':
      return `election started term=${e.term}${e.preVote ? ' prevote' : ''}${e.transfer ? ' transfer' : ''}`;
    case 'electionWon':
      return `election won term=${e.term}`;
    case 'electionLost':
      return `election lost term=${e.term} (${e.reason})`;
    case 'voteGranted':
      return `${e.preVote ? 'prevote' : 'vote'} granted to ${e.to} term=${e.term}`;
    case 'voteRefused':
      return `${e.preVote ? 'prevote' : 'vote'} refused to ${e.to} term=${e.term} (${e.reason})`;
    case 'commit':
      return `commit ${e.index}`;
    case 'config':
      return `config ${formatConfig(e.config)} at ${e.index}`;
    case 'snapshotInstalled':
      return `snapshot installed ${e.index}/${e.term}`;
    case 'compacted':
      return `compacted to ${e.index}`;
    case 'transferStarted':
      return `transfer started to ${e.to}`;
    case 'transferAborted':
      return `transfer to ${e.to} aborted (${e.reason})`;
    case 'quorumLost':
      return `quorum lost term=${e.term}`;
  }
}

export function formatResult(r: Result): string {
  switch (r.type) {
    case 'proposed':
      return `proposed id=${r.id} term=${r.term} index=${r.firstIndex === r.lastIndex ? r.firstIndex : `${r.firstIndex}..${r.lastIndex}`}`;
    case 'read':
      return `read id=${r.id} index=${r.index}`;
    case 'admin':
      return `admin id=${r.id} accepted`;
    case 'error': {
      const err = r.error;
      const detail = err.code === 'invalid_request' ? err.message : `leader=${err.leader ?? 'none'}`;
      return `error id=${r.id} ${r.request} ${err.code} (${detail})`;
    }
  }
}
