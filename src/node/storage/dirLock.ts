/**
 * A pid file that keeps two live node processes from writing one data directory (which
 * would interleave WAL records and corrupt it). A lock left by a dead process — a node
 * that was SIGKILLed — is taken over.
 *
 * WHY O_CREAT|O_EXCL|O_NOFOLLOW (privateFiles.ts): taking the lock is one atomic create, so
 * two processes starting at once cannot both win (a read-then-write can), and a symbolic
 * link planted at LOCK is never written through. The one remaining window is a stale lock
 * (its holder dead) seen by two processes at the same instant: both remove it and one of
 * the two exclusive creates fails, which is reported as "in use", not ignored.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { writeFully } from './fsUtil';
import { createPrivateFile, explainCreateError, readNoFollow } from './privateFiles';

const LOCK_NAME = 'LOCK';
/** A LOCK without a pid younger than this is being written by its creator right now. */
const FRESH_LOCK_MS = 5000;

export class DirLock {
  private constructor(private readonly path: string) {}

  /** Takes the lock on `dir`, or throws naming the process that holds it. */
  static acquire(dir: string): DirLock {
    const path = join(dir, LOCK_NAME);
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = createPrivateFile(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw explainCreateError(path, err);
        removeIfStale(dir, path);
        continue;
      }
      try {
        writeFully(fd, Buffer.from(`${process.pid}\n`), 0);
      } finally {
        fs.closeSync(fd);
      }
      return new DirLock(path);
    }
    throw new Error(`data directory ${dir} is being locked by another process at the same moment (${path})`);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    const content = readNoFollow(this.path);
    if (content !== undefined && content.toString('utf8').trim() === String(process.pid)) fs.unlinkSync(this.path);
  }
}

/** Removes a LOCK whose holder is gone; throws when it is held or cannot be judged. */
function removeIfStale(dir: string, path: string): void {
  // readNoFollow refuses a symbolic link with a clear error: never follow a planted LOCK.
  const content = readNoFollow(path);
  if (content === undefined) return; // removed meanwhile: try the create again
  const text = content.toString('utf8').trim();
  const holder = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(holder) || holder <= 0) {
    const age = Date.now() - fs.lstatSync(path).mtimeMs;
    if (age < FRESH_LOCK_MS) throw new Error(`data directory ${dir} is being locked by another process (${path} is still empty)`);
  } else if (holder !== process.pid && isAlive(holder)) {
    throw new Error(`data directory ${dir} is in use by process ${holder} (remove ${path} if that is wrong)`);
  }
  fs.unlinkSync(path);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
