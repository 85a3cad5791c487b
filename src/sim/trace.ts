/**
 * The last K lines of what happened in a run, for failure reports. Formatting costs, so
 * callers check `enabled` first: a normal run traces nothing, and a failing seed is re-run
 * with tracing on (runs are deterministic, so the re-run fails the same way).
 */
export class TraceRecorder {
  private readonly lines: string[] = [];
  private next = 0;
  private full = false;

  constructor(
    readonly enabled: boolean,
    private readonly capacity = 200,
    /** Also print each line as it is recorded (--verbose). */
    private readonly echo?: (line: string) => void,
  ) {}

  record(tick: number, text: string): void {
    if (!this.enabled) return;
    const line = `t=${tick} ${text}`;
    this.echo?.(line);
    if (this.capacity <= 0) return;
    this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    if (this.next === 0) this.full = true;
  }

  /** Recorded lines, oldest first. */
  tail(): string[] {
    return this.full ? [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)] : this.lines.slice(0, this.next);
  }
}
