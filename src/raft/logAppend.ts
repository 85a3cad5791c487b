/**
 * Changing the local log (§5.3): appending entries that continue it and deleting a
 * conflicting suffix, handing both to the caller to persist. A configuration entry takes
 * effect as soon as it is appended and stops when it is deleted (§6).
 */
import { announceConfig, applyConfigEffects, onConfigChanged } from './configEffects';
import { RaftInvariantError } from './errors';
import type { RaftState } from './state';
import type { Entry } from './types';

/**
 * Appends entries that continue our log, hands them to the caller to persist, and puts any
 * configuration they carry into effect at once (§6).
 */
export function appendToLog(s: RaftState, entries: Entry[]): void {
  if (entries.length === 0) return;
  s.log.append(entries);
  const out = s.out;
  if (out.entries.length === 0) {
    // Hand the batch over without copying (the hot path); it may be a message's array, so
    // a second append in the same step copies before adding to it.
    out.entries = entries;
  } else {
    out.entries = out.entries.concat(entries);
  }
  let configChanged = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.kind === 'config' && e.config !== undefined) {
      s.configs.push(e.index, e.config);
      announceConfig(s);
      configChanged = true;
    }
  }
  if (configChanged) applyConfigEffects(s);
}

/** Deletes our entries from `from` on (a conflict, §5.3); a deleted configuration entry stops applying. */
export function truncateLog(s: RaftState, from: number): void {
  if (s.out.entries.length > 0) {
    throw new RaftInvariantError('log truncated after entries were appended in the same step');
  }
  s.log.truncateFrom(from);
  s.out.truncateFrom = s.out.truncateFrom === undefined ? from : Math.min(s.out.truncateFrom, from);
  if (s.persistedIndex >= from) s.persistedIndex = from - 1;
  if (s.configs.truncateFrom(from)) onConfigChanged(s);
}
