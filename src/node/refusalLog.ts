/**
 * Rate-limited warnings for refused input (issue 9: a flood of forged or broken frames must
 * not flood the node log, nor the lab's telemetry with 'log' events). At most one line per
 * refusal reason per interval (1 s); the refusals not written meanwhile are counted and told
 * in the next line for that reason ("... and 41 more since the last line"). Every refusal is
 * still counted in the core (`counters().refused`), which the metrics carry (runtime.ts).
 */

export interface RefusalLogOptions {
  /** Writes one warning line. */
  write: (message: string) => void;
  /** Milliseconds, monotonic. */
  now: () => number;
  /** Minimum time between two lines of one reason, in ms (default 1000). */
  intervalMs?: number;
}

interface ReasonState {
  /** When the last line for this reason was written. */
  lastAt: number;
  /** Refusals of this reason since that line, not written. */
  suppressed: number;
}

export class RefusalLog {
  private readonly reasons = new Map<string, ReasonState>();
  private readonly intervalMs: number;

  constructor(private readonly options: RefusalLogOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /** One refusal of `reason`, described by `message`: written now, or counted for the next line. */
  refused(reason: string, message: string): void {
    const now = this.options.now();
    const st = this.reasons.get(reason);
    if (st !== undefined && now - st.lastAt < this.intervalMs) {
      st.suppressed++;
      return;
    }
    const more = st !== undefined && st.suppressed > 0 ? ` (and ${st.suppressed} more ${reason} refusals since the last line)` : '';
    this.options.write(`refused input (${reason}): ${message}${more}`);
    this.reasons.set(reason, { lastAt: now, suppressed: 0 });
  }
}
