/**
 * Where the lab API may read and write recorded runs (docs/security.md#paths-and-files).
 *
 * A request names a run directory with a string from the renderer, which is as trusted as
 * whatever page runs in it. So:
 * - writes (run:export) and file reads (run:file) happen only inside the REAL path of the
 *   runs folder: `..` segments, absolute paths elsewhere and symbolic links that lead out
 *   (a run directory, or a run file such as report.html, linked to another place) are all
 *   judged after realpath, and refused;
 * - opening (run:open) may read a run anywhere the person typed, because runs are shared
 *   and copied around, but only reads: it opens events.jsonl and summary.json as plain files
 *   (no links), and a run opened from outside the runs folder cannot be exported or have
 *   files served from it.
 */
import { constants, closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A request names something outside what it may reach; shown to the person as is. */
export class RunPathError extends Error {
  override readonly name = 'RunPathError';
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export class RunsFolder {
  /** The runs folder as given (for messages) and its real path (for every check). */
  private readonly real: string;

  constructor(readonly dir: string) {
    // New runs folders are private; an existing one keeps the modes its owner gave it.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.real = realpathSync(dir);
  }

  /** True when the real path of `path` (which must exist) lies strictly inside the runs folder. */
  contains(path: string): boolean {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    return isInside(this.real, real);
  }

  /**
   * A run directory a request may export into or serve files from: `dir` resolved against
   * the runs folder, real path inside it, holding events.jsonl. Returns the real path.
   * @throws RunPathError when it lies outside the runs folder or is not a run
   */
  writableRunDir(dir: string): string {
    const full = resolve(this.dir, dir);
    let real: string;
    try {
      real = realpathSync(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunPathError(`${full} does not exist`);
      throw err;
    }
    if (!isInside(this.real, real)) {
      throw new RunPathError(`${full} is outside the runs folder ${this.dir}: only runs recorded there can be exported or read (copy the run into it first)`);
    }
    if (!statSync(real).isDirectory()) throw new RunPathError(`${full} is not a directory`);
    if (!isPlainFile(join(real, 'events.jsonl'))) throw new RunPathError(`${full} is not a run directory (no events.jsonl)`);
    return real;
  }

  /**
   * Reads one file of a run inside the runs folder as text; the file itself must be a plain
   * file (not a link that could lead anywhere).
   */
  readRunFile(runDir: string, name: string): string {
    const dir = this.writableRunDir(runDir);
    const path = join(dir, name);
    const text = readPlainFile(path);
    if (text === undefined) throw new RunPathError(`${name} does not exist in this run`);
    return text;
  }
}

/**
 * A run to open read-only from anywhere: `path` is a run directory or its events.jsonl,
 * resolved against the runs folder when relative. Returns the directory.
 */
export function openableRunDir(runsDir: string, path: string): string {
  const full = resolve(runsDir, path);
  let st;
  try {
    st = statSync(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunPathError(`${full} does not exist`);
    throw err;
  }
  const dir = st.isDirectory() ? full : dirname(full);
  if (!isPlainFile(join(dir, 'events.jsonl'))) throw new RunPathError(`${full} is not a run (no events.jsonl, or it is not a plain file)`);
  return dir;
}

/** The text of a plain file (no symbolic link followed), or undefined when there is none. */
export function readPlainFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new RunPathError(`${path} is a symbolic link; run files must be plain files`);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new RunPathError(`${path} is not a plain file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function isPlainFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** True when `child` is strictly below `root` (both real, absolute paths). */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}
