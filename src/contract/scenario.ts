/**
 * A scenario: a cluster, a workload, a timeline of faults and what to expect, as parsed
 * from a YAML file (docs/scenarios.md; parser in src/lab/scenario). Times are ms since the
 * run started.
 */
import type { NodeId } from '../raft/types';
import type { ClusterOptions } from './clusterOptions';
import type { FaultSpec } from './faults';

/** A node chosen when the action runs: a fixed id, whoever leads then, or a random live node. */
export type NodeTarget = NodeId | 'leader' | 'random';

/** One thing the scenario does at a moment of the run. */
export type ScenarioAction =
  /** Partitions, link trouble, clocks, disks, kill / pause / stop (as the lab's fault API). */
  | Exclude<FaultSpec, { kind: 'restart' } | { kind: 'resume' }>
  /** 'killed': every node killed or stopped earlier in the run and not yet restarted. */
  | { kind: 'restart'; node: NodeTarget | 'killed' }
  /** 'paused': every node paused earlier and not yet resumed. */
  | { kind: 'resume'; node: NodeId | 'paused' }
  /** Heal every partition and link fault. */
  | { kind: 'heal' }
  /** Add a fresh node to the cluster (a membership change, §6). */
  | { kind: 'add-node' }
  | { kind: 'remove-node'; node: NodeTarget }
  /** Leadership transfer (thesis §3.10) to a node, or to a random follower. */
  | { kind: 'transfer-leader'; to: NodeId | 'random' };

export type ScenarioActionKind = ScenarioAction['kind'];

export interface ScenarioStep {
  atMs: number;
  action: ScenarioAction;
  /** Where the step comes from: its index in the file's `faults` list and its line. */
  source: { index: number; line: number };
}

export interface ScenarioExpectations {
  /** A leader must be elected within this many ms of the start. */
  leaderWithinMs?: number;
  /** No safety violation may be recorded. */
  noViolations?: boolean;
  /** The history must check linearizable (true), or is not checked (false / absent). */
  linearizable?: boolean;
  /** Every leaderless interval must be at most this long. */
  maxElectionMs?: number;
}

/** One cluster configuration to run: the base, or one entry of a sweep. */
export interface ScenarioVariant {
  /** Short description of the overrides ("base" or "electionTimeoutMs=[150,155]"). */
  label: string;
  /** The overrides as written (cluster keys of the file, e.g. electionTimeoutMs). */
  overrides: Record<string, unknown>;
  cluster: ClusterOptions;
}

export interface Scenario {
  name: string;
  description: string;
  /** The file it was read from, as given to the parser. */
  file: string;
  /** The base cluster options (defaults filled in). */
  cluster: ClusterOptions;
  durationMs: number;
  /** The timeline, sorted by time (file order among equal times). */
  steps: ScenarioStep[];
  expect: ScenarioExpectations;
  /** Runs per variant (at least 1). */
  repeat: number;
  /** The configurations to run: the base alone, or each sweep entry applied to it. */
  variants: ScenarioVariant[];
}
