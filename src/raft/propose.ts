/**
 * Client commands on the leader (§5.3): append them all to the log in one batch and
 * replicate. They commit later; the result only reports where they went.
 */
import { appendToLog } from './logAppend';
import { bcastAppend } from './send';
import type { RaftState } from './state';
import type { Entry, RequestId } from './types';

/** A `propose` input. */
export function handlePropose(s: RaftState, id: RequestId, commands: Uint8Array[]): void {
  if (s.role !== 'leader') {
    s.fail(id, 'propose', { code: 'not_leader', leader: s.leader });
    return;
  }
  if (s.transferTarget !== null) {
    s.fail(id, 'propose', { code: 'transfer_in_progress', leader: s.id });
    return;
  }
  if (!Array.isArray(commands) || commands.length === 0) {
    s.fail(id, 'propose', { code: 'invalid_request', message: 'propose needs at least one command' });
    return;
  }
  const n = commands.length;
  const first = s.log.lastIndex() + 1;
  const term = s.term;
  const entries: Entry[] = new Array<Entry>(n);
  for (let i = 0; i < n; i++) {
    const data = commands[i];
    if (!(data instanceof Uint8Array)) {
      s.fail(id, 'propose', { code: 'invalid_request', message: `command ${i} is not a Uint8Array` });
      return;
    }
    entries[i] = { index: first + i, term, kind: 'command', data };
  }
  appendToLog(s, entries);
  s.result({ type: 'proposed', id, term, firstIndex: first, lastIndex: first + n - 1 });
  bcastAppend(s, false);
}
