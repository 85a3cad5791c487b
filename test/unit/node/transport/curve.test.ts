/**
 * CURVE on the transport's sockets: a process without an admitted key cannot deliver a
 * frame to the peer socket, the lab's control socket or the lab's telemetry collector; an
 * admitted member cannot speak for another node (peer `from`, control routing id,
 * telemetry `node`): its frames are refused and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Push } from 'zeromq';
import { encodeFrame } from '../../../../src/contract/codec';
import type { TelemetryBatch } from '../../../../src/contract/telemetry';
import type { Message } from '../../../../src/raft/types';
import { ControlChannel } from '../../../../src/node/transport/controlChannel';
import { ControlServer } from '../../../../src/lab/sockets/controlServer';
import { newCurveKeyPair, SealKeys, type CurveKeyPair } from '../../../../src/wire/frameSeal';
import { PeerTransport } from '../../../../src/node/transport/peerTransport';
import { TelemetryCollector } from '../../../../src/lab/sockets/telemetryCollector';
import { TelemetryPublisher } from '../../../../src/node/transport/telemetryPublisher';
import { ClusterKeys } from '../../../../src/lab/keys';
import { repeatUntil, waitFor } from '../../wire/helpers';

const CLUSTER = 'curve-test';
const MAX = 1 << 20;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const heartbeat = (from: number, to: number, term: number, seq = 1): Message => ({ type: 'heartbeat', from, to, term, commit: 0, seq });

/** Three members' keys; node 1 listens with 2 and 3 as peers. */
async function peerNode(keys: ClusterKeys) {
  const received: Message[] = [];
  const transport = await PeerTransport.open({
    clusterId: CLUSTER,
    self: 1,
    bindAddress: 'tcp://127.0.0.1:0',
    maxFrameBytes: MAX,
    curve: { keys: keys.member(1), peerKeys: { 2: keys.member(2).publicKey, 3: keys.member(3).publicKey } },
    onMessage: (m) => received.push(m),
    onError: () => undefined,
  });
  cleanup.push(() => transport.close());
  return { transport, received };
}

function rawPush(address: string, serverKey: string, own: CurveKeyPair | null): Push {
  const push = new Push({ linger: 0, ...(own ? { curveServerKey: serverKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey } : {}) });
  cleanup.push(() => push.close());
  push.connect(address);
  return push;
}

describe('CURVE peer transport', () => {
  it('delivers between members, and refuses a stranger and a plaintext process at the handshake', async () => {
    const keys = new ClusterKeys();
    const b = await peerNode(keys);
    const stranger = rawPush(b.transport.address, keys.publicKeyOf(1)!, newCurveKeyPair());
    const plain = rawPush(b.transport.address, keys.publicKeyOf(1)!, null);
    // Well-formed, addressed, high-term frames: accepted they would depose any leader.
    void stranger.send(encodeFrame('raft', CLUSTER, [heartbeat(2, 1, 99)])).catch(() => undefined);
    void plain.send(encodeFrame('raft', CLUSTER, [heartbeat(2, 1, 98)])).catch(() => undefined);
    // The stranger's key is refused by the ZAP allow-list; the plaintext client does not
    // even get that far (a NULL greeting cannot meet a CURVE server), so it is not counted.
    await waitFor(() => (b.transport.stats().rejectedFrames.handshake ?? 0) >= 1, 'the stranger refused');

    const a = await PeerTransport.open({
      clusterId: CLUSTER,
      self: 2,
      bindAddress: 'tcp://127.0.0.1:0',
      maxFrameBytes: MAX,
      curve: { keys: keys.member(2), peerKeys: { 1: keys.publicKeyOf(1)! } },
      peers: { 1: b.transport.address },
      onMessage: () => undefined,
    });
    cleanup.push(() => a.close());
    let seq = 0;
    await repeatUntil(() => a.send(heartbeat(2, 1, 1, seq++)), () => b.received.some((m) => m.from === 2 && m.term === 1), 'the member\'s heartbeat');
    expect(b.received.filter((m) => m.term !== 1)).toEqual([]);
    expect(b.received.some((m) => m.from === 2)).toBe(true);
  });

  it('refuses an admitted member that speaks for another node: impersonation, forged and unsealed frames', async () => {
    const keys = new ClusterKeys();
    const b = await peerNode(keys);
    const member3 = keys.member(3);
    const push = rawPush(b.transport.address, keys.publicKeyOf(1)!, member3);
    const as3 = new SealKeys(member3);
    // Sealed truthfully as 3, but the message claims to come from 2.
    await push.send(encodeFrame('raft', CLUSTER, [heartbeat(2, 1, 50)], as3.sealer(3, keys.publicKeyOf(1)!)));
    // A seal claiming sender 2, made with 3's key: it does not verify under 2's key.
    await push.send(encodeFrame('raft', CLUSTER, [heartbeat(2, 1, 51)], as3.sealer(2, keys.publicKeyOf(1)!)));
    // No seal at all.
    await push.send(encodeFrame('raft', CLUSTER, [heartbeat(3, 1, 52)]));
    // A seal claiming node 1 itself (a reflected frame).
    await push.send(encodeFrame('raft', CLUSTER, [heartbeat(1, 1, 53)], as3.sealer(1, keys.publicKeyOf(1)!)));
    // And the truth, last: once it arrives, everything before it has been judged.
    await push.send(encodeFrame('raft', CLUSTER, [heartbeat(3, 1, 54)], as3.sealer(3, keys.publicKeyOf(1)!)));
    await waitFor(() => b.received.length > 0, 'the honest frame');
    expect(b.received).toEqual([heartbeat(3, 1, 54)]);
    expect(b.transport.stats().rejectedFrames).toEqual({ impersonation: 1, forged: 2, unsealed: 1 });
  });

  it('forgets a removed peer: its key leaves the allow-list and its seals stop verifying', async () => {
    const keys = new ClusterKeys();
    const b = await peerNode(keys);
    b.transport.setPeer(3, null);
    const member3 = keys.member(3);
    const push = rawPush(b.transport.address, keys.publicKeyOf(1)!, member3);
    void push.send(encodeFrame('raft', CLUSTER, [heartbeat(3, 1, 5)], new SealKeys(member3).sealer(3, keys.publicKeyOf(1)!))).catch(() => undefined);
    await waitFor(() => (b.transport.stats().rejectedFrames.handshake ?? 0) >= 1, 'the removed member refused');
    expect(b.received).toEqual([]);
    expect(() => b.transport.setPeer(3, 'tcp://127.0.0.1:9', 'not a key')).toThrow(/public key/);
  });
});

describe('CURVE lab sockets', () => {
  it('telemetry: a stranger is refused at the handshake, a member cannot report as another node', async () => {
    const keys = new ClusterKeys();
    for (const id of [1, 2]) keys.member(id);
    const batches: TelemetryBatch[] = [];
    const collector = await TelemetryCollector.open({
      clusterId: CLUSTER,
      bindAddress: 'tcp://127.0.0.1:0',
      maxFrameBytes: MAX,
      curve: { keys: keys.lab, members: keys },
      onBatch: (b) => batches.push(b),
    });
    cleanup.push(() => collector.close());
    const forged: TelemetryBatch = { node: 2, seq: 0, events: [{ t: 1, type: 'role', role: 'leader', term: 999, leader: 2 }] };
    const stranger = rawPush(collector.address, keys.lab.publicKey, newCurveKeyPair());
    void stranger.send(encodeFrame('telemetry', CLUSTER, forged)).catch(() => undefined);
    await waitFor(() => (collector.stats().rejectedFrames.handshake ?? 0) >= 1, 'the stranger refused');

    // Member 1, admitted, seals truthfully as 1 but names node 2 in the batch.
    const member = rawPush(collector.address, keys.lab.publicKey, keys.member(1));
    await member.send(encodeFrame('telemetry', CLUSTER, forged, new SealKeys(keys.member(1)).sealer(1, keys.lab.publicKey)));
    // The real publisher of node 1, sealed as itself, gets through.
    const publisher = new TelemetryPublisher({ clusterId: CLUSTER, nodeId: 1, address: collector.address, maxFrameBytes: MAX, curve: { keys: keys.member(1), serverKey: keys.lab.publicKey } });
    cleanup.push(() => publisher.close());
    publisher.publish({ t: 2, type: 'role', role: 'follower', term: 1, leader: null });
    publisher.flush();
    await waitFor(() => batches.length > 0, 'the honest batch');
    expect(batches.map((b) => b.node)).toEqual([1]);
    expect(collector.stats().rejectedFrames).toMatchObject({ impersonation: 1, handshake: 1 });
  });

  it('control: a stranger cannot take a node name, and a member squatting on another name cannot answer for it', async () => {
    const keys = new ClusterKeys();
    for (const id of [1, 2]) keys.member(id);
    const server = await ControlServer.open({ clusterId: CLUSTER, bindAddress: 'tcp://127.0.0.1:0', maxFrameBytes: MAX, curve: { keys: keys.lab, members: keys } });
    cleanup.push(() => server.close());

    // A stranger claims node 1's routing id first: refused at the handshake.
    const stranger = newCurveKeyPair();
    const squatter = new Dealer({ linger: 0, routingId: 'node-1', probeRouter: true, curveServerKey: keys.lab.publicKey, curvePublicKey: stranger.publicKey, curveSecretKey: stranger.secretKey });
    cleanup.push(() => squatter.close());
    squatter.connect(server.address);
    await waitFor(() => (server.stats().rejectedFrames.handshake ?? 0) >= 1, 'the stranger refused');
    expect(server.isConnected(1)).toBe(false);

    // Member 2 squats on node 1's name and answers every request it gets, sealed as itself.
    const member2 = keys.member(2);
    const impostor = new Dealer({ linger: 0, routingId: 'node-1', probeRouter: true, curveServerKey: keys.lab.publicKey, curvePublicKey: member2.publicKey, curveSecretKey: member2.secretKey });
    cleanup.push(() => impostor.close());
    impostor.connect(server.address);
    const seal2 = new SealKeys(member2).sealer(2, keys.lab.publicKey);
    void (async () => {
      for await (const [frame] of impostor) {
        void frame;
        await impostor.send(encodeFrame('controlReply', CLUSTER, { id: 1, ok: true }, seal2)).catch(() => undefined);
      }
    })().catch(() => undefined);
    await waitFor(() => server.isConnected(1), 'the impostor connected');
    await expect(server.request(1, { cmd: 'ping' }, 500)).rejects.toThrow(/no reply/);
    expect(server.stats().rejectedFrames.impersonation).toBeGreaterThanOrEqual(1);
  });

  it('control: the real node answers when it holds its name, sealed as itself', async () => {
    const keys = new ClusterKeys();
    keys.member(1);
    const server = await ControlServer.open({ clusterId: CLUSTER, bindAddress: 'tcp://127.0.0.1:0', maxFrameBytes: MAX, curve: { keys: keys.lab, members: keys } });
    cleanup.push(() => server.close());
    const channel = new ControlChannel({
      clusterId: CLUSTER,
      nodeId: 1,
      address: server.address,
      maxFrameBytes: MAX,
      curve: { keys: keys.member(1), serverKey: keys.lab.publicKey },
      lingerMs: 0,
      handler: () => undefined,
    });
    cleanup.push(() => channel.close());
    await expect(server.request(1, { cmd: 'ping' }, 5000)).resolves.toMatchObject({ ok: true });
    expect(server.stats().rejectedFrames).toEqual({});

    // Member 2 now claims node 1's name (handover is off on CURVE sockets): the name stays
    // with node 1, whose answers keep coming.
    const member2 = keys.member(2);
    const taker = new Dealer({ linger: 0, routingId: 'node-1', probeRouter: true, curveServerKey: keys.lab.publicKey, curvePublicKey: member2.publicKey, curveSecretKey: member2.secretKey });
    cleanup.push(() => taker.close());
    const stolen: Buffer[] = [];
    void (async () => {
      for await (const [frame] of taker) stolen.push(frame);
    })().catch(() => undefined);
    const handshook = new Promise<void>((resolve) => taker.events.on('handshake', () => resolve()));
    taker.connect(server.address);
    await handshook; // admitted by ZAP (it is a member): only the name is refused
    for (let i = 0; i < 10; i++) await expect(server.request(1, { cmd: 'ping' }, 2000)).resolves.toMatchObject({ ok: true });
    expect(stolen).toEqual([]);
  });
});
