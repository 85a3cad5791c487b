/**
 * The cluster a data directory belongs to, in `dataDir/CLUSTER`, written once when the
 * directory is first used. A node started on a directory of another cluster would bring
 * that cluster's log, term and vote into this one: its entries could be committed here as
 * if this cluster's leaders had written them (Log Matching, §5.3, compares only index and
 * term, which two clusters share). So opening refuses a directory whose identity differs,
 * and one that holds a log but no identity (an older or foreign layout).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFully } from './fsUtil';
import { createPrivateFile, explainCreateError, readNoFollow } from './privateFiles';

export const CLUSTER_FILE = 'CLUSTER';
const HEADER = 'raftlab-cluster-v1';

/**
 * Checks `dir` belongs to `clusterId`, or records that it does when it holds no state yet.
 * @throws Error naming the directory and the cluster it belongs to
 */
export function claimClusterIdentity(dir: string, clusterId: string, durable: boolean): void {
  if (clusterId.length === 0 || /[\r\n]/.test(clusterId)) throw new Error(`cluster id must be one non-empty line, got ${JSON.stringify(clusterId)}`);
  const path = join(dir, CLUSTER_FILE);
  const existing = readNoFollow(path);
  if (existing !== undefined) {
    const [header, id] = existing.toString('utf8').split('\n');
    if (header !== HEADER || id === undefined) {
      throw new Error(`${path} is not a raftlab cluster identity file (it should start with "${HEADER}"); the data directory cannot be trusted`);
    }
    if (id !== clusterId) {
      throw new Error(
        `data directory ${dir} belongs to cluster "${id}", not to "${clusterId}": a node never resumes another cluster's log; use a new directory`,
      );
    }
    return;
  }
  const state = existingState(dir);
  if (state !== null) {
    throw new Error(`data directory ${dir} holds ${state} but no ${CLUSTER_FILE} file naming its cluster; refusing to adopt it into cluster "${clusterId}"`);
  }
  let fd: number;
  try {
    fd = createPrivateFile(path);
  } catch (err) {
    throw explainCreateError(path, err);
  }
  try {
    writeFully(fd, Buffer.from(`${HEADER}\n${clusterId}\n`), 0);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (durable) fsyncDir(dir);
}

/** What Raft state `dir` already holds (a description), or null when it holds none. */
function existingState(dir: string): string | null {
  const nonEmpty = (path: string): boolean => {
    try {
      return fs.lstatSync(path).size > 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  };
  if (nonEmpty(join(dir, 'hardstate'))) return 'a hard state';
  const listed = (sub: string): string[] => {
    try {
      return fs.readdirSync(join(dir, sub));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };
  if (listed('wal').some((name) => nonEmpty(join(dir, 'wal', name)))) return 'a write-ahead log';
  if (listed('snapshot').some((name) => name.endsWith('.snap'))) return 'a snapshot';
  return null;
}
