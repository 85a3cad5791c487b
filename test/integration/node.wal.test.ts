/**
 * Damaged write-ahead logs on a real node (killed with SIGKILL, its files edited, then
 * restarted by the lab):
 *   - a torn final record (a crash mid-append) is cut off with a warning; the node starts
 *     and catches up from the leader (§5.3: the leader repairs a follower's log);
 *   - a flipped byte inside an early record is corruption: the node refuses to start,
 *     names the file and offset, exits non-zero and applies nothing, while the other two
 *     nodes keep serving.
 */
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';
import { flipByteInRecord, newestWalSegment, tearLastRecord, walRecords, walSegments } from './helpers/walFiles';

useClusterTeardown();

async function writeKeys(client: TestKvClient, prefix: string, count: number): Promise<number> {
  let last = 0;
  for (let i = 0; i < count; i++) {
    const r = await client.put(`${prefix}${i}`, `${prefix}-value-${i}`);
    expect(r.status, JSON.stringify(r)).toBe('ok');
    if (r.status === 'ok') last = r.index;
  }
  return last;
}

async function startWithFollower(label: string): Promise<{ tc: TestCluster; follower: NodeId; client: TestKvClient }> {
  const tc = await TestCluster.start({ options: { nodes: 3, fsync: 'always' }, label });
  const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
  const client = new TestKvClient(kvTargetOf(tc));
  onCleanup(() => client.close());
  return { tc, follower: tc.ids().find((id) => id !== leader)!, client };
}

describe('WAL damage', () => {
  it('a torn final record (a crash mid-append) is cut off with a warning; the node starts and catches up', async () => {
    const { tc, follower, client } = await startWithFollower('wal-torn');
    const leader = tc.cluster.leader()!;
    const before = await writeKeys(client, 'a', 20);
    await tc.waitForApplied(before, { timeoutMs: 10_000 });

    // A crash between a WAL append and the acknowledgement it enables: the follower's
    // acknowledgements are dropped while it persists a few more entries, so its last
    // records hold entries the leader never heard it store (the leader commits them with
    // the other follower). Those are what a torn final write may lose.
    await tc.cluster.applyFault({ kind: 'link', from: follower, to: leader, drop: 1 });
    const unacked = await writeKeys(client, 'u', 5);
    // It stores them (its log reaches `unacked`; it cannot learn that they commit, §5.3:
    // the leader only tells it commit indexes its acknowledgements vouch for).
    await waitFor(() => (tc.latestMetrics(follower)?.lastIndex ?? 0) >= unacked, {
      timeoutMs: 10_000,
      what: `follower ${follower} to store index ${unacked}`,
      describe: () => tc.describe(),
    });
    await tc.cluster.kill(follower);
    await tc.cluster.heal();
    const segment = newestWalSegment(tc.dataDir(follower));
    const torn = tearLastRecord(segment);
    const after = await writeKeys(client, 'b', 10);

    const mark = tc.mark();
    await tc.cluster.restart(follower);
    // The warning names the segment and the torn record's offset, in the node's log file
    // (its stderr) and as 'log' telemetry.
    const warning = `${segment}: torn final record at byte offset ${torn.recordOffset}`;
    await waitFor(() => tc.logText(follower).includes(warning), {
      timeoutMs: 5000,
      what: 'the torn-tail warning in the node log',
      describe: () => tc.logText(follower).slice(-2000),
    });
    await waitFor(() => tc.eventsOf('log', follower, mark).some((e) => e.level === 'warn' && e.message.includes(warning)), {
      timeoutMs: 5000,
      what: "the torn-tail warning as 'log' telemetry",
    });

    await tc.waitForApplied(after, { timeoutMs: 15_000 });
    const leaderLog = tc.appliedLog(leader);
    const followerLog = tc.appliedLog(follower);
    for (let i = 1; i <= after; i++) expect(followerLog.get(i)?.digest, `index ${i}`).toBe(leaderLog.get(i)?.digest);
    expect(tc.view(follower).process).toBe('restarted');
    expect(tc.violations()).toEqual([]);
  });

  // A follower that lost entries it had ACKNOWLEDGED (its torn record was acked, so the
  // leader's match is past the follower's new last index): Raft assumes acknowledged
  // entries stay durable, but a lab that tears WAL tails on purpose must survive it. The
  // leader lowers its match on such a rejection (src/raft/replication.ts handleRejection)
  // instead of probing match+1 forever.
  it('a follower whose torn record had been acknowledged still catches up', async () => {
    const { tc, follower, client } = await startWithFollower('wal-torn-acked');
    const before = await writeKeys(client, 'a', 30);
    await tc.waitForApplied(before, { timeoutMs: 10_000 });
    await tc.cluster.kill(follower);
    tearLastRecord(newestWalSegment(tc.dataDir(follower)));
    const after = await writeKeys(client, 'b', 10);
    await tc.cluster.restart(follower);
    await tc.waitForApplied(after, { timeoutMs: 15_000 });
  });

  it('a flipped byte in an early record stops the node from starting; the rest keeps serving', async () => {
    const { tc, follower, client } = await startWithFollower('wal-flip');
    const before = await writeKeys(client, 'a', 30);
    await tc.waitForApplied(before, { timeoutMs: 10_000 });

    await tc.cluster.kill(follower);
    const segment = walSegments(tc.dataDir(follower))[0];
    expect(walRecords(segment).length).toBeGreaterThan(3);
    const { recordOffset } = flipByteInRecord(segment, 1);

    const mark = tc.mark();
    // restart() waits for 'ready', which never comes: watch the process instead.
    const restarting = tc.cluster.restart(follower).then(
      () => 'ready',
      (err: Error) => err,
    );
    const crashed = await waitFor(() => tc.eventsOf('process', follower, mark).find((e) => e.state === 'crashed' || e.state === 'stopped'), {
      timeoutMs: 15_000,
      what: 'the node with a corrupt WAL to exit',
      describe: () => tc.logText(follower).slice(-2000),
    });
    expect(crashed.state).toBe('crashed');
    expect(crashed.code).not.toBe(0);
    expect(crashed.code).not.toBeNull();
    const log = tc.logText(follower);
    expect(log).toContain(`storage corruption in ${segment} at byte offset ${recordOffset}`);
    // It never became ready and never applied anything.
    expect(tc.eventsOf('ready', follower, mark)).toEqual([]);
    expect(tc.eventsOf('apply', follower, mark)).toEqual([]);

    // The other two are a majority and keep serving.
    const after = await writeKeys(client, 'b', 10);
    expect(after).toBeGreaterThan(before);
    const live = tc.ids().filter((id) => id !== follower);
    await tc.waitForApplied(after, { timeoutMs: 10_000, nodes: live });
    expect(tc.violations()).toEqual([]);
    // The lab's restart() only gives up at its ready timeout; don't wait for it.
    void restarting;
  });
});
