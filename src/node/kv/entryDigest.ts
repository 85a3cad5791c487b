/**
 * A short stable digest of a log entry, for the lab's State Machine Safety check (§5.4.3):
 * every node that applies index i must apply the same entry, so equal (index, digest) pairs
 * across nodes are what the checker compares. It covers index, term, kind, the command
 * bytes and any configuration.
 */
import type { Entry, EntryKind } from '../../raft/types';
import { Fnv1a64 } from './fnv';

const KIND_CODES: Record<EntryKind, number> = { command: 0, noop: 1, config: 2 };

/** FNV-1a 64 of the entry, as 16 hex digits. */
export function entryDigest(entry: Entry): string {
  const h = new Fnv1a64().uint(entry.index).uint(entry.term).uint(KIND_CODES[entry.kind]).uint(entry.data.length).bytes(entry.data);
  if (entry.config) {
    h.uint(entry.config.voters.length);
    for (const id of entry.config.voters) h.uint(id);
    const outgoing = entry.config.outgoing ?? [];
    h.uint(outgoing.length);
    for (const id of outgoing) h.uint(id);
  }
  return h.hex();
}
