/**
 * Faults the lab can inject (the nemesis), named like Jepsen's. A partition is a list of
 * groups: nodes in different groups cannot talk; nodes left out of every group are isolated
 * only if `isolateRest` is set. Presets are resolved to concrete groups at the moment they
 * are applied (e.g. "isolate the leader" needs to know who leads), and the resolved groups
 * are what the event records.
 */
import * as v from 'valibot';
import type { NodeId } from '../raft/types';
import {
  CLOCK_RATE_RANGE, MAX_FSYNC_DELAY_MS, MAX_LINK_DELAY_MS, MAX_NODE_ID, MAX_PARTITION_GROUPS, MAX_PARTITION_NODES,
  nodeId, numberFrom, plain, probability, say, strictCase, trueOrFalse, wholeNumber,
} from './labApiFields';
import { FIELD, type Decoded } from './schemaKit';
import { AIMED_FAULT_ENTRIES, aimedProblem } from './aimedFault';
import { LIMITS } from './limits';

export const PARTITION_PRESETS = ['isolate-node', 'isolate-leader', 'halves', 'majorities-ring', 'bridge', 'random'] as const;
export type PartitionPreset = (typeof PARTITION_PRESETS)[number];

// Partitions: a preset (with `node` exactly when the preset is isolate-node) or explicit groups.
const preset = v.picklist(PARTITION_PRESETS, say(`${FIELD} must be one of ${PARTITION_PRESETS.join(', ')}`));
const groups = v.pipe(
  v.array(v.pipe(v.array(nodeId(), say(`${FIELD} must be a non-empty list of node ids`)), v.minLength(1, say(`${FIELD} must be a non-empty list of node ids`))), say(`${FIELD} must be a non-empty list of groups`)),
  v.minLength(1, say(`${FIELD} must be a non-empty list of groups`)),
  v.maxLength(MAX_PARTITION_GROUPS, say(`${FIELD} may have at most ${MAX_PARTITION_GROUPS} groups`)),
  v.check((g) => g.flat().length <= MAX_PARTITION_NODES, say(`${FIELD} may list at most ${MAX_PARTITION_NODES} nodes`)),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const seen = new Set<number>();
    for (const node of dataset.value.flat()) {
      if (seen.has(node)) addIssue({ message: `${FIELD}: node ${node} appears in more than one place (a node belongs to one group)` });
      seen.add(node);
    }
  }),
);
/** A partition's fields (the `fault:partition` request and the partition fault). */
export const PARTITION_ENTRIES = { preset: v.optional(preset), node: v.optional(nodeId()), groups: v.optional(groups) };

/** What is wrong with a partition's combination of fields, if anything (FIELD: the partition's path). */
export function partitionProblem(p: { preset?: string; node?: number; groups?: number[][] }): string | undefined {
  if ((p.preset === undefined) === (p.groups === undefined)) return `${FIELD} needs either a preset or groups (exactly one of them)`;
  if (p.preset === 'isolate-node' && p.node === undefined) return `${FIELD}.node must be a node id (a whole number from 1 to ${MAX_NODE_ID})`;
  if (p.preset !== 'isolate-node' && p.node !== undefined) return `${FIELD}.node is only used with the isolate-node preset`;
  return undefined;
}

/** Link trouble fields shared by link and flaky faults; all optional. drop/duplicate are probabilities. */
const linkTrouble = {
  drop: v.optional(probability),
  duplicate: v.optional(probability),
  delayMs: v.optional(wholeNumber(0, MAX_LINK_DELAY_MS)),
  jitterMs: v.optional(wholeNumber(0, MAX_LINK_DELAY_MS)),
};
/** The sentence when a link's two ends are one node. */
export const SAME_NODES = `${FIELD}: from and to must be different nodes`;

/** A process fault's target: a node id, or "leader"/"random" resolved by the lab when applied. */
const target = v.union([v.picklist(['leader', 'random']), nodeId()], say(`${FIELD} must be a node id (a whole number from 1 to ${MAX_NODE_ID}), "leader" or "random"`));

/**
 * Each fault's fields, under its kind: FaultSpecSchema is their union, and a scenario's
 * actions (scenario.ts) reuse the cases they share with it.
 */
export const FAULT_CASES = {
  /** Explicit groups, or a preset (with `node` for isolate-node). */
  partition: strictCase({ kind: v.literal('partition'), ...PARTITION_ENTRIES }),
  /** Per-link trouble from `from` to `to` (one direction; set `symmetric` for both). */
  link: strictCase({ kind: v.literal('link'), from: nodeId(), to: nodeId(), symmetric: v.optional(trueOrFalse), ...linkTrouble }),
  /** Same link trouble on every link of the cluster (a "flaky network"). */
  flaky: strictCase({ kind: v.literal('flaky'), ...linkTrouble }),
  clock: strictCase({ kind: v.literal('clock'), node: nodeId(), rate: numberFrom(CLOCK_RATE_RANGE.min, CLOCK_RATE_RANGE.max) }),
  disk: strictCase({ kind: v.literal('disk'), node: nodeId(), fsyncDelayMs: wholeNumber(0, MAX_FSYNC_DELAY_MS) }),
  /**
   * A bandwidth limit with `tc tbf` on the host node `node` runs on (a remote host, root
   * needed; docs/multi-host.md): the host's outgoing traffic to the cluster's peers and the
   * lab, so every node of that host is limited. burstBytes and latencyMs default in
   * src/lab/hosts/bandwidthLimit.ts.
   */
  bandwidth: strictCase({
    kind: v.literal('bandwidth'),
    node: nodeId(),
    rateKbit: wholeNumber(LIMITS.bandwidthKbit.min, LIMITS.bandwidthKbit.max),
    burstBytes: v.optional(wholeNumber(LIMITS.bandwidthBurstBytes.min, LIMITS.bandwidthBurstBytes.max)),
    latencyMs: v.optional(wholeNumber(LIMITS.bandwidthLatencyMs.min, LIMITS.bandwidthLatencyMs.max)),
  }),
  resume: strictCase({ kind: v.literal('resume'), node: nodeId() }),
  kill: strictCase({ kind: v.literal('kill'), node: target }),
  pause: strictCase({ kind: v.literal('pause'), node: target }),
  restart: strictCase({ kind: v.literal('restart'), node: target }),
  stop: strictCase({ kind: v.literal('stop'), node: target }),
  /** Aimed: act on chosen messages from `from` to `to` (src/contract/aimedFault.ts, docs/aimed-faults.md). */
  aimed: strictCase({ kind: v.literal('aimed'), ...AIMED_FAULT_ENTRIES }),
};
const FAULT_KINDS = Object.keys(FAULT_CASES);
const c = FAULT_CASES;
const faultCases = plain(
  v.variant('kind', [c.partition, c.link, c.flaky, c.clock, c.disk, c.bandwidth, c.resume, c.kill, c.pause, c.restart, c.stop, c.aimed], say(`${FIELD} must be one of ${FAULT_KINDS.join(', ')}`)),
);

/**
 * A fault, declared once: the `fault:apply` request's field, run events' `fault` records and
 * scenario steps all use this shape (the type below is inferred from it).
 */
export const FaultSpecSchema = v.pipe(
  faultCases,
  v.rawCheck<v.InferOutput<typeof faultCases>>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const f = dataset.value;
    const problem = f.kind === 'partition' ? partitionProblem(f) : f.kind === 'link' && f.from === f.to ? SAME_NODES : f.kind === 'aimed' ? aimedProblem(f) : undefined;
    if (problem) addIssue({ message: problem });
  }),
);
export type FaultSpec = Decoded<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec['kind'];

/**
 * Which links a partition cuts, as a "connectivity" relation: for majorities-ring each node
 * sees a majority but no two nodes see the same one, so it is not expressible as groups;
 * the lab resolves every partition to the set of blocked (from, to) pairs.
 */
export interface ResolvedPartition {
  description: string;
  /** Pairs that can no longer talk, both directions listed. */
  blocked: Array<[NodeId, NodeId]>;
  /** Groups when the partition is a grouping (for display); absent for ring/bridge shapes. */
  groups?: NodeId[][];
}
