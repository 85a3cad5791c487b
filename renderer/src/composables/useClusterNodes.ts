/**
 * The nodes to show, from the two sources: the lab's state (authoritative for processes
 * and membership while live) and the event stream (freshest for role, term and indices,
 * and the only source for a recorded run). Both are the one fold of
 * src/analysis/nodeView.ts; joinLiveView says which group of fields comes from which.
 */
import { computed } from 'vue';
import type { ComputedRef } from 'vue';
import type { NodeId } from '../../../src/analysis/ids';
import type { ProcessState } from '../../../src/contract/runEvents';
import { joinLiveView, type NodeState } from '../../../src/analysis/nodeView';
import { useLabStore } from '../stores/lab';
import { useRunStore } from '../stores/run';

/** What a node card shows: the one node view of src/analysis/nodeView.ts, plus whether it was removed. */
export type NodeCardView = NodeState & {
  /** Removed from the configuration (§6): gone for good, unlike a killed node that can restart. */
  removed: boolean;
};

/** The words the cluster view uses for a process state. */
export function processLabel(state: ProcessState): string {
  switch (state) {
    case 'started':
    case 'resumed':
    case 'restarted':
      return 'running';
    case 'starting':
      return 'starting';
    case 'paused':
      return 'paused';
    case 'killed':
      return 'killed';
    case 'stopped':
      return 'stopped';
    case 'crashed':
      return 'crashed';
    case 'exited':
      return 'exited';
  }
}

export function isRunningProcess(state: ProcessState): boolean {
  return processLabel(state) === 'running';
}

/** The process is gone (killed, stopped, crashed, exited): what the card shows is its last known state. */
export function isDownProcess(state: ProcessState): boolean {
  return state === 'killed' || state === 'stopped' || state === 'crashed' || state === 'exited';
}

export interface ClusterNodes {
  nodes: ComputedRef<NodeCardView[]>;
  leader: ComputedRef<NodeId | null>;
  /**
   * True when a live run has ended (the lab holds no cluster any more) and `nodes` are the
   * last states its events reported, kept on screen instead of an empty view.
   */
  ended: ComputedRef<boolean>;
}

export function useClusterNodes(): ClusterNodes {
  const lab = useLabStore();
  const run = useRunStore();
  // While a new cluster starts the lab lists no nodes yet either, but nothing has ended.
  const ended = computed(() => run.source === 'live' && lab.phase !== 'starting' && lab.state.nodes.length === 0 && run.nodes.length > 0);
  const nodes = computed<NodeCardView[]>(() => {
    const fromEvents = new Map(run.nodes.map((n) => [n.id, n]));
    // A recorded run, a live run that has stopped, or one still starting: the events are all there is.
    if (run.source === 'recorded' || ended.value || lab.phase === 'starting') {
      return run.nodes.map((n) => ({ ...n, voter: n.voter && n.member, removed: !n.member }));
    }
    const inLab = new Set(lab.state.nodes.map((n) => n.id));
    // The lab forgets a removed node; the events remember it, and so does the view.
    const removed = run.nodes.filter((n) => !n.member && !inLab.has(n.id)).map((n) => ({ ...n, voter: false, removed: true }));
    // Live: the lab's view and the event fold's, joined group by group (src/analysis/nodeView.ts).
    const current = lab.state.nodes.map((n) => ({ ...joinLiveView(n, fromEvents.get(n.id)), removed: false }));
    return [...current, ...removed].sort((a, b) => a.id - b.id);
  });
  const leader = computed(() => {
    let best: NodeCardView | null = null;
    for (const n of nodes.value) {
      if (n.role === 'leader' && !n.removed && isRunningProcess(n.process) && (!best || n.term > best.term)) best = n;
    }
    return best?.id ?? null;
  });
  return { nodes, leader, ended };
}
