/**
 * The two steps every socket of the transport shares: binding an endpoint (checked
 * against the loopback policy, closed again if the bind fails) and decoding a one-part
 * frame of one expected kind (refusals counted by reason, never thrown).
 */
import type { Socket } from 'zeromq';
import { decodeFrame, type DecodedFrame, type FrameKind } from '../contract/codec';
import type { RejectCounters } from './counters';
import { checkEndpoint, type EndpointPolicy } from './endpoint';
import { frameByteLimit } from './socketLimits';

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

/**
 * A single-part frame of `kind` (body and seal), or null (and counted) when refused. The
 * byte limit is the smaller of the socket's and the kind's (FRAME_LIMITS).
 */
export function decodeSinglePart<K extends FrameKind>(parts: Buffer[], kind: K, limits: FrameLimits, rejected: RejectCounters): DecodedFrame<K> | null {
  if (parts.length !== 1) {
    rejected.add('parts');
    return null;
  }
  const frame = decodeFrame(parts[0], { clusterId: limits.clusterId, kinds: [kind], maxBytes: frameByteLimit(kind, limits.maxFrameBytes) });
  if (!frame.ok) {
    rejected.add(frame.reason);
    return null;
  }
  return frame;
}
