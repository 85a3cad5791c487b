/**
 * One send at a time per ZeroMQ socket.
 *
 * zeromq.js allows a single pending `send()` per socket; a second one throws EBUSY
 * *synchronously* (docs/platform-facts.md#zeromq). A pump owns that right for its socket: when kicked it
 * pulls messages from its source one by one, awaits each send, and reports each outcome.
 * Pulling (rather than pushing frames into a queue) lets a source build its frame at the
 * last moment, batching everything that accumulated while the previous send was pending.
 *
 * Kicks are coalesced into one microtask, so every message produced by one synchronous
 * step (say, a Raft step's outputs) is available when the source builds its first frame.
 */
import type { Writable } from 'zeromq';

/**
 * sent: queued in ZeroMQ. dropped: ZeroMQ refused it now (EAGAIN: peer not connected or
 * at its high-water mark; EHOSTUNREACH: unknown routing id). closed: the socket closed.
 * error: anything else (a bug, reported through onError).
 */
export type SendOutcome = 'sent' | 'dropped' | 'closed' | 'error';

export interface Outgoing<C> {
  message: Uint8Array | Uint8Array[];
  context: C;
}

export interface PumpSocket extends Writable {
  readonly closed: boolean;
}

export interface SendPumpHooks<C> {
  /** The next message to send, or undefined when there is nothing to send now. */
  next(): Outgoing<C> | undefined;
  /** Called once per message taken from `next`. */
  settled(item: Outgoing<C>, outcome: SendOutcome, error?: unknown): void;
  /** Unexpected failures (a throwing hook, an unknown send error). */
  onError(error: unknown, context: string): void;
}

export class SendPump<C> {
  private sending = false;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly socket: PumpSocket,
    private readonly hooks: SendPumpHooks<C>,
  ) {}

  /** True while a send is in progress or scheduled. */
  get busy(): boolean {
    return this.sending || this.scheduled;
  }

  /** Asks the pump to send whatever its source has. Cheap to call often. */
  kick(): void {
    if (this.sending || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  /** Resolves once the pump has nothing left to send (or its socket closed). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (!this.socket.closed) {
        let item: Outgoing<C> | undefined;
        try {
          item = this.hooks.next();
        } catch (error) {
          // Stop rather than retry at once: a source that keeps throwing must not spin.
          // The next kick tries again.
          this.hooks.onError(error, 'building an outgoing message');
          break;
        }
        if (item === undefined) break;
        const outcome = await this.sendOne(item);
        if (outcome === 'closed') break;
      }
    } finally {
      // try/finally: a failure must never leave the pump believing a send is pending
      // (the bug of zeromq.js's examples/queue, docs/platform-facts.md#zeromq).
      this.sending = false;
      if (!this.scheduled) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  private async sendOne(item: Outgoing<C>): Promise<SendOutcome> {
    let outcome: SendOutcome;
    let failure: unknown;
    try {
      // Awaited inside try: EBUSY and friends are thrown synchronously by send().
      await this.socket.send(item.message);
      outcome = 'sent';
    } catch (error) {
      failure = error;
      outcome = classifySendError(error, this.socket.closed);
      if (outcome === 'error') this.hooks.onError(error, 'sending');
    }
    try {
      this.hooks.settled(item, outcome, failure);
    } catch (error) {
      this.hooks.onError(error, 'settling a sent message');
    }
    return outcome;
  }
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function classifySendError(error: unknown, socketClosed: boolean): SendOutcome {
  const code = errorCode(error);
  if (code === 'EAGAIN' || code === 'EHOSTUNREACH') return 'dropped';
  if (socketClosed || code === 'ENOTSOCK' || code === 'ETERM') return 'closed';
  return 'error';
}
