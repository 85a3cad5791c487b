/**
 * Who waits for which node's 'ready' telemetry: a start or restart resolves when its node
 * reports ready, fails when the node exits first, and times out otherwise.
 */
import type { NodeId } from '../../raft/types';
import { ClusterError } from '../clusterError';

export class ReadyWaiters {
  /** Waiters for a node's 'ready'; called with an error when it exits first. */
  private readonly waiters = new Map<NodeId, Array<(err?: Error) => void>>();

  /** Resolves when `id` reports ready (settle without error), rejects on an error or after `timeoutMs`. */
  wait(id: NodeId, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(id) ?? [];
        this.waiters.set(id, list.filter((f) => f !== done));
        reject(new ClusterError(`node ${id} did not report ready within ${timeoutMs} ms (see logs/node-${id}.log)`));
      }, timeoutMs);
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const list = this.waiters.get(id) ?? [];
      list.push(done);
      this.waiters.set(id, list);
    });
  }

  /** Releases everyone waiting for `id`: resolved, or rejected with `err`. */
  settle(id: NodeId, err?: Error): void {
    const list = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    for (const f of list) f(err);
  }
}
