/**
 * Errors raised by durable storage. Corruption is never papered over: recovery either
 * returns a state it fully trusts or throws one of these, naming the file and offset so
 * the operator can look at the bytes.
 */

/** The data on disk is damaged somewhere other than a torn final write. */
export class StorageCorruptionError extends Error {
  override readonly name = 'StorageCorruptionError';
  constructor(
    /** Absolute or data-dir-relative path of the damaged file. */
    readonly file: string,
    /** Byte offset of the damaged record or field within `file`. */
    readonly offset: number,
    /** What is wrong, without the location (the message adds it). */
    readonly reason: string,
  ) {
    super(`storage corruption in ${file} at byte offset ${offset}: ${reason}`);
  }
}

/** A save() failed part-way; the storage refuses further writes (its tail state is unknown). */
export class StorageFailedError extends Error {
  override readonly name = 'StorageFailedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
