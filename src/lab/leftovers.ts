/**
 * What a lab that died without cleaning up leaves behind, and how the next lab start removes
 * it: node processes (a pid file per node of each run, `<runDir>/pids/node-N.pid`) and
 * temporary folders (data and ipc socket folders, marked with their owning lab).
 *
 * A process is identified by pid AND start time (and, for nodes, the config path on its
 * command line), so a pid reused by an unrelated process is never killed. Anything whose
 * lab is still alive belongs to that lab (two labs may share a runs folder: the app and a
 * CLI run) and is left alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a run keeps its node pid files. */
export const PID_DIR = 'pids';
/** The marker naming the lab that owns a temporary folder. */
const OWNER_FILE = '.raftlab-owner';
/** Prefixes of the temporary folders labs create (cluster data, ipc sockets). */
export const TEMP_PREFIXES = ['raftlab-data-', 'rl-'] as const;

interface ProcessRecord {
  pid: number;
  /** From processStartTime(); null where the platform cannot tell. */
  start: string | null;
}

interface NodePidFile {
  /** `commandMark`: a word of the node's command line (its script path), checked before a kill so a reused pid is never killed. */
  node: ProcessRecord & { commandMark: string };
  lab: ProcessRecord;
}

/** A stable identity for a live process's start, or null when it is gone or unknown. */
export function processStartTime(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 22 (starttime), counted after the command name, which may hold spaces.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
      throw err;
    }
  }
  if (process.platform === 'win32') return null;
  const ps = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' });
  const out = ps.status === 0 ? ps.stdout.trim() : '';
  return out === '' ? null : out;
}

/** The command line of a live process, or null (gone, or not readable here). */
function commandLine(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
      throw err;
    }
  }
  if (process.platform === 'win32') return null;
  const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() : null;
}

/** True when `rec` names a process that is running now (same pid, same start). */
function stillRunning(rec: ProcessRecord): boolean {
  if (!Number.isSafeInteger(rec.pid) || rec.pid <= 0) return false;
  const now = processStartTime(rec.pid);
  return now !== null && (rec.start === null || now === rec.start);
}

const thisLab = (): ProcessRecord => ({ pid: process.pid, start: processStartTime(process.pid) });
let labRecord: ProcessRecord | undefined;

/** Writes the pid file of a node just spawned; returns its path (remove it on exit). */
export function writeNodePidFile(runDir: string, node: number, pid: number, commandMark: string): string {
  const dir = join(runDir, PID_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `node-${node}.pid`);
  labRecord ??= thisLab();
  const record: NodePidFile = { node: { pid, start: processStartTime(pid), commandMark }, lab: labRecord };
  writeFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return path;
}

/** Removes a node's pid file once its process has exited. */
export function removeNodePidFile(path: string): void {
  rmSync(path, { force: true });
}

export interface ReapReport {
  /** Node processes killed: pid and the run they belonged to. */
  killed: Array<{ pid: number; runDir: string }>;
  /** Temporary folders removed. */
  removedDirs: string[];
  /** Things that could not be judged or removed, in words. */
  problems: string[];
}

/**
 * Kills node processes left by dead labs in `runsDir`'s runs and removes their pid files,
 * then removes temporary folders whose lab is dead (see the module comment).
 */
export function reapLeftovers(runsDir: string, tempDir = tmpdir()): ReapReport {
  const report: ReapReport = { killed: [], removedDirs: [], problems: [] };
  if (process.platform === 'win32') {
    // No start times to tell a live lab from a dead one: reaping could hit a running lab.
    report.problems.push('leftover processes and folders are not reaped on Windows');
    return report;
  }
  for (const runDir of listDirs(runsDir, report)) {
    const pidDir = join(runDir, PID_DIR);
    if (!existsSync(pidDir)) continue;
    for (const name of readdirSync(pidDir)) {
      if (!name.endsWith('.pid')) continue;
      const path = join(pidDir, name);
      let rec: NodePidFile;
      try {
        rec = JSON.parse(readFileSync(path, 'utf8')) as NodePidFile;
      } catch (err) {
        report.problems.push(`unreadable pid file ${path} (${(err as Error).message}): removed`);
        unlinkSync(path);
        continue;
      }
      // A live lab's node (this very lab's too): pid and start time both match a running lab.
      if (stillRunning(rec.lab)) continue;
      if (stillRunning(rec.node) && (commandLine(rec.node.pid) ?? '').includes(rec.node.commandMark)) {
        try {
          process.kill(rec.node.pid, 'SIGKILL');
          report.killed.push({ pid: rec.node.pid, runDir });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
            report.problems.push(`could not kill node process ${rec.node.pid} of ${runDir}: ${(err as Error).message}`);
            continue;
          }
        }
      }
      unlinkSync(path);
    }
  }
  removeOrphanTempDirs(tempDir, report);
  return report;
}

/** A temporary folder owned by this lab (removed by the next start if the lab dies first). */
export function makeOwnedTempDir(prefix: (typeof TEMP_PREFIXES)[number]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  labRecord ??= thisLab();
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(labRecord)}\n`, { mode: 0o600 });
  return dir;
}

function removeOrphanTempDirs(tempDir: string, report: ReapReport): void {
  let names: string[];
  try {
    names = readdirSync(tempDir);
  } catch (err) {
    report.problems.push(`could not list ${tempDir}: ${(err as Error).message}`);
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    if (!TEMP_PREFIXES.some((p) => name.startsWith(p))) continue;
    const dir = join(tempDir, name);
    const marker = join(dir, OWNER_FILE);
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || !existsSync(marker)) continue;
      const owner = JSON.parse(readFileSync(marker, 'utf8')) as ProcessRecord;
      if (stillRunning(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
      report.removedDirs.push(dir);
    } catch (err) {
      report.problems.push(`could not clean up ${dir}: ${(err as Error).message}`);
    }
  }
}

function listDirs(dir: string, report: ReapReport): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(dir, d.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') report.problems.push(`could not list ${dir}: ${(err as Error).message}`);
    return [];
  }
}
