/**
 * Bounded decoding on a live cluster: the 16 MiB frame of tiny maps that used to block a
 * node's event loop for 2.7 s (and add 443 MB of RSS, so heartbeats stopped and elections
 * followed), its tiny-array twin, and the heaviest frame the pre-decode scan lets through
 * (65,536 values, refused only by the validators after decoding), sent to a follower by an
 * admitted member (strangers never get past the handshake). The follower must refuse and
 * count every one, stay up, keep its event-loop lag under one heartbeat interval, and the
 * cluster must not hold an election. The lab's telemetry socket takes the same treatment
 * with its own frame limits.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { Push } from 'zeromq';
import { Packr } from 'msgpackr';
import { FRAME_LIMITS, PROTOCOL_VERSION } from '../../src/contract/codec';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { delay, waitFor } from './helpers/waitFor';

useClusterTeardown();

const HEARTBEAT_MS = 100;
const packr = new Packr({ useRecords: false });

/** An envelope for `kind` whose body is `body` (raw msgpack bytes). */
function frame(clusterId: string, kind: string, body: Uint8Array): Uint8Array {
  const head = packr.pack([PROTOCOL_VERSION, clusterId, kind, null]);
  const out = new Uint8Array(head.byteLength - 1 + body.byteLength);
  out.set(head.subarray(0, head.byteLength - 1));
  out.set(body, head.byteLength - 1);
  return out;
}

/** array32 of `n` copies of a one-byte value (0x80 an empty map, 0x90 an empty array). */
function flood(item: number, n: number): Uint8Array {
  const out = new Uint8Array(5 + n).fill(item);
  out[0] = 0xdd;
  new DataView(out.buffer).setUint32(1, n);
  return out;
}

/** One AppendEntries whose entries are `n` empty arrays: passes the scan, fails validation. */
function heaviestAppend(n: number): Uint8Array {
  const head = Uint8Array.from([0x91, 0x98, 0x03, 0x01, 0x02, 0x01, 0x00, 0x00, 0xdd, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  const out = new Uint8Array(head.length + n + 1).fill(0x90);
  out.set(head);
  out[out.length - 1] = 0x00; // commit
  return out;
}

describe('bounded decoding', () => {
  it('a follower refuses 16 MiB frames of tiny maps and arrays and the heaviest scannable frame, with loop lag under one heartbeat and no election', async () => {
    const tc = await TestCluster.start({
      options: { nodes: 3, fsync: 'never', electionTimeoutMinMs: 600, electionTimeoutMaxMs: 1200, heartbeatMs: HEARTBEAT_MS },
      label: 'sec-decoding',
    });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const [follower, sender] = tc.ids().filter((id) => id !== leader);
    const keys = tc.cluster.curveKeys!;
    const own = keys.member(sender);
    const socket = new Push({ linger: 0, curveServerKey: keys.publicKeyOf(follower)!, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey });
    onCleanup(() => socket.close());
    socket.connect(tc.peerAddress(follower));

    const size = (16 << 20) - 64;
    // Budget minus the envelope's and the message's own values: the largest that passes the scan.
    const heaviest = FRAME_LIMITS.raft.maxItems - 16;
    const frames = [
      ...Array.from({ length: 3 }, () => frame(tc.clusterId, 'raft', flood(0x80, size))),
      ...Array.from({ length: 3 }, () => frame(tc.clusterId, 'raft', flood(0x90, size))),
      ...Array.from({ length: 10 }, () => frame(tc.clusterId, 'raft', heaviestAppend(heaviest))),
    ];
    const mark = tc.mark();
    const metricsFrom = tc.cluster.now();
    for (const f of frames) {
      await socket.send(f);
      await delay(20);
    }
    const counted = await waitFor(
      () => {
        const r = tc.latestMetrics(follower)?.rejectedFrames ?? {};
        return (r.bounds ?? 0) >= 6 && (r.invalid ?? 0) >= 10 ? r : null;
      },
      { timeoutMs: 20_000, what: 'the follower to refuse every frame', describe: () => JSON.stringify(tc.latestMetrics(follower)?.rejectedFrames) },
    );
    expect(counted).toMatchObject({ bounds: 6, invalid: 10 });
    // Metrics taken after the last refusal cover the whole flood.
    const last = tc.latestMetrics(follower)!;
    await waitFor(() => (tc.latestMetrics(follower)!.t > last.t ? true : null), { timeoutMs: 5000, what: 'one more metrics sample' });
    const lags = tc.eventsOf('metrics', follower, mark).filter((m) => m.t >= metricsFrom).map((m) => m.loopLagMs);
    expect(lags.length).toBeGreaterThan(0);
    expect(Math.max(...lags)).toBeLessThan(HEARTBEAT_MS);
    expect(tc.eventsOf('election', undefined, mark)).toEqual([]);
    expect(tc.agreedLeader(tc.ids())).toEqual({ leader, term });
    expect(tc.cluster.nodes().every((v) => v.process === 'started')).toBe(true);
  });

  it("the lab's telemetry socket refuses frames of tiny maps before decoding them, and its loop keeps running", async () => {
    const tc = await TestCluster.start({ options: { nodes: 1, fsync: 'never' }, label: 'sec-telemetry' });
    const keys = tc.cluster.curveKeys!;
    const own = keys.member(1);
    const socket = new Push({ linger: 0, curveServerKey: keys.lab.publicKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey });
    onCleanup(() => socket.close());
    socket.connect(tc.nodeConfig(1).telemetryAddress);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    onCleanup(() => {
      lag.disable();
    });
    // The telemetry frame limit (4 MiB) filled with empty maps, and a flood just over the value budget.
    const frames = [
      ...Array.from({ length: 5 }, () => frame(tc.clusterId, 'telemetry', flood(0x80, FRAME_LIMITS.telemetry.maxBytes - 64))),
      ...Array.from({ length: 5 }, () => frame(tc.clusterId, 'telemetry', flood(0x80, FRAME_LIMITS.telemetry.maxItems + 1))),
    ];
    for (const f of frames) await socket.send(f);
    // The node's own telemetry keeps flowing after the flood: the collector kept reading.
    const before = tc.events.length;
    await waitFor(() => (tc.events.length > before + 3 ? true : null), { timeoutMs: 10_000, what: 'telemetry after the flood' });
    lag.disable();
    expect(lag.max / 1e6).toBeLessThan(HEARTBEAT_MS);
    expect(tc.eventsOf('violation')).toEqual([]);
  });
});
