/**
 * `raftlab run`'s flags turned into plans (src/lab/cliPlans.ts): what a run from flags is
 * named and expects, and flags overriding a scenario's cluster (issue 15 item 14).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { plansFrom, UsageError } from '../../../src/lab/cliPlans';

const REPO = join(import.meta.dirname, '..', '..', '..');

describe('plansFrom', () => {
  it('names a run from flags by what it is and expects a linearizable history only when there is a workload', () => {
    const [withWork] = plansFrom({ nodes: '3' });
    expect(withWork.label).toBe('3 nodes, faults none');
    expect(withWork.expect).toEqual({ noViolations: true, linearizable: true, leaderWithinMs: 5000 });
    const [idle] = plansFrom({ nodes: '3', workload: 'none', faults: 'leader-crash' });
    expect(idle.label).toBe('3 nodes, faults leader-crash');
    expect(idle.cluster.workload.clients).toBe(0);
    // No operations, nothing to check: no "expect linearizable ok: 0 ok operations checked".
    expect(idle.expect).toEqual({ noViolations: true, leaderWithinMs: 5000 });
  });

  it('sets timeouts, PreVote and CheckQuorum from flags, over a scenario file, keeping its expectations', () => {
    const plans = plansFrom({
      scenario: join(REPO, 'scenarios', 'leader-crash.yaml'),
      'election-timeout-min': '300', 'election-timeout-max': '600', heartbeat: '100', 'no-prevote': true, 'check-quorum': true, workload: 'none',
    });
    expect(plans).toHaveLength(1);
    expect(plans[0].label).toBe('leader-crash');
    expect(plans[0].cluster).toMatchObject({ electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 100, preVote: false, checkQuorum: true });
    // A scenario's own expect: section is the author's; flags do not rewrite it.
    expect(plans[0].expect).toMatchObject({ linearizable: true, maxElectionMs: 2000 });
  });

  it('refuses contradicting or malformed flags with a usage error', () => {
    expect(() => plansFrom({ prevote: true, 'no-prevote': true })).toThrow(UsageError);
    expect(() => plansFrom({ heartbeat: 'fast' })).toThrow(/--heartbeat must be a whole number/);
    expect(() => plansFrom({ duration: 'soon' })).toThrow(/--duration must be like/);
  });

  it('--hosts and --partitions nft set the multi-host options; nft without remote hosts is refused by name', () => {
    const [plan] = plansFrom({ nodes: '3', hosts: '10.0.0.11, 10.0.0.12,10.0.0.13', partitions: 'nft' });
    expect(plan.cluster).toMatchObject({ hosts: ['10.0.0.11', '10.0.0.12', '10.0.0.13'], partitions: 'nft' });
    expect(() => plansFrom({ nodes: '3', partitions: 'nft' })).toThrow(/partitions "nft" needs remote hosts/);
    expect(() => plansFrom({ nodes: '3', partitions: 'iptables' })).toThrow(/partitions must be "filter" or "nft"/);
  });
});
