/**
 * The lab's side of the wire to its nodes: a control ROUTER every node connects to (its
 * routing id names it), a telemetry PULL every node pushes into, and one key-value client
 * connection per node for the workload.
 */
import type { NodeId } from '../raft/types';
import type { ClientRequest, ClientResponse } from '../contract/client';
import type { ControlCommand, ControlReply } from '../contract/control';
import type { TelemetryBatch } from '../contract/telemetry';
import { ControlServer } from '../node/transport/controlServer';
import { TelemetryCollector } from '../node/transport/telemetryCollector';
import { KvClientConnection } from '../node/transport/kvClientConnection';

const MAX_FRAME_BYTES = 16 << 20;

export interface LabSocketsOptions {
  clusterId: string;
  controlAddress: string;
  telemetryAddress: string;
  onTelemetry: (batch: TelemetryBatch) => void;
  onClientResponse: (node: NodeId, res: ClientResponse) => void;
}

export class LabSockets {
  private readonly clients = new Map<NodeId, KvClientConnection>();

  private constructor(
    private readonly opts: LabSocketsOptions,
    private readonly controlServer: ControlServer,
    private readonly collector: TelemetryCollector,
  ) {}

  static async open(opts: LabSocketsOptions): Promise<LabSockets> {
    const report = (what: string) => (err: unknown, context: string) => console.error(`[lab] ${what}: ${context}: ${String(err)}`);
    const controlServer = await ControlServer.open({
      clusterId: opts.clusterId,
      bindAddress: opts.controlAddress,
      maxFrameBytes: MAX_FRAME_BYTES,
      onError: report('control socket'),
    });
    try {
      const collector = await TelemetryCollector.open({
        clusterId: opts.clusterId,
        bindAddress: opts.telemetryAddress,
        maxFrameBytes: MAX_FRAME_BYTES,
        onBatch: opts.onTelemetry,
        onError: report('telemetry socket'),
      });
      return new LabSockets(opts, controlServer, collector);
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
