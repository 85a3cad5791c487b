/**
 * The CURVE keys of one run (docs/security.md, "Keys and sockets"): a fresh key pair for
 * the lab (its control, telemetry and workload sockets) and one per node, made when the
 * node is first configured. Nothing is reused across runs, and no secret is written to disk:
 * a node's secret travels only in its config on the node's stdin (supervisor.ts). The node
 * config file kept in the run folder (0600) has every public key and no secret
 * (`withoutSecrets`).
 *
 * The members' public keys are the lab's ZAP allow-list (control, telemetry) and, sent in
 * each node's config and in `setPeer`, every node's peer allow-list.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import type { NodeProcessConfig, NodeSecurity } from '../contract/nodeConfig';
import type { NodeId } from '../raft/types';
import type { CurveClient, MemberKeys } from '../wire/curveOptions';
import { newCurveKeyPair, type CurveKeyPair } from '../wire/frameSeal';

export class ClusterKeys implements MemberKeys {
  /** The lab's own pair: server key of control and telemetry, client key of the workload. */
  readonly lab: CurveKeyPair = newCurveKeyPair();
  private readonly nodes = new Map<NodeId, CurveKeyPair>();
  private readonly members = new Set<string>();

  /** Node `id`'s key pair, made on first use; from then on `id` is a member. */
  member(id: NodeId): CurveKeyPair {
    let pair = this.nodes.get(id);
    if (!pair) {
      pair = newCurveKeyPair();
      this.nodes.set(id, pair);
      this.members.add(pair.publicKey);
    }
    return pair;
  }

  publicKeyOf(id: NodeId): string | undefined {
    return this.nodes.get(id)?.publicKey;
  }

  isMember(publicKey: string): boolean {
    return this.members.has(publicKey);
  }

  /** What node `id` needs in its config. */
  nodeSecurity(id: NodeId): NodeSecurity {
    const pair = this.member(id);
    return { publicKey: pair.publicKey, secretKey: pair.secretKey, labPublicKey: this.lab.publicKey };
  }

  /** A lab-side client of node `id`'s client socket (the workload, tests, benchmarks). */
  clientOf(id: NodeId): CurveClient {
    return { keys: this.lab, serverKey: this.member(id).publicKey };
  }
}

/** The config as the node reads it from stdin: one JSON line. */
export function nodeConfigLine(config: NodeProcessConfig): string {
  return `${JSON.stringify(config)}\n`;
}

/** The config with the node's secret key removed: what the run folder keeps. */
export function withoutSecrets(config: NodeProcessConfig): NodeProcessConfig {
  if (!config.security) return config;
  return { ...config, security: { ...config.security, secretKey: '(only on the node\'s stdin)' } };
}

/**
 * Writes the run folder's copy of a node config, mode 0600 (also when the file existed
 * with another mode: writeFileSync's mode applies only to a new file).
 */
export function writeNodeConfigFile(path: string, config: NodeProcessConfig): void {
  writeFileSync(path, JSON.stringify(withoutSecrets(config), null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
}
