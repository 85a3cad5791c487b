/**
 * One name per undoable fault, shared by the lab (LabState.faults, fault:remove) and the
 * renderer's fault shading, so "remove this fault" closes exactly that fault's period.
 *
 *   partition      the partition in force (one at a time: a new one replaces it)
 *   flaky          the same link trouble on every link
 *   link:A-B       trouble on the link between A and B (A < B), either direction
 *   clock:N        node N's timers run fast or slow
 *   disk:N         node N's fsync is slowed down
 *   bandwidth:N    the bandwidth of node N's host is limited (tc tbf; docs/multi-host.md)
 *   aimed:A>B      the aimed rules on messages from A to B (directed; docs/aimed-faults.md)
 *
 * Instant faults (kill, pause, restart, ...) have no key: there is nothing to undo.
 */
import type { NodeId } from '../raft/types';
import type { FaultSpec } from './faults';

/** Fault kinds that last until undone (they have a key); the others are instants. */
export const LASTING_FAULT_KINDS: ReadonlySet<string> = new Set(['partition', 'link', 'flaky', 'clock', 'disk', 'bandwidth', 'aimed']);

export function linkKey(a: NodeId, b: NodeId): string {
  return `link:${Math.min(a, b)}-${Math.max(a, b)}`;
}

export function aimedKey(from: NodeId, to: NodeId): string {
  return `aimed:${from}>${to}`;
}

/** The key of a lasting fault, or null for instant faults and for "heal everything". */
export function faultKey(fault: FaultSpec | { kind: 'all' }): string | null {
  switch (fault.kind) {
    case 'partition':
    case 'flaky':
      return fault.kind;
    case 'link':
      return linkKey(fault.from, fault.to);
    case 'clock':
    case 'disk':
    case 'bandwidth':
      return `${fault.kind}:${fault.node}`;
    case 'aimed':
      // Words ("leader") are resolved before a fault is recorded; unresolved, it has no key yet.
      return typeof fault.from === 'number' && typeof fault.to === 'number' ? aimedKey(fault.from, fault.to) : null;
    default:
      return null;
  }
}

/** Parses a key back into its parts; null when it is not one of the shapes above. */
export function parseFaultKey(
  key: string,
): { kind: 'partition' | 'flaky' } | { kind: 'link'; a: NodeId; b: NodeId } | { kind: 'clock' | 'disk' | 'bandwidth'; node: NodeId } | { kind: 'aimed'; from: NodeId; to: NodeId } | null {
  if (key === 'partition' || key === 'flaky') return { kind: key };
  const aimed = /^aimed:(\d+)>(\d+)$/.exec(key);
  if (aimed) return { kind: 'aimed', from: Number(aimed[1]), to: Number(aimed[2]) };
  const link = /^link:(\d+)-(\d+)$/.exec(key);
  if (link) return { kind: 'link', a: Number(link[1]), b: Number(link[2]) };
  const node = /^(clock|disk|bandwidth):(\d+)$/.exec(key);
  if (node) return { kind: node[1] as 'clock' | 'disk' | 'bandwidth', node: Number(node[2]) };
  return null;
}
