/**
 * Which core emission each peer message is (issue 10: a send on one node and its receipt on
 * another pair up exactly; issue 11: the debugger names held messages). An id is
 * `from.incarnation.n`: the n-th message the sender's core emitted in that incarnation, counted
 * in the order of each step's `messages` (src/contract/debug.ts; replay counts the same way,
 * src/replay/messages.ts).
 *
 * The core's `Message` objects carry no id (the core stays ignorant of the wire), so ids ride
 * beside them in a WeakMap keyed by the object: the runtime numbers each step's messages, the
 * transport writes the numbers into the frame (codecRaftWire.ts) and, on the other side, keys
 * each decoded message object with the id it arrived with. A duplicating link fault delivers
 * the same object twice, so both copies keep the id, as they should.
 */
import type { Message } from '../../raft/types';

export interface MessageId {
  from: number;
  incarnation: number;
  /** 1-based; 0 when the sender sent none (a test, or an older sender). */
  n: number;
}

export function formatMessageId(id: MessageId): string {
  return `${id.from}.${id.incarnation}.${id.n}`;
}

export class MessageIds {
  private readonly ids = new WeakMap<Message, MessageId>();
  private sent = 0;

  /** @param incarnation this process's incarnation (its journal's; 0 without a journal). */
  constructor(
    readonly self: number,
    readonly incarnation: number,
  ) {}

  /** Numbers the messages one step emitted, in their order (call once per step, right after it). */
  numberSent(messages: readonly Message[]): void {
    for (let i = 0; i < messages.length; i++) this.ids.set(messages[i], { from: this.self, incarnation: this.incarnation, n: ++this.sent });
  }

  /** Keys a received message with the id its frame carried. */
  received(message: Message, incarnation: number, n: number): void {
    this.ids.set(message, { from: message.from, incarnation, n });
  }

  get(message: Message): MessageId | undefined {
    return this.ids.get(message);
  }

  /** The id's words, or `from.?.?` when the message came without one. */
  describe(message: Message): string {
    const id = this.ids.get(message);
    return id ? formatMessageId(id) : `${message.from}.?.?`;
  }

  /** This process's own number of a message it sent (0: not one of its own). */
  sentNumber(message: Message): number {
    const id = this.ids.get(message);
    return id && id.from === this.self ? id.n : 0;
  }
}
