/**
 * Cluster membership (§6): the configuration history of the log, so that a configuration
 * takes effect as soon as its entry is appended and reverts when that entry is truncated.
 */
import type { ClusterConfig, NodeId } from './types';

const EMPTY: readonly NodeId[] = Object.freeze([]);

/** A configuration installed by the entry at `index`, with derived lists cached. */
export interface ConfigPoint {
  readonly index: number;
  readonly config: ClusterConfig;
  readonly voters: readonly NodeId[];
  /** C_old during joint consensus, [] otherwise. */
  readonly outgoing: readonly NodeId[];
  readonly joint: boolean;
  /** Non-voting members (thesis §4.2.1), ascending; [] when none. */
  readonly learners: readonly NodeId[];
  /** voters ∪ outgoing, ascending: who votes and counts in quorums. */
  readonly voting: readonly NodeId[];
  /** voting without the local node: who a candidate asks for votes. */
  readonly votingPeers: readonly NodeId[];
  /** voters ∪ outgoing ∪ learners, ascending: everyone who holds the log. */
  readonly members: readonly NodeId[];
  /** members without the local node: who the local node replicates to. */
  readonly peers: readonly NodeId[];
}

const ascending = (a: number, b: number): number => a - b;

/**
 * A configuration with sorted, de-duplicated lists, no empty `outgoing` or `learners`, and no
 * learner that is also a voter (a voter outranks: thesis §4.2.1 learners only catch up).
 */
export function normalizeConfig(config: ClusterConfig): ClusterConfig {
  const voters = [...new Set(config.voters)].sort(ascending);
  const outgoing = config.outgoing && config.outgoing.length > 0 ? [...new Set(config.outgoing)].sort(ascending) : undefined;
  const learners = (config.learners ?? []).filter((id) => !voters.includes(id) && !(outgoing?.includes(id) ?? false));
  const out: ClusterConfig = { voters };
  if (outgoing) out.outgoing = outgoing;
  if (learners.length > 0) out.learners = [...new Set(learners)].sort(ascending);
  return out;
}

/** A deep copy callers may keep or mutate (empty `outgoing` / `learners` left out). */
export function copyConfig(config: ClusterConfig): ClusterConfig {
  const out: ClusterConfig = { voters: [...config.voters] };
  if (config.outgoing && config.outgoing.length > 0) out.outgoing = [...config.outgoing];
  if (config.learners && config.learners.length > 0) out.learners = [...config.learners];
  return out;
}

/**
 * Is `id` a voter of either half of `config`? (§6: during joint consensus both count.)
 * A learner is not (thesis §4.2.1).
 */
export function isMember(config: ClusterConfig, id: NodeId): boolean {
  return config.voters.includes(id) || (config.outgoing?.includes(id) ?? false);
}

/** Is `id` a learner of `config`? (thesis §4.2.1) */
export function isLearner(config: ClusterConfig, id: NodeId): boolean {
  return config.learners?.includes(id) ?? false;
}

/** Same voter set, ignoring order. */
export function sameVoters(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function makePoint(index: number, raw: ClusterConfig, self: NodeId): ConfigPoint {
  const config = normalizeConfig(raw);
  const voters = config.voters;
  const outgoing = config.outgoing ?? EMPTY;
  const learners = config.learners ?? EMPTY;
  const voting = [...new Set([...voters, ...outgoing])].sort(ascending);
  const members = [...new Set([...voting, ...learners])].sort(ascending);
  return {
    index,
    config,
    voters,
    outgoing,
    joint: outgoing.length > 0,
    learners,
    voting,
    votingPeers: voting.filter((m) => m !== self),
    members,
    peers: members.filter((m) => m !== self),
  };
}

/**
 * Configurations in log order. The first point is the base (the snapshot's configuration, or
 * the bootstrap voters at index 0) and is never truncated away.
 */
export class ConfigHistory {
  private points: ConfigPoint[];

  constructor(
    private readonly self: NodeId,
    base: ClusterConfig,
    baseIndex: number,
  ) {
    this.points = [makePoint(baseIndex, base, self)];
  }

  /** The configuration in effect: the latest one in the log, committed or not (§6). */
  get current(): ConfigPoint {
    return this.points[this.points.length - 1];
  }

  /** The configuration before the current one, if the log still holds it. */
  get previous(): ConfigPoint | undefined {
    return this.points.length > 1 ? this.points[this.points.length - 2] : undefined;
  }

  /** A configuration entry was appended at `index`. */
  push(index: number, config: ClusterConfig): ConfigPoint {
    const p = makePoint(index, config, this.self);
    this.points.push(p);
    return p;
  }

  /** Entries from `index` on were deleted; returns true when the current configuration changed. */
  truncateFrom(index: number): boolean {
    let changed = false;
    while (this.points.length > 1 && this.points[this.points.length - 1].index >= index) {
      this.points.pop();
      changed = true;
    }
    return changed;
  }

  /** The configuration in effect at log position `index`. */
  at(index: number): ConfigPoint {
    for (let i = this.points.length - 1; i > 0; i--) {
      if (this.points[i].index <= index) return this.points[i];
    }
    return this.points[0];
  }

  /** The log was compacted up to `index`: the configuration there becomes the base. */
  compact(index: number): void {
    let keepFrom = 0;
    for (let i = this.points.length - 1; i > 0; i--) {
      if (this.points[i].index <= index) {
        keepFrom = i;
        break;
      }
    }
    if (keepFrom > 0) this.points = this.points.slice(keepFrom);
  }

  /**
   * Is `id` a member of any configuration this history holds (the base, the ones in the log)?
   * A removed server (§6) stays known until its removal is compacted away.
   */
  knows(id: NodeId): boolean {
    const points = this.points;
    // Nearly always the latest configuration names the sender: check it first (hot path).
    if (points[points.length - 1].members.includes(id)) return true;
    for (let i = 0; i < points.length - 1; i++) if (points[i].members.includes(id)) return true;
    return false;
  }

  /** Does no configuration name any member? (a joining node before it hears from a leader) */
  isEmpty(): boolean {
    for (let i = 0; i < this.points.length; i++) if (this.points[i].members.length > 0) return false;
    return true;
  }

  /** Forget everything: `config` is in effect from `index` (snapshot install, §7). */
  reset(config: ClusterConfig, index: number): void {
    this.points = [makePoint(index, config, this.self)];
  }
}
