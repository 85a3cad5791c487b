/**
 * Opening the files of a data directory so that another local user cannot read them or
 * redirect them (docs/security.md#paths-and-files):
 *
 * - directories are created 0700 and, when they already exist, must belong to this user and
 *   be closed to everyone else (group and others get no bits). A directory someone else made
 *   (a planted /tmp/xyz) or one others can write (they could swap files in it) is refused;
 * - files are created 0600 with O_CREAT|O_EXCL|O_NOFOLLOW, and opened again with O_NOFOLLOW,
 *   so a symbolic link planted where a file is expected fails with EEXIST/ELOOP instead of
 *   being written through.
 *
 * On Windows there are no POSIX owners, modes or O_NOFOLLOW; the checks that cannot apply
 * there are skipped (the flags are 0).
 */
import * as fs from 'node:fs';

const { O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY } = fs.constants;
/** 0 where the platform has no such flag (Windows). */
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Modes for everything a node or the lab writes about a run. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** A path that is not safe to use as a private directory or file; the message says why and what to do. */
export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`refusing ${path}: ${reason}`);
  }
}

const hasOwners = typeof process.getuid === 'function';

/**
 * Makes sure `dir` is a private directory of this user: creates it (and missing parents)
 * with mode 0700, or checks that an existing one is a directory owned by this user with no
 * group/other permission bits. Returns true when it was created.
 * @throws UnsafePathError naming the directory and what is wrong with it
 */
export function ensurePrivateDir(dir: string): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // mkdir's mode passes through the umask, which can only remove bits: 0700 stays 0700
    // or less. Check anyway, the directory could have been replaced in between.
    checkPrivateDir(dir, fs.statSync(dir));
    return true;
  }
  checkPrivateDir(dir, st);
  // A symbolic link is followed only when the link itself is ours too: someone else's
  // link could be re-pointed at any moment.
  const link = fs.lstatSync(dir);
  if (link.isSymbolicLink() && hasOwners && link.uid !== process.getuid!()) {
    throw new UnsafePathError(dir, `it is a symbolic link owned by uid ${link.uid}, not by you (uid ${process.getuid!()})`);
  }
  return false;
}

function checkPrivateDir(dir: string, st: fs.Stats): void {
  if (!st.isDirectory()) throw new UnsafePathError(dir, 'it exists and is not a directory');
  if (!hasOwners) return;
  const uid = process.getuid!();
  if (st.uid !== uid) throw new UnsafePathError(dir, `it belongs to uid ${st.uid}, not to you (uid ${uid}); use a new directory`);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw new UnsafePathError(dir, `other users have access to it (mode ${mode}); run \`chmod 700 ${dir}\` or use a new directory`);
  }
}

/** Creates `path` exclusively (fails with EEXIST if anything, even a dangling link, is there), 0600. */
export function createPrivateFile(path: string, access: 'write' | 'readwrite' = 'write'): number {
  return fs.openSync(path, (access === 'write' ? O_WRONLY : O_RDWR) | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
}

/** Opens an existing file without following a symbolic link (ELOOP if `path` is one). */
export function openExistingNoFollow(path: string, access: 'read' | 'readwrite'): number {
  return fs.openSync(path, (access === 'read' ? O_RDONLY : O_RDWR) | O_NOFOLLOW);
}

/** Reads a whole file without following a symbolic link; undefined when it does not exist. */
export function readNoFollow(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openExistingNoFollow(path, 'read');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UnsafePathError(path, 'it is a symbolic link where a plain file must be (someone may have planted it)');
    throw err;
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A clear error for a failed exclusive create: a planted link or file says so. */
export function explainCreateError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') {
    let what = 'a file';
    try {
      if (fs.lstatSync(path).isSymbolicLink()) what = 'a symbolic link';
    } catch {
      // Gone again: the generic wording fits.
      what = 'something';
    }
    return new UnsafePathError(path, `${what} is already there where a new private file must be created`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
