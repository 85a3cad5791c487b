/**
 * The lab's side of the wire to its nodes: a control ROUTER every node connects to (its
 * routing id names it), a telemetry PULL every node pushes into, and one key-value client
 * connection per node for the workload.
 *
 * CURVE is on unless `curve: false` (the node benchmark's comparison): the run's keys
 * (keys.ts) make the control and telemetry sockets CURVE servers that admit only the
 * members' keys and check every reply and batch's seal, and every client connection pins
 * its node's key. The byte limits are per frame kind (FRAME_LIMITS in src/contract/codec.ts).
 */
import type { NodeId } from '../../raft/types';
import type { ClientRequest, ClientResponse } from '../../contract/client';
import type { ControlCommand, ControlReply } from '../../contract/control';
import type { TelemetryBatch } from '../../contract/telemetry';
import { ControlServer } from './controlServer';
import { TelemetryCollector } from './telemetryCollector';
import { KvClientConnection } from './kvClientConnection';
import type { NodeSecurity } from '../../contract/nodeConfig';
import { ClusterKeys } from '../keys';

const MAX_FRAME_BYTES = 16 << 20;

export interface LabSocketsOptions {
  clusterId: string;
  controlAddress: string;
  telemetryAddress: string;
  onTelemetry: (batch: TelemetryBatch) => void;
  onClientResponse: (node: NodeId, res: ClientResponse) => void;
  /** CURVE on every socket (default true). */
  curve?: boolean;
}

export class LabSockets {
  private readonly clients = new Map<NodeId, KvClientConnection>();

  private constructor(
    private readonly opts: LabSocketsOptions,
    private readonly controlServer: ControlServer,
    private readonly collector: TelemetryCollector,
    /** The run's CURVE keys; null when CURVE is off. */
    readonly keys: ClusterKeys | null,
  ) {}

  static async open(opts: LabSocketsOptions): Promise<LabSockets> {
    const report = (what: string) => (err: unknown, context: string) => console.error(`[lab] ${what}: ${context}: ${String(err)}`);
    const keys = opts.curve === false ? null : new ClusterKeys();
    const curve = keys ? { keys: keys.lab, members: keys } : undefined;
    const controlServer = await ControlServer.open({
      curve,
      clusterId: opts.clusterId,
      bindAddress: opts.controlAddress,
      maxFrameBytes: MAX_FRAME_BYTES,
      onError: report('control socket'),
    });
    try {
      const collector = await TelemetryCollector.open({
        curve,
        clusterId: opts.clusterId,
        bindAddress: opts.telemetryAddress,
        maxFrameBytes: MAX_FRAME_BYTES,
        onBatch: opts.onTelemetry,
        onError: report('telemetry socket'),
      });
      return new LabSockets(opts, controlServer, collector, keys);
    } catch (err) {
      await controlServer.close();
      throw err;
    }
  }

  get controlAddress(): string {
    return this.controlServer.address;
  }

  get telemetryAddress(): string {
    return this.collector.address;
  }

  /** Node `id`'s CURVE keys for its config (made on first use); undefined when CURVE is off. */
  nodeSecurity(id: NodeId): NodeSecurity | undefined {
    return this.keys?.nodeSecurity(id);
  }

  /** Node `id`'s public key, for its peers' configs and `setPeer` (made on first use). */
  publicKeyOf(id: NodeId): string | undefined {
    return this.keys?.member(id).publicKey;
  }

  request(node: NodeId, command: ControlCommand, timeoutMs: number): Promise<ControlReply> {
    return this.controlServer.request(node, command, timeoutMs);
  }

  /** (Re)connects the workload's client connection to a node's client socket. */
  connectClient(node: NodeId, address: string): void {
    const existing = this.clients.get(node);
    if (existing?.address === address) return;
    if (existing) void existing.close();
    this.clients.set(
      node,
      new KvClientConnection({
        clusterId: this.opts.clusterId,
        address,
        maxFrameBytes: MAX_FRAME_BYTES,
        curve: this.keys?.clientOf(node),
        onResponses: (responses) => {
          for (const r of responses) this.opts.onClientResponse(node, r);
        },
        onError: (err, context) => console.error(`[lab] client connection to node ${node}: ${context}: ${String(err)}`),
      }),
    );
  }

  disconnectClient(node: NodeId): void {
    const c = this.clients.get(node);
    this.clients.delete(node);
    if (c) void c.close();
  }

  /** Sends without waiting; a request that could not be sent simply goes unanswered (the workload times it out). */
  sendClient(node: NodeId, requests: ClientRequest[]): void {
    const c = this.clients.get(node);
    if (!c) return;
    c.send(requests).catch((err: Error) => console.error(`[lab] send to node ${node}: ${err.message}`));
  }

  telemetryStats() {
    return this.collector.stats();
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
    await Promise.all([this.controlServer.close(), this.collector.close()]);
  }
}
