/**
 * CURVE on a live cluster (docs/security.md, "Keys and sockets"). A local process that
 * read everything public (the run folder's node configs: addresses, cluster id, public
 * keys) but holds no admitted key cannot deliver a frame to a node's peer socket, to the
 * lab's control socket (to take a node's name) or to the lab's telemetry collector (to
 * forge the checkers' input); and an admitted node cannot speak for another.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dealer, Push } from 'zeromq';
import { encodeFrame } from '../../src/contract/codec';
import type { Message } from '../../src/raft/types';
import { newCurveKeyPair, SealKeys, type CurveKeyPair } from '../../src/wire/frameSeal';
import { zapTotals } from '../../src/wire/zapHandler';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

const OPTIONS = { nodes: 3, fsync: 'never' as const, electionTimeoutMinMs: 600, electionTimeoutMaxMs: 1200, heartbeatMs: 100 };

function push(address: string, serverKey: string, own: CurveKeyPair | null): Push {
  const socket = new Push({ linger: 0, sendTimeout: 2000, ...(own ? { curveServerKey: serverKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey } : {}) });
  onCleanup(() => socket.close());
  socket.connect(address);
  return socket;
}

/** Sends without waiting for a connection that will never complete. */
function fire(socket: Push | Dealer, frame: Uint8Array): void {
  void socket.send(frame).catch(() => undefined);
}

function refused(purpose: string): number {
  return zapTotals()[purpose]?.refused ?? 0;
}

describe('CURVE on a live cluster', () => {
  it('a process without an admitted key delivers nothing to a node, the control socket or the telemetry collector', async () => {
    const tc = await TestCluster.start({ options: OPTIONS, label: 'sec-strangers' });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const follower = tc.ids().find((id) => id !== leader)!;
    // Everything a stranger can read: the run folder's config copy (0600 for other users,
    // but this test plays a process of the same user that has no key).
    const config = tc.nodeConfig(follower);
    // The copy keeps no secret (the node got its config on stdin), and only its owner may read it.
    const secret = tc.cluster.curveKeys!.member(follower).secretKey;
    expect(readFileSync(join(tc.runDir, `node-${follower}.json`), 'utf8')).not.toContain(secret);
    expect(statSync(join(tc.runDir, `node-${follower}.json`)).mode & 0o077).toBe(0);
    const followerKey = config.security!.publicKey;
    const labKey = config.security!.labPublicKey;
    const mark = tc.mark();
    const controlRefusedBefore = refused('control');
    const telemetryRefusedBefore = refused('telemetry');

    // 1. Peer socket: a heartbeat from "the leader" 100 terms ahead, and a timeoutNow,
    //    from a stranger's key and from a plaintext socket.
    const deposing: Message[] = [
      { type: 'heartbeat', from: leader, to: follower, term: term + 100, commit: 0, seq: 1 },
      { type: 'timeoutNow', from: leader, to: follower, term },
    ];
    const stranger = newCurveKeyPair();
    for (const own of [stranger, null]) fire(push(tc.peerAddress(follower), followerKey, own), encodeFrame('raft', tc.clusterId, deposing));

    // 2. Control socket: claim the follower's routing id (taking over its name would
    //    swallow the lab's fault commands).
    const squatter = new Dealer({ linger: 0, routingId: `node-${follower}`, probeRouter: true, curveServerKey: labKey, curvePublicKey: stranger.publicKey, curveSecretKey: stranger.secretKey });
    onCleanup(() => squatter.close());
    squatter.connect(config.controlAddress);

    // 3. Telemetry: a forged 'role' event (a second leader in the same term: the checkers
    //    would report an Election Safety violation that never was).
    const forged = encodeFrame('telemetry', tc.clusterId, { node: follower, seq: 0, events: [{ t: 1, type: 'role', role: 'leader', term, leader: follower }] });
    for (const own of [stranger, null]) fire(push(config.telemetryAddress, labKey, own), forged);

    await waitFor(() => (tc.latestMetrics(follower)?.rejectedFrames.handshake ?? 0) >= 1 || null, {
      timeoutMs: 10_000,
      what: 'the follower to refuse the stranger at the handshake',
    });
    await waitFor(() => (refused('control') > controlRefusedBefore && refused('telemetry') > telemetryRefusedBefore) || null, {
      timeoutMs: 10_000,
      what: 'the lab to refuse the stranger on its control and telemetry sockets',
    });

    // The name is still the follower's: a fault command reaches it and is acknowledged.
    await tc.cluster.control(follower, { cmd: 'setLinkRules', rules: [] });
    // Nothing the stranger sent took effect: no term jump, no second leader, no violation.
    expect(tc.eventsOf('role', undefined, mark).filter((e) => e.term >= term + 100)).toEqual([]);
    expect(tc.eventsOf('role', follower, mark).filter((e) => e.role === 'leader' && e.term === term)).toEqual([]);
    expect(tc.violations()).toEqual([]);
    expect(tc.cluster.nodes().every((v) => v.process === 'started')).toBe(true);
  });

  it('an admitted node cannot speak for another: its frames in another name are refused and counted', async () => {
    const tc = await TestCluster.start({ options: OPTIONS, label: 'sec-impostor' });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const [follower, impostor] = tc.ids().filter((id) => id !== leader);
    const keys = tc.cluster.curveKeys!;
    const own = keys.member(impostor);
    const followerKey = keys.publicKeyOf(follower)!;
    const mark = tc.mark();
    const socket = push(tc.peerAddress(follower), followerKey, own);
    const seals = new SealKeys(own);
    const asLeader: Message[] = [{ type: 'heartbeat', from: leader, to: follower, term: term + 100, commit: 0, seq: 1 }];
    // Sealed truthfully as the impostor, in the leader's name.
    await socket.send(encodeFrame('raft', tc.clusterId, asLeader, seals.sealer(impostor, followerKey)));
    // A seal that claims the leader, made with the impostor's key.
    await socket.send(encodeFrame('raft', tc.clusterId, asLeader, seals.sealer(leader, followerKey)));
    // No seal.
    await socket.send(encodeFrame('raft', tc.clusterId, asLeader));

    const counted = await waitFor(
      () => {
        const r = tc.latestMetrics(follower)?.rejectedFrames ?? {};
        return (r.impersonation ?? 0) >= 1 && (r.forged ?? 0) >= 1 && (r.unsealed ?? 0) >= 1 ? r : null;
      },
      { timeoutMs: 10_000, what: 'the follower to count the impersonations', describe: () => JSON.stringify(tc.latestMetrics(follower)?.rejectedFrames) },
    );
    expect(counted).toMatchObject({ impersonation: 1, forged: 1, unsealed: 1 });
    // (The telemetry collector and the control socket hold members to their own name the
    // same way: test/unit/node/transport/curve.test.ts.)
    expect(tc.eventsOf('role', undefined, mark).filter((e) => e.term >= term + 100)).toEqual([]);
    expect(tc.violations()).toEqual([]);
  });
});
