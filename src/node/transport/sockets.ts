/**
 * The two steps every socket of the transport shares: binding an endpoint (checked
 * against the loopback policy, closed again if the bind fails) and decoding a one-part
 * frame of one expected kind (refusals counted by reason, never thrown).
 */
import type { Socket } from 'zeromq';
import { decodeFrame, type FrameBodies, type FrameKind } from '../../contract/codec';
import type { RejectCounters } from './counters';
import { checkEndpoint, type EndpointPolicy } from './endpoint';

/** Binds `socket` to `address`; returns the endpoint actually bound (port 0 resolved). */
export async function bindChecked(socket: Socket, address: string, policy: EndpointPolicy): Promise<string> {
  try {
    checkEndpoint(address, policy);
    await socket.bind(address);
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket.lastEndpoint ?? address;
}

export interface FrameLimits {
  clusterId: string;
  maxFrameBytes: number;
}

/** The body of a single-part frame of `kind`, or null (and counted) when refused. */
export function decodeSinglePart<K extends FrameKind>(parts: Buffer[], kind: K, limits: FrameLimits, rejected: RejectCounters): FrameBodies[K] | null {
  if (parts.length !== 1) {
    rejected.add('parts');
    return null;
  }
  const frame = decodeFrame(parts[0], { clusterId: limits.clusterId, kinds: [kind], maxBytes: limits.maxFrameBytes });
  if (!frame.ok) {
    rejected.add(frame.reason);
    return null;
  }
  return frame.body as FrameBodies[K];
}
