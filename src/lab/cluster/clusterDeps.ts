/** What a Cluster needs from whoever starts it (the Lab, the CLI, tests, benchmarks). */
import type { RunEvent } from '../../contract/runEvents';
import type { NodeLauncher } from '../nodeLauncher';
import type { HostsLauncherOptions } from '../hosts/hostsLauncher';

export interface ClusterDeps {
  /** Directory of this run's recording (events.jsonl, logs, ...). */
  runDir: string;
  runId: string;
  nodeScript: string;
  execPath: string;
  env?: Record<string, string>;
  /** Every run event, as it happens (for pushes and the CLI status line). */
  onEvent?: (ev: RunEvent) => void;
  /** Called when node views changed in a way worth showing. */
  onChange?: () => void;
  /** How long to wait for every node to report ready. */
  readyTimeoutMs?: number;
  /** CURVE on every socket (default true). Internal: the node benchmark turns it off to measure its cost. */
  curve?: boolean;
  /**
   * The run cannot go on (its recording or a node log cannot be written: a full or failing
   * disk). Called once; the owner should stop the cluster.
   */
  onFatal?: (reason: string) => void;
  /** How node processes are started; defaults to this machine (nodeLauncher.ts). */
  launcher?: NodeLauncher;
  /** How remote hosts are reached when the options name `hosts` (an ssh config file; docs/multi-host.md). */
  hosts?: HostsLauncherOptions;
  /**
   * Record the run (default true). Internal: benchmarks turn it off to measure what
   * recording costs; without a recording, stop() returns no summary.
   */
  record?: boolean;
}
