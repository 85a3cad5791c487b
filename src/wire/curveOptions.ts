/**
 * CURVE settings of the transport's sockets, and the socket options they become.
 *
 * Every socket is CURVE when the caller passes keys (the lab always does: the default is
 * on); without keys a socket is plaintext, as before, for the node benchmark's "off" phase
 * and the transport tests that exercise other things. Server sockets (the ones that bind)
 * admit only the keys of their allow-list through the process's ZAP handler; client
 * sockets (the ones that connect) pin the server's public key, so they talk to the real
 * peer or lab or to nobody.
 */
import type { FrameSeal } from '../contract/codec';
import type { NodeId } from '../raft/types';
import type { CurveKeyPair, SealKeys } from './frameSeal';
import type { ZapRegistration } from './zapHandler';

/** A connecting socket's CURVE settings: its own keys and the server it must reach. */
export interface CurveClient {
  keys: CurveKeyPair;
  serverKey: string;
}

/** Who is who: node ids and their public keys, for a server that must tell senders apart. */
export interface MemberKeys {
  publicKeyOf(id: NodeId): string | undefined;
  isMember(publicKey: string): boolean;
}

export function curveServerSocketOptions(keys: CurveKeyPair, zap: ZapRegistration) {
  return { curveServer: true, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey, zapDomain: zap.domain } as const;
}

export function curveClientSocketOptions(curve: CurveClient) {
  return { curveServerKey: curve.serverKey, curvePublicKey: curve.keys.publicKey, curveSecretKey: curve.keys.secretKey } as const;
}

/**
 * The node id that sealed a frame, after checking the seal with that node's key; or why
 * the frame must be refused. `self` is never a valid sender (a frame reflected back).
 */
export function sealedSender(seal: FrameSeal | undefined, seals: SealKeys, keyOf: (id: NodeId) => string | undefined, self: NodeId | null): NodeId | 'unsealed' | 'forged' {
  if (seal === undefined) return 'unsealed';
  if (seal.sender === self) return 'forged';
  const key = keyOf(seal.sender);
  if (key === undefined || !seals.verify(seal, key)) return 'forged';
  return seal.sender;
}

/** A rejection snapshot plus the handshakes the ZAP allow-list refused (when any). */
export function withHandshakes(rejected: Record<string, number>, zap: ZapRegistration | null): Record<string, number> {
  if (zap && zap.refused > 0) rejected.handshake = zap.refused;
  return rejected;
}
