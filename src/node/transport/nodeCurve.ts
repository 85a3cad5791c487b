/**
 * A node config's CURVE keys (NodeProcessConfig.security) as the options of each of the
 * node's sockets: the peer PULL admits the peers' keys and each PUSH pins its peer's key;
 * the client ROUTER admits the lab only; the control DEALER and telemetry PUSH pin the lab's
 * key. No `security`: every socket plaintext.
 */
import type { NodeProcessConfig } from '../../contract/nodeConfig';
import type { CurveClient } from '../../wire/curveOptions';
import type { CurveKeyPair } from '../../wire/frameSeal';

export interface NodeSocketsCurve {
  peer?: { keys: CurveKeyPair; peerKeys: Record<string, string> };
  client?: { keys: CurveKeyPair; clientKeys: readonly string[] };
  lab?: CurveClient;
}

export function nodeSocketsCurve(config: NodeProcessConfig): NodeSocketsCurve {
  const s = config.security;
  if (!s) return {};
  const keys = { publicKey: s.publicKey, secretKey: s.secretKey };
  const peerKeys: Record<string, string> = {};
  for (const [id, p] of Object.entries(config.peers)) if (p.publicKey) peerKeys[id] = p.publicKey;
  return {
    peer: { keys, peerKeys },
    client: { keys, clientKeys: [s.labPublicKey] },
    lab: { keys, serverKey: s.labPublicKey },
  };
}
