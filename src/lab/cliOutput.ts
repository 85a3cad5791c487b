/**
 * What `raftlab run` prints: a progress bar with a live status line (leader, term, commit,
 * ops/s) on a terminal, a line every few seconds otherwise (CI logs), and a summary table.
 */
import type { BreakOutcome } from './scenarioRunner';
import type { Summary } from '../contract/runEvents';
import type { Cluster } from './cluster';

interface Writable {
  write(s: string): unknown;
  isTTY?: boolean;
  /** Terminal width (a TTY stream's columns). */
  columns?: number;
}

/**
 * The width the status line may use: one less than the terminal's, since a line that
 * fills the last column wraps in many terminals, and a wrapped line cannot be redrawn with
 * '\r' (each redraw would leave a new line behind). COLUMNS is the fallback when the
 * stream does not know its width.
 */
function lineWidth(out: Writable): number {
  const cols = out.columns ?? Number(process.env.COLUMNS);
  return Number.isInteger(cols) && cols > 1 ? cols - 1 : 79;
}

/** Cuts a line to `width` characters, marking the cut. */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/** The progress bar's widest and narrowest: below MIN_BAR it says too little to keep. */
const BAR = 24;
const MIN_BAR = 6;

/**
 * One status row in `width` columns. The figures (time, leader, term, commit, ops/s) are what
 * a person watches, so a narrow terminal takes room from the bar first, then from the label,
 * and cuts the figures only when nothing else is left. `reserve` is the widest the figures
 * have been: room is kept for them, so the bar and the label do not flicker between two
 * widths as a number gains and loses a digit.
 */
function statusRow(label: string, frac: number, figures: string, width: number, reserve = figures.length): string {
  const room = width - Math.max(reserve, figures.length) - 1;
  const bar = Math.min(BAR, room - label.length - 3);
  if (bar >= MIN_BAR) {
    const filled = Math.round(frac * bar);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(bar - filled)}] ${figures}`;
  }
  // No bar: the percentage says the same in four columns.
  const percent = `${Math.round(frac * 100)}%`.padStart(4);
  const labelRoom = room - percent.length - 1;
  if (labelRoom >= 4) return `${fit(label, labelRoom)} ${percent} ${figures}`;
  return `${percent} ${figures}`;
}

export class StatusLine {
  private lastPlain = -Infinity;
  private lastLine = '';
  private ops = { at: 0, count: 0, rate: 0 };
  /** The widest the figures have been on this line (see statusRow). */
  private figuresWidth = 0;

  constructor(
    private readonly out: Writable,
    private readonly label: string,
    private readonly durationMs: number,
  ) {}

  update(c: Cluster, elapsedMs: number): void {
    const nodes = c.nodes();
    const leader = c.leader();
    const term = Math.max(0, ...nodes.map((n) => n.term));
    const commit = Math.max(0, ...nodes.map((n) => n.commit));
    const ok = c.opsOk();
    if (elapsedMs - this.ops.at >= 1000) {
      this.ops = { at: elapsedMs, count: ok, rate: ((ok - this.ops.count) * 1000) / Math.max(1, elapsedMs - this.ops.at) };
    }
    const frac = Math.min(1, elapsedMs / this.durationMs);
    const status = `leader ${leader ?? '-'}  term ${term}  commit ${commit}  ${Math.round(this.ops.rate)} ops/s`;
    if (this.out.isTTY) {
      const width = lineWidth(this.out);
      const figures = `${(elapsedMs / 1000).toFixed(1)}s  ${status}`;
      this.figuresWidth = Math.max(this.figuresWidth, figures.length);
      const line = fit(statusRow(this.label, frac, figures, width, this.figuresWidth), width);
      // Padding to the last line's length blanks its tail; never past the width (the terminal may have shrunk).
      this.out.write(`\r${line.padEnd(Math.min(this.lastLine.length, width))}`);
      this.lastLine = line;
    } else if (elapsedMs - this.lastPlain >= 5000) {
      this.lastPlain = elapsedMs;
      this.out.write(`${this.label} ${(elapsedMs / 1000).toFixed(1)}s/${(this.durationMs / 1000).toFixed(0)}s  ${status}\n`);
    }
  }

  /** A one-off line (a fault applied) that must not be overwritten by the bar. */
  note(text: string): void {
    if (this.out.isTTY && this.lastLine) this.out.write(`\r${' '.repeat(Math.min(this.lastLine.length, lineWidth(this.out)))}\r`);
    this.out.write(`  ${text}\n`);
    this.lastLine = '';
  }

  done(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n');
  }
}

const fmt = (v: number | null | undefined, unit = '') => (v === null || v === undefined ? '-' : `${Math.round(v * 10) / 10}${unit}`);

/** "true" means something only when there were operations to check. */
function linearizableText(s: Summary): string {
  if (s.ops.ok + s.ops.fail + s.ops.info === 0) return 'no operations';
  return `${String(s.linearizable)}${s.linearizability && s.linearizable !== true ? ` (${s.linearizability})` : ''}`;
}

export function summaryTable(label: string, s: Summary, runDir: string): string {
  const rows: Array<[string, string]> = [
    ['run', label],
    ['directory', runDir],
    ['nodes', String(s.nodes)],
    ['duration', fmt(s.durationMs / 1000, ' s')],
    ['leader changes', String(s.leaderChanges)],
    ...(s.timeoutRandomness ? [['timeouts', s.timeoutRandomness] as [string, string]] : []),
    // Slow motion from the start (docs/aimed-faults.md): every time in this table is real time.
    ...(s.options?.speed !== undefined && s.options.speed !== 1
      ? [['speed', `${s.options.speed}x from the start: the times here are real time, ${Math.round(1 / s.options.speed)}x the lab time`] as [string, string]]
      : []),
    ['elections', `${s.electionMs.count} (p50 ${fmt(s.electionMs.p50, ' ms')}, p99 ${fmt(s.electionMs.p99, ' ms')}, max ${fmt(s.electionMs.max, ' ms')})`],
    ...(s.transfers && s.transfers.count > 0 ? [['leader transfers', `${s.transfers.count} (planned, not counted as elections)`] as [string, string]] : []),
    ['commit latency', `p50 ${fmt(s.commitLatencyMs.p50, ' ms')}, p99 ${fmt(s.commitLatencyMs.p99, ' ms')}`],
    ['throughput', fmt(s.throughputOpsPerSec, ' ops/s')],
    ['ops', `ok ${s.ops.ok}, fail ${s.ops.fail}, info ${s.ops.info}`],
    ['faults', String(s.faults)],
    ['violations', s.violations.length === 0 ? 'none' : s.violations.map((v) => `${v.property}: ${v.message}`).join('; ')],
    ['linearizable', linearizableText(s)],
  ];
  for (const [node, reasons] of Object.entries(s.refusals ?? {})) {
    rows.push([`refused by node ${node}`, Object.entries(reasons).map(([reason, n]) => `${reason} ${n}`).join(', ')]);
  }
  for (const e of s.expectations ?? []) rows.push([`expect ${e.name}`, `${e.ok ? 'ok' : 'FAILED'}: ${e.detail}`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

/**
 * What `raftlab run --break` prints when a breakpoint fires (docs/debugger.md): the break, each
 * frozen node's state (its timer in ticks: the election timer of a follower or candidate, the
 * heartbeat timer of a leader, thesis §3.4), and the saved session.
 */
export function breakReport(b: BreakOutcome): string {
  const where = b.node === null ? '' : ` (node ${b.node})`;
  const head = ['node', 'role', 'term', 'vote', 'commit', 'last index', 'held', 'timer (ticks)'];
  const rows = b.nodes.map((n) => [
    String(n.node),
    n.role,
    String(n.term),
    n.votedFor === null ? '-' : String(n.votedFor),
    String(n.commit),
    String(n.lastIndex),
    String(n.heldCount),
    n.role === 'leader' ? `heartbeat ${n.heartbeatElapsed}/${n.heartbeatTimeout}` : `election ${n.electionElapsed}/${n.electionTimeout}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    `break at ${(b.atMs / 1000).toFixed(3)} s${where}: ${b.reason}`,
    b.nodes.length === 0 ? 'no node answered with its state' : [line(head), ...rows.map(line)].join('\n'),
    `session saved: ${b.sessionFile} (raftlab run ${b.sessionFile} repeats it)`,
  ].join('\n');
}
