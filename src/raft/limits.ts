/**
 * Numeric bounds the core enforces on every input (validateInput.ts).
 *
 * Why 2^48 for terms: a term grows by one per election, so even one election per millisecond
 * takes about 8,900 years to reach 2^48, while it stays 32 times below 2^53: `term + 1`
 * (a campaign, a pre-vote's future term) and every sum the core forms remain exact safe
 * integers. Before this bound, one forged heartbeat with term 2^53 - 1 was persisted and
 * ended elections for good: the next term is not a safe integer peers accept.
 * Indexes get the same bound: at a million entries a second, 2^48 lasts nine years.
 */
export const MAX_TERM = 2 ** 48;

/** Largest log index (and commit index) accepted in a message. */
export const MAX_INDEX = 2 ** 48;

/** Largest sequence number (heartbeat rounds, AppendEntries stamps) accepted in a message. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;
