/**
 * A pid file that keeps two live node processes from writing one data directory (which
 * would interleave WAL records and corrupt it). A lock left by a dead process — a node
 * that was SIGKILLed — is taken over.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';

const LOCK_NAME = 'LOCK';

export class DirLock {
  private constructor(private readonly path: string) {}

  /** Takes the lock on `dir`, or throws naming the process that holds it. */
  static acquire(dir: string): DirLock {
    const path = join(dir, LOCK_NAME);
    let holder: number | undefined;
    try {
      holder = Number.parseInt(fs.readFileSync(path, 'utf8').trim(), 10);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (holder !== undefined && Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`data directory ${dir} is in use by process ${holder} (remove ${path} if that is wrong)`);
    }
    fs.writeFileSync(path, `${process.pid}\n`);
    return new DirLock(path);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    try {
      if (fs.readFileSync(this.path, 'utf8').trim() === String(process.pid)) fs.unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
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
