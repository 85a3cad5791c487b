/**
 * Running the fuzz frames (fuzz.frames.ts) against a live TestCluster: one raw CURVE PUSH
 * per node, holding another member's keys, connected to that node's peer socket. Shared by
 * the integration test (fuzz.cluster.test.ts) and the longer benchmark (test/bench/fuzz.ts).
 */
import { Push } from 'zeromq';
import type { NodeId } from '../../src/raft/types';
import { SealKeys } from '../../src/wire/frameSeal';
import { expectedTotals, fuzzFrames, type FuzzFrame, type FuzzSetup } from './fuzz.frames';
import type { TestCluster } from './helpers/testCluster';
import { delay } from './helpers/waitFor';

export interface FuzzTarget {
  node: NodeId;
  identity: NodeId;
  frames: FuzzFrame[];
  skipped: number;
  expected: ReturnType<typeof expectedTotals>;
  push: Push;
}

export interface FuzzRun {
  /** Messages that reach a core carry terms below this (the cluster's term at the start). */
  staleBelow: number;
  targets: FuzzTarget[];
  close(): void;
}

/**
 * Waits for a leader, moves leadership once (so an older real term exists: the fuzz's
 * stale terms include it), then builds `framesPerNode` frames for every node.
 */
export async function prepareFuzz(tc: TestCluster, framesPerNode: number, seed: number): Promise<FuzzRun> {
  const first = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
  const next = tc.ids().find((id) => id !== first.leader)!;
  await tc.cluster.transferLeader(next);
  const { term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
  const keys = tc.cluster.curveKeys;
  if (!keys) throw new Error('the fuzz needs CURVE (it sends as an admitted member)');
  const ids = tc.ids();
  const targets: FuzzTarget[] = [];
  for (const [i, node] of ids.entries()) {
    const identity = ids[(i + 1) % ids.length];
    const targetKey = keys.publicKeyOf(node)!;
    const setup: FuzzSetup = {
      clusterId: tc.clusterId,
      target: node,
      identity,
      members: ids,
      staleBelow: term,
      sealer: new SealKeys(keys.member(identity)).sealer(identity, targetKey),
      targetSeals: new SealKeys(keys.member(node)),
      publicKeyOf: (id) => (id === node ? undefined : keys.publicKeyOf(id)),
      maxFrameBytes: tc.nodeConfig(node).maxFrameBytes,
    };
    const { frames, skipped } = fuzzFrames(setup, framesPerNode, seed + node);
    const own = keys.member(identity);
    const push = new Push({ linger: 0, curveServerKey: targetKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey });
    push.connect(tc.peerAddress(node));
    targets.push({ node, identity, frames, skipped, expected: expectedTotals(frames), push });
  }
  return {
    staleBelow: term,
    targets,
    close: () => {
      for (const t of targets) t.push.close();
    },
  };
}

/**
 * Sends every target's frames, interleaved, in bursts of 50 with a 1 ms pause: thousands
 * of frames per second, without turning the run into a CPU-starvation test of two shared
 * cores. `send` waits while a node's receive queue is full (back-pressure), so nothing
 * is lost on the way.
 */
export async function sendFuzz(run: FuzzRun): Promise<void> {
  const longest = Math.max(...run.targets.map((t) => t.frames.length));
  for (let i = 0; i < longest; i++) {
    for (const t of run.targets) if (i < t.frames.length) await t.push.send(t.frames[i].bytes);
    if (i % 50 === 49) await delay(1);
  }
}

/** Frames tried, refused and delivered per message type (and family), over every target. */
export function fuzzTable(run: FuzzRun): Record<string, { tried: number; refused: number; delivered: number; reasons: Record<string, number> }> {
  const table: Record<string, { tried: number; refused: number; delivered: number; reasons: Record<string, number> }> = {};
  for (const t of run.targets) {
    for (const f of t.frames) {
      const key = `${f.family}/${f.type}`;
      const row = (table[key] ??= { tried: 0, refused: 0, delivered: 0, reasons: {} });
      row.tried++;
      if (f.delivered > 0) row.delivered++;
      if (Object.keys(f.refusals).length > 0) row.refused++;
      for (const [k, n] of Object.entries(f.refusals)) row.reasons[k] = (row.reasons[k] ?? 0) + n;
    }
  }
  return table;
}
