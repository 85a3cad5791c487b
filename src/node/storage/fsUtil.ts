/**
 * Small synchronous file helpers for durable storage. Sync calls are deliberate: a node's
 * writes are tiny and the measured cost of sync append + fdatasync (~0.2 ms) is lower than
 * the async FileHandle path (docs/platform-facts.md#durable-writes).
 */
import * as fs from 'node:fs';
import { createPrivateFile, explainCreateError } from './privateFiles';

/** Makes a directory's entries (created, renamed files) durable. Works on Linux and macOS. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes every byte of `data` at `position`, looping over short writes. */
export function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done, position + done);
  }
}

/**
 * Replaces `path` atomically: write `path.tmp`, fsync it, rename over `path`, fsync the
 * directory. Readers see the old file or the new one, never a mix. With `durable` false
 * the fsyncs are skipped (the rename is still atomic against a process crash).
 * Returns the milliseconds spent in fsync calls.
 */
export function writeFileAtomic(path: string, dir: string, chunks: readonly Uint8Array[], durable: boolean): number {
  const tmp = `${path}.tmp`;
  // A leftover from a crash is ours to replace; anything planted there is not followed.
  fs.rmSync(tmp, { force: true });
  let fd: number;
  try {
    fd = createPrivateFile(tmp);
  } catch (err) {
    throw explainCreateError(tmp, err);
  }
  let syncMs = 0;
  try {
    let position = 0;
    for (const chunk of chunks) {
      writeFully(fd, chunk, position);
      position += chunk.length;
    }
    if (durable) syncMs += timed(() => fs.fsyncSync(fd));
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  if (durable) syncMs += timed(() => fsyncDir(dir));
  return syncMs;
}

/** Runs `fn` and returns how long it took in milliseconds. */
export function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Reads a whole file, or returns undefined when it does not exist. */
export function readIfExists(path: string): Buffer | undefined {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
