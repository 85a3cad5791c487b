/**
 * Incremental checkers for Raft's safety properties (Figure 3 of the paper), fed with
 * observations the simulator makes after every step. Each observation is O(entries touched),
 * so the checks run after every step of every seed.
 *
 * - Election Safety: at most one leader per term, over the whole history (§5.2).
 * - Leader Append-Only: a leader never overwrites or deletes entries in its log (§5.3).
 * - Log Matching: two logs holding an entry with the same index and term are identical up
 *   to it (§5.3), checked with rolling prefix hashes keyed by (index, term).
 * - Leader Completeness: a committed entry is in the log of every later leader (§5.4).
 *   "Committed" is taken as "applied by some node".
 * - State Machine Safety: no two nodes apply different entries at one index (§5.4.3).
 * - Linearizable reads (§8): a ReadIndex read returns an index at least as high as every
 *   entry committed before the read began.
 */
import type { Entry, NodeId, Role } from '../raft/types';
import { chainHash, hashEntry } from './hash';
import { LogMirror, UNKNOWN_PREFIX } from './logMirror';
import type { PropertyName, Violation } from './violations';

/** Term numbers stay far below this, so (index, term) packs into one safe integer key. */
const TERM_SPACE = 0x200000;

interface NodeView {
  role: Role | 'down';
  term: number;
  log: LogMirror;
  /** Highest index the node's state machine holds (applied or restored from a snapshot). */
  applied: number;
}

export type ViolationSink = (violation: Violation) => void;

export class SafetyChecker {
  /** Virtual time, stamped on violations; the simulator keeps it current. */
  now = 0;
  readonly violations: Violation[] = [];
  private readonly nodes = new Map<NodeId, NodeView>();
  /** Election Safety: the one leader each term has had. */
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Log Matching: prefix hash first seen for each (index, term). */
  private readonly prefixOfPair = new Map<number, number>();
  /** State Machine Safety / Leader Completeness: what was applied at each index. */
  private readonly committedHash: number[] = [];
  private readonly committedTerm: number[] = [];
  private readonly committedPrefix: number[] = [];
  private maxCommitted = 0;

  constructor(private readonly sink?: ViolationSink) {}

  /** Highest index applied anywhere so far: everything up to it is committed. */
  get committedIndex(): number {
    return this.maxCommitted;
  }

  /** The checker's mirror of a node's durable log (read-only use). */
  logOf(node: NodeId): LogMirror {
    return this.view(node).log;
  }

  /** Role and term after a step (or from a 'role' event). */
  observeRole(node: NodeId, role: Role, term: number): void {
    const view = this.view(node);
    const wasLeader = view.role === 'leader' && view.term === term;
    view.role = role;
    view.term = term;
    if (role !== 'leader' || wasLeader) return;
    const previous = this.leaderOfTerm.get(term);
    if (previous !== undefined && previous !== node) {
      this.fail('Election Safety', `nodes ${previous} and ${node} were both leader in term ${term}`);
      return;
    }
    this.leaderOfTerm.set(term, node);
    // §5.4: a new leader must hold every entry committed so far.
    if (this.maxCommitted > 0) this.checkHasCommitted(node, view, this.maxCommitted, 'on election');
  }

  /** The node stopped (crash or shutdown): it is no longer leader of anything. */
  observeDown(node: NodeId): void {
    const view = this.view(node);
    view.role = 'down';
  }

  /** The node (re)started; its state machine was restored to `appliedIndex` (its snapshot, or 0). */
  observeStart(node: NodeId, appliedIndex: number): void {
    const view = this.view(node);
    view.role = 'follower';
    view.applied = appliedIndex;
  }

  /** Durable log entries >= fromIndex were deleted (Outputs.truncateFrom). */
  observeTruncate(node: NodeId, fromIndex: number): void {
    const view = this.view(node);
    if (fromIndex <= view.log.lastIndex && view.role === 'leader') {
      this.fail('Leader Append-Only', `leader ${node} (term ${view.term}) deleted entries ${fromIndex}..${view.log.lastIndex}`);
      return;
    }
    view.log.truncateFrom(fromIndex);
  }

  /** Entries were appended durably (Outputs.entries, after any truncation). */
  observeAppend(node: NodeId, entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const view = this.view(node);
    const log = view.log;
    const first = entries[0].index;
    if (first <= log.baseIndex) {
      this.fail('Storage Contract', `node ${node} appended index ${first}, inside its snapshot (base ${log.baseIndex})`);
      return;
    }
    if (first > log.lastIndex + 1) {
      this.fail('Storage Contract', `node ${node} appended index ${first} after last index ${log.lastIndex}: a gap`);
      return;
    }
    if (first <= log.lastIndex) {
      // Overlapping append without a truncate: tolerated for followers (identical entries
      // rewritten), an overwrite for a leader if anything changes.
      if (view.role === 'leader') {
        const overwrites = entries.some((e) => e.index <= log.lastIndex && log.hashAt(e.index) !== hashEntry(e));
        const shrinks = entries[entries.length - 1].index < log.lastIndex;
        if (overwrites || shrinks) {
          this.fail('Leader Append-Only', `leader ${node} (term ${view.term}) overwrote entries from index ${first}`);
          return;
        }
      }
      log.truncateFrom(first);
    }
    let prefix = log.prefixAt(first - 1) ?? UNKNOWN_PREFIX;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.index !== first + i) {
        this.fail('Storage Contract', `node ${node} appended non-contiguous entries (${first + i} expected, got ${entry.index})`);
        return;
      }
      const hash = hashEntry(entry);
      prefix = prefix === UNKNOWN_PREFIX ? UNKNOWN_PREFIX : chainHash(prefix, hash);
      if (prefix !== UNKNOWN_PREFIX) {
        const key = entry.index * TERM_SPACE + entry.term;
        const seen = this.prefixOfPair.get(key);
        if (seen === undefined) this.prefixOfPair.set(key, prefix);
        else if (seen !== prefix) {
          this.fail('Log Matching', `node ${node} holds entry ${entry.index}/${entry.term} after a log prefix that differs from another node's`);
          return;
        }
      }
      log.push(entry.term, hash, prefix);
    }
  }

  /** A snapshot from the leader replaced the log and the state machine (§7). */
  observeSnapshotInstalled(node: NodeId, index: number, term: number): void {
    const view = this.view(node);
    if (view.role === 'leader') {
      this.fail('Leader Append-Only', `leader ${node} (term ${view.term}) installed a snapshot over its log`);
      return;
    }
    const committedTerm = this.committedTerm[index];
    if (committedTerm !== undefined && committedTerm !== term) {
      this.fail('State Machine Safety', `node ${node} installed a snapshot at ${index}/${term} but ${index}/${committedTerm} was applied there`);
      return;
    }
    let prefix = this.committedPrefix[index] ?? this.prefixOfPair.get(index * TERM_SPACE + term) ?? UNKNOWN_PREFIX;
    // Keep the suffix if the log already holds the snapshot's last entry (Figure 13, step 6).
    if (view.log.termAt(index) === term && index <= view.log.lastIndex && index > view.log.baseIndex) {
      view.log.compactTo(index);
      if (prefix === UNKNOWN_PREFIX) prefix = view.log.basePrefix;
    } else {
      view.log.resetTo(index, term, prefix);
    }
    view.applied = index;
    if (index > this.maxCommitted) this.raiseCommitted(index, view.term, node);
  }

  /** The node discarded its log up to `index` after taking its own snapshot. */
  observeCompact(node: NodeId, index: number): void {
    const view = this.view(node);
    if (index > view.applied) {
      this.fail('Storage Contract', `node ${node} compacted to ${index} beyond its applied index ${view.applied}`);
      return;
    }
    view.log.compactTo(index);
  }

  /** The node's state machine applied `entry` (Outputs.committed). */
  observeApply(node: NodeId, entry: Entry): void {
    const view = this.view(node);
    const index = entry.index;
    if (index !== view.applied + 1) {
      this.fail('Storage Contract', `node ${node} applied index ${index} after ${view.applied} (must be in order, no gaps)`);
      return;
    }
    const hash = hashEntry(entry);
    const logTerm = view.log.termAt(index);
    if (logTerm !== undefined && logTerm !== entry.term) {
      this.fail('Storage Contract', `node ${node} applied ${index}/${entry.term} but its log holds term ${logTerm} there`);
      return;
    }
    if (logTerm === undefined && index > view.log.lastIndex) {
      this.fail('Storage Contract', `node ${node} applied ${index} beyond its durable log (last ${view.log.lastIndex})`);
      return;
    }
    const seen = this.committedHash[index];
    if (seen !== undefined && seen !== hash) {
      this.fail('State Machine Safety', `node ${node} applied ${describeEntry(entry)} at index ${index}, another node applied a different entry (term ${this.committedTerm[index]})`);
      return;
    }
    view.applied = index;
    if (seen === undefined) {
      this.committedHash[index] = hash;
      this.committedTerm[index] = entry.term;
      const prefix = view.log.prefixAt(index);
      if (prefix !== undefined && prefix !== UNKNOWN_PREFIX) this.committedPrefix[index] = prefix;
    }
    if (index > this.maxCommitted) this.raiseCommitted(index, view.term, node);
  }

  /** A read begins: returns the index its answer must reach (everything committed by now). */
  beginRead(): number {
    return this.maxCommitted;
  }

  /** A ReadIndex answer (§8): `index` must cover every write committed before the read began. */
  observeReadAnswered(node: NodeId, readId: number, index: number, requiredIndex: number): void {
    if (index < requiredIndex) {
      this.fail('Linearizable Reads', `read ${readId} answered by node ${node} at index ${index}, but index ${requiredIndex} was committed before the read began`);
    }
  }

  private raiseCommitted(index: number, applierTerm: number, applier: NodeId): void {
    this.maxCommitted = index;
    // The entry was committed in a term <= the applier's term, so every current leader of a
    // higher term must already hold it (§5.4.2-§5.4.3).
    for (const [id, view] of this.nodes) {
      if (id !== applier && view.role === 'leader' && view.term > applierTerm) {
        this.checkHasCommitted(id, view, index, `when index ${index} was committed`);
      }
    }
  }

  private checkHasCommitted(node: NodeId, view: NodeView, index: number, when: string): void {
    const log = view.log;
    if (log.lastIndex < index) {
      this.fail('Leader Completeness', `leader ${node} (term ${view.term}) ${when}: its log ends at ${log.lastIndex}, but index ${index} is committed`);
      return;
    }
    // A leader's own snapshot covers only applied (hence committed) entries: compare at the
    // snapshot base when the committed index is compacted away.
    const at = Math.max(index, log.baseIndex);
    const expected = this.committedPrefix[at];
    const actual = log.prefixAt(at);
    if (expected === undefined || actual === undefined || actual === UNKNOWN_PREFIX) {
      const term = log.termAt(index);
      const committedTerm = this.committedTerm[index];
      if (term !== undefined && committedTerm !== undefined && term !== committedTerm) {
        this.fail('Leader Completeness', `leader ${node} (term ${view.term}) ${when}: holds ${index}/${term}, but ${index}/${committedTerm} is committed`);
      }
      return;
    }
    if (expected !== actual) {
      this.fail('Leader Completeness', `leader ${node} (term ${view.term}) ${when}: its log up to ${at} differs from the committed entries`);
    }
  }

  private view(node: NodeId): NodeView {
    let view = this.nodes.get(node);
    if (!view) {
      view = { role: 'follower', term: 0, log: new LogMirror(), applied: 0 };
      this.nodes.set(node, view);
    }
    return view;
  }

  /** Records a violation found by another observer (the client, the liveness phase). */
  fail(property: PropertyName, message: string): void {
    const violation: Violation = { property, tick: this.now, message };
    this.violations.push(violation);
    this.sink?.(violation);
  }
}

function describeEntry(entry: Entry): string {
  return `${entry.index}/${entry.term} ${entry.kind}`;
}
