/**
 * Waiting on conditions with deadlines: integration tests never sleep and hope. Every wait
 * names what it waits for, and a timeout fails with that name plus a description of the
 * state at the time, so a red test says what never happened.
 */

export interface WaitOptions {
  /** Give up after this many ms. */
  timeoutMs: number;
  /** What is awaited, in words ("a leader among nodes 1-3"). */
  what: string;
  /** Poll interval in ms (default 10). */
  intervalMs?: number;
  /** Describes the current state; appended to the timeout message. */
  describe?: () => string;
}

/** Thrown when a wait's deadline passes. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `condition` until it returns a truthy value (which is returned). A condition that
 * throws is retried until the deadline; its last error is reported if the wait times out.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const deadline = performance.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 10;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() >= deadline) {
      const parts = [`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`];
      if (lastError !== undefined) parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
      if (opts.describe) parts.push(`state: ${safeDescribe(opts.describe)}`);
      throw new WaitTimeoutError(parts.join('; '));
    }
    await delay(interval);
  }
}

/**
 * Asserts that `condition` stays true for `forMs` (a "nothing happens" check, e.g. a
 * partitioned minority never commits). Fails at the first moment it is false.
 */
export async function holdsFor(condition: () => boolean, opts: { forMs: number; what: string; intervalMs?: number; describe?: () => string }): Promise<void> {
  const until = performance.now() + opts.forMs;
  while (performance.now() < until) {
    if (!condition()) {
      throw new Error(`expected ${opts.what} to hold for ${opts.forMs} ms, but it stopped holding${opts.describe ? `; state: ${safeDescribe(opts.describe)}` : ''}`);
    }
    await delay(opts.intervalMs ?? 20);
  }
}

/** A promise that resolves after `ms`: for poll intervals only, never as a wait for a condition. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function safeDescribe(describe: () => string): string {
  try {
    return describe();
  } catch (err) {
    return `(describe failed: ${err instanceof Error ? err.message : String(err)})`;
  }
}
