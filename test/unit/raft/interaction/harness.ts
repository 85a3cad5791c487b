/**
 * Interprets the interaction-test commands against a cluster of real RaftNodes hosted by
 * the raft tests' one harness (`Network`, test/unit/raft/helpers.ts: the simulator's hosts,
 * the core's one executor, the safety checker on every effect). Messages wait in a mailbox
 * until a command delivers them, so a script controls exactly who hears what, and when.
 *
 * Every core step that produced something prints a header (its input) and, indented, what
 * it did: events, persistence, messages sent, entries applied, results.
 */
import { EFFECT_ORDER, type EffectKind } from '../../../../src/raft/execute';
import type { AdminRequest, Input, Message, NodeId, Outputs, RaftConfig } from '../../../../src/raft/types';
import { formatConfig, formatData, formatEntries, formatEvent, formatIds, formatMessage, formatResult } from '../../../../src/sim/format';
import { Network } from '../helpers';
import { parseCommand } from './datadriven';

const encoder = new TextEncoder();

export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

function isQuiet(o: Outputs): boolean {
  return (
    o.entries.length === 0 &&
    o.messages.length === 0 &&
    o.committed.length === 0 &&
    o.results.length === 0 &&
    o.events.length === 0 &&
    !o.hardState &&
    !o.snapshot &&
    o.truncateFrom === undefined &&
    o.snapshotWanted === undefined &&
    o.compactTo === undefined
  );
}

function formatAdmin(request: AdminRequest): string {
  switch (request.type) {
    case 'transferLeader':
      return `transferLeader to=${request.to}`;
    case 'changeMembership':
      return `changeMembership voters=${formatIds(request.voters)}`;
    case 'snapshot':
      return 'snapshot';
  }
}

function formatInput(node: NodeId, input: Input): string {
  switch (input.type) {
    case 'tick':
      return `${node}: tick`;
    case 'message':
      return formatMessage(input.message);
    case 'propose':
      return `${node}: propose id=${input.id} [${input.commands.map(formatData).join(', ')}]`;
    case 'read':
      return `${node}: read id=${input.id}`;
    case 'admin':
      return `${node}: admin id=${input.id} ${formatAdmin(input.request)}`;
    case 'persisted':
      return `${node}: persisted ${input.index}/${input.term}`;
    case 'snapshotTaken':
      return `${node}: snapshotTaken at ${input.index}`;
  }
}

/** What one step did, in the order the caller carries it out. */
function formatOutputs(node: NodeId, o: Outputs): string[] {
  const lines: string[] = [];
  for (const e of o.events) if (e.type !== 'commit') lines.push(`${node}: ${formatEvent(e)}`);
  if (o.snapshot) lines.push(`${node}: persist snapshot ${o.snapshot.meta.index}/${o.snapshot.meta.term} ${formatConfig(o.snapshot.meta.config)}`);
  if (o.truncateFrom !== undefined) lines.push(`${node}: persist truncate from ${o.truncateFrom}`);
  if (o.entries.length > 0) lines.push(`${node}: persist entries ${formatEntries(o.entries, 6)}`);
  if (o.hardState) lines.push(`${node}: persist hardState term=${o.hardState.term} vote=${o.hardState.vote} commit=${o.hardState.commit}`);
  for (const m of o.messages) lines.push(formatMessage(m));
  if (o.committed.length > 0) lines.push(`${node}: apply ${formatEntries(o.committed, 6)}`);
  for (const r of o.results) lines.push(`${node}: ${formatResult(r)}`);
  if (o.snapshotWanted !== undefined) lines.push(`${node}: snapshot wanted at ${o.snapshotWanted}`);
  if (o.compactTo !== undefined) lines.push(`${node}: compact log to ${o.compactTo}`);
  return lines;
}

interface MessageFilter {
  from?: NodeId;
  to?: NodeId;
  type?: string;
}

export class InteractionHarness {
  private readonly net: Network;
  private mailbox: Message[] = [];
  private readonly blocked = new Set<string>();
  private out: string[] = [];
  private nextRequest = 1;
  /** Crashes armed by `crash ID before=EFFECT`, to name the effect when they strike. */
  private readonly armed = new Map<NodeId, EffectKind>();

  constructor() {
    this.net = new Network([], {}, { autoSnapshot: true, onStep: (node, input, outputs, crashed) => this.printStep(node, input, outputs, crashed) });
  }

  /** Moves what the nodes sent since the last call into the mailbox, in the order sent. */
  private collect(): void {
    for (const m of this.net.takeQueued()) this.mailbox.push(m);
  }

  /** Runs one command; returns its output lines ("ok" when it printed nothing). */
  run(command: string): string[] {
    this.out = [];
    this.runCommand(command);
    this.collect();
    return this.out.length > 0 ? this.out : ['ok'];
  }

  private runCommand(command: string): void {
    const { name, args, kv } = parseCommand(command);
    switch (name) {
      case 'add-nodes':
        this.addNodes(args, kv);
        break;
      case 'campaign':
        this.campaign(this.node(args[0]));
        break;
      case 'tick':
        this.tick(args);
        break;
      case 'propose':
        if (args.length < 2) throw new ScriptError('usage: propose ID DATA...');
        this.step(this.node(args[0]), { type: 'propose', id: this.nextRequest++, commands: args.slice(1).map((a) => encoder.encode(a)) });
        break;
      case 'read':
        this.step(this.node(args[0]), { type: 'read', id: this.nextRequest++ });
        break;
      case 'transfer-leader':
        this.admin(this.node(args[0]), { type: 'transferLeader', to: this.node(kv.get('to')) });
        break;
      case 'change-membership':
        this.admin(this.node(args[0]), { type: 'changeMembership', voters: this.ids(kv.get('voters'), 'voters') });
        break;
      case 'snapshot':
        this.admin(this.node(args[0]), { type: 'snapshot' });
        break;
      case 'deliver-msgs':
        this.deliverRound(this.filter(kv), false);
        break;
      case 'drop-msgs':
        this.deliverRound(this.filter(kv), true);
        break;
      case 'stabilize':
        this.stabilize();
        break;
      case 'msgs':
        this.collect();
        for (const m of this.mailbox) this.out.push(formatMessage(m));
        break;
      case 'partition':
        this.partition(args);
        break;
      case 'heal':
        this.blocked.clear();
        break;
      case 'crash': {
        // crash ID: now, between steps. crash ID before=EFFECT: armed, it strikes in the
        // node's next step that has that effect, just before it (src/raft/execute.ts).
        const id = this.node(args[0]);
        const before = kv.get('before');
        if (before === undefined) {
          this.net.crash(id);
          break;
        }
        if (!(EFFECT_ORDER as readonly string[]).includes(before)) {
          throw new ScriptError(`before= must be one of ${EFFECT_ORDER.join(', ')}; got '${before}'`);
        }
        if (this.net.isDown(id)) break;
        this.armed.set(id, before as EffectKind);
        this.net.crash(id, { before: before as EffectKind });
        break;
      }
      case 'restart': {
        const id = this.node(args[0]);
        // A running node is left as it is: only a crashed one restarts.
        const s = (this.net.isDown(id) ? this.net.restart(id) : this.net.node(id)).status();
        this.out.push(`${id}: restarted term=${s.term} vote=${s.vote} commit=${s.commit} last=${s.lastIndex}/${s.lastTerm} snapshot=${s.snapshotIndex}`);
        break;
      }
      case 'status':
        for (const id of this.targets(args)) this.status(id);
        break;
      case 'log':
        for (const id of this.targets(args)) this.log(id);
        break;
      case 'state':
        for (const id of this.targets(args)) {
          const sm = this.net.machine(id);
          this.out.push(`${id}: applied=${sm.applied} commands=[${(sm.log ?? []).join(', ')}] ${formatConfig(sm.config)}`);
        }
        break;
      default:
        throw new ScriptError(`unknown command '${name}'`);
    }
  }

  private node(arg: string | undefined): NodeId {
    const id = Number(arg);
    if (!Number.isInteger(id) || !this.net.configs.has(id)) throw new ScriptError(`no node '${arg ?? ''}'`);
    return id;
  }

  private ids(value: string | undefined, what: string): NodeId[] {
    const m = value?.match(/^\(([\d,]*)\)$/);
    if (!m) throw new ScriptError(`${what} must look like (1,2,3), got '${value ?? ''}'`);
    return m[1] === '' ? [] : m[1].split(',').map(Number);
  }

  private targets(args: string[]): NodeId[] {
    return args.length === 0 ? this.net.ids() : args.map((a) => this.node(a));
  }

  private bool(kv: Map<string, string>, key: string, fallback: boolean): boolean {
    const v = kv.get(key);
    if (v === undefined) return fallback;
    if (v !== 'true' && v !== 'false') throw new ScriptError(`${key} must be true or false`);
    return v === 'true';
  }

  private num(kv: Map<string, string>, key: string, fallback: number): number {
    const v = kv.get(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new ScriptError(`${key} must be a non-negative integer`);
    return n;
  }

  private addNodes(args: string[], kv: Map<string, string>): void {
    const count = Number(args[0]);
    if (!Number.isInteger(count) || count < 1) throw new ScriptError('usage: add-nodes N [voters=(..)] [prevote=..] ...');
    const first = this.net.ids().length === 0 ? 1 : Math.max(...this.net.ids()) + 1;
    const ids = Array.from({ length: count }, (_, i) => first + i);
    const voters = kv.has('voters') ? this.ids(kv.get('voters'), 'voters') : ids;
    const election = this.num(kv, 'election', 10);
    for (const id of ids) {
      const config: RaftConfig = {
        id,
        initialVoters: voters,
        electionTicksMin: election,
        electionTicksMax: this.num(kv, 'election-max', election * 2),
        heartbeatTicks: this.num(kv, 'heartbeat', 1),
        preVote: this.bool(kv, 'prevote', false),
        checkQuorum: this.bool(kv, 'checkquorum', false),
        maxEntriesPerMsg: this.num(kv, 'max-entries', 64),
        maxBytesPerMsg: this.num(kv, 'max-bytes', 1 << 20),
        maxInflight: this.num(kv, 'inflight', 256),
        snapshotThreshold: this.num(kv, 'snapshot-threshold', 0),
        seed: id,
      };
      this.net.add(config);
      this.out.push(`${id}: added voters=${formatIds(voters)} prevote=${config.preVote} checkquorum=${config.checkQuorum}`);
    }
  }

  private campaign(id: NodeId): void {
    const limit = this.net.configs.get(id)!.electionTicksMax * 10;
    for (let i = 0; i < limit; i++) {
      const outputs = this.net.step(id, { type: 'tick' });
      if (outputs.events.some((e) => e.type === 'electionStarted')) return;
    }
    throw new ScriptError(`node ${id} did not start an election within ${limit} ticks`);
  }

  private tick(args: string[]): void {
    const which = args[0] === 'all' || args[0] === undefined ? this.net.upIds() : [this.node(args[0])];
    const times = args[1] === undefined ? 1 : Number(args[1]);
    if (!Number.isInteger(times) || times < 1) throw new ScriptError('usage: tick ID|all [N]');
    for (let t = 0; t < times; t++) for (const id of which) this.step(id, { type: 'tick' });
  }

  private admin(id: NodeId, request: AdminRequest): void {
    this.step(id, { type: 'admin', id: this.nextRequest++, request });
  }

  private step(id: NodeId, input: Input): void {
    if (this.net.isDown(id)) throw new ScriptError(`node ${id} is down`);
    this.net.step(id, input);
  }

  private printStep(node: NodeId, input: Input, outputs: Outputs, crashed: boolean): void {
    const quiet = isQuiet(outputs);
    if (quiet && (input.type === 'tick' || input.type === 'persisted' || input.type === 'snapshotTaken')) return;
    this.out.push(formatInput(node, input));
    for (const line of formatOutputs(node, outputs)) this.out.push(`  ${line}`);
    if (crashed) {
      const effect = this.armed.get(node);
      this.armed.delete(node);
      this.out.push(`  ${node}: CRASHED ${effect ? `before ${effect}` : 'while carrying out these outputs'} (what follows it was not carried out)`);
    }
  }

  private filter(kv: Map<string, string>): MessageFilter {
    const f: MessageFilter = {};
    if (kv.has('from')) f.from = this.node(kv.get('from'));
    if (kv.has('to')) f.to = this.node(kv.get('to'));
    if (kv.has('type')) f.type = kv.get('type');
    return f;
  }

  private matches(m: Message, f: MessageFilter): boolean {
    return (f.from === undefined || m.from === f.from) && (f.to === undefined || m.to === f.to) && (f.type === undefined || m.type === f.type);
  }

  /** Delivers (or drops) the matching messages pending now; messages they cause wait. */
  private deliverRound(filter: MessageFilter, drop: boolean): number {
    this.collect();
    const round = this.mailbox.filter((m) => this.matches(m, filter));
    this.mailbox = this.mailbox.filter((m) => !this.matches(m, filter));
    for (const m of round) {
      if (drop) this.out.push(`${formatMessage(m)} DROPPED`);
      else this.deliver(m);
    }
    this.collect();
    return round.length;
  }

  private deliver(m: Message): void {
    if (this.blocked.has(`${m.from}-${m.to}`)) {
      this.out.push(`${formatMessage(m)} DROPPED (partition)`);
      return;
    }
    if (this.net.isDown(m.to)) {
      this.out.push(`${formatMessage(m)} DROPPED (node ${m.to} down)`);
      return;
    }
    // In flight already: it arrives even if its sender has crashed since.
    this.net.step(m.to, { type: 'message', message: m });
  }

  private stabilize(): void {
    for (let rounds = 0; this.mailbox.length > 0; rounds++) {
      if (rounds > 1000) throw new ScriptError('stabilize: messages still flowing after 1000 rounds');
      this.deliverRound({}, false);
    }
  }

  private partition(args: string[]): void {
    const groups: NodeId[][] = [[]];
    for (const a of args) {
      if (a === '/') groups.push([]);
      else groups[groups.length - 1].push(this.node(a));
    }
    if (groups.length < 2 || groups.some((g) => g.length === 0)) throw new ScriptError('usage: partition 1 2 / 3 [/ 4 ...]');
    const listed = new Set(groups.flat());
    for (const id of this.net.ids()) if (!listed.has(id)) groups.push([id]);
    this.blocked.clear();
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]) for (const b of groups[j]) this.blocked.add(`${a}-${b}`);
      }
    }
  }

  private status(id: NodeId): void {
    if (this.net.isDown(id)) {
      this.out.push(`${id}: down`);
      return;
    }
    const s = this.net.node(id).status();
    this.out.push(
      `${id}: ${s.preCandidate ? "precandidate" : s.role} term=${s.term} vote=${s.vote} leader=${s.leader ?? 'none'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex}/${s.lastTerm} snapshot=${s.snapshotIndex} ${formatConfig(s.config)}`,
    );
    for (const [peer, p] of Object.entries(s.progress)) {
      this.out.push(`  progress ${peer}: match=${p.match} next=${p.next} ${p.state} inflight=${p.inflight}`);
    }
  }

  private log(id: NodeId): void {
    const disk = this.net.disk(id);
    const h = disk.hardState;
    const snap = disk.snapshot ? ` snapshot=${disk.snapshot.meta.index}/${disk.snapshot.meta.term}` : '';
    this.out.push(`${id}: term=${h.term} vote=${h.vote} commit=${h.commit}${snap} log=${formatEntries(disk.entries(), Number.MAX_SAFE_INTEGER)}`);
  }
}
