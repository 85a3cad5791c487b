/**
 * Bandwidth limits with tc tbf (src/lab/hosts/bandwidthLimit.ts; docs/multi-host.md,
 * "Bandwidth limits"): the pure parts (routes to devices, the tc lines, defaults), the
 * validation of the fault, and the host-side scripts run here by /bin/sh against a `tc` that
 * keeps each device's root qdisc in a folder (a real tc needs root and a namespace: the netns
 * suite, test/integration/hosts.cluster.netns.test.ts, runs the real one). What the scripts
 * must never do is touch a root qdisc raftlab did not put there.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultSpecSchema } from '../../../../src/contract/faults';
import { ScenarioActionSchema } from '../../../../src/contract/scenario';
import {
  CLEANUP_SNIPPET, defaultBurstBytes, devicesOfRoutes, tbfApplyScript, tbfCommand, tbfParams, tbfRecordPath, tbfRemoveCommand, tbfRemoveScript,
} from '../../../../src/lab/hosts/bandwidthLimit';
import { PREPARE_PROBE } from '../../../../src/lab/hosts/remoteHost';

const ADDRESS = '10.231.7.12';

describe('devicesOfRoutes', () => {
  it('takes the device of each `ip -o route get` line, once, leaving loopback out', () => {
    const out = [
      '10.231.7.11 dev eth0 src 10.231.7.12 uid 0 \\    cache ',
      '10.231.7.1 dev eth0 src 10.231.7.12 uid 0 \\    cache ',
      '10.9.0.5 via 10.231.7.254 dev ens3 src 10.231.7.12 uid 0 \\    cache ',
      'local 10.231.7.12 dev lo table local src 10.231.7.12 uid 0 \\    cache <local> ',
      '127.0.0.1 dev lo src 127.0.0.1 uid 0 ',
    ].join('\n');
    expect(devicesOfRoutes(out)).toEqual(['eth0', 'ens3']);
  });

  it('refuses a line without a device and a device name that is not one', () => {
    expect(() => devicesOfRoutes('unreachable 10.0.0.1')).toThrow(/no device in the route/);
    expect(() => devicesOfRoutes('10.0.0.1 dev a;rm -rf / src 10.0.0.2')).toThrow(/not a device name/);
    expect(() => devicesOfRoutes('10.0.0.1 dev averyveryverylongname src 10.0.0.2')).toThrow(/not a device name/);
  });
});

describe('the tc lines', () => {
  it('fills burst (10 ms of the rate, at least one packet) and latency (200 ms) when the fault leaves them out', () => {
    expect(tbfParams({ rateKbit: 256 })).toEqual({ rateKbit: 256, burstBytes: 1600, latencyMs: 200 });
    expect(defaultBurstBytes(100_000)).toBe(125_000);
    expect(tbfParams({ rateKbit: 256, burstBytes: 4096, latencyMs: 50 })).toEqual({ rateKbit: 256, burstBytes: 4096, latencyMs: 50 });
  });

  it('replaces and removes the root qdisc of the device, nothing else', () => {
    expect(tbfCommand('eth0', { rateKbit: 256 })).toBe('tc qdisc replace dev eth0 root tbf rate 256kbit burst 1600 latency 200ms');
    expect(tbfRemoveCommand('eth0')).toBe('tc qdisc del dev eth0 root');
  });

  it('records per host address, and only an IPv4 address names a record', () => {
    expect(tbfRecordPath(ADDRESS)).toBe('.cache/raftlab/tbf/10.231.7.12');
    expect(() => tbfRecordPath('../../etc')).toThrow(/not an IPv4 address/);
  });
});

describe('the bandwidth fault is validated', () => {
  const ok = (f: unknown) => v.safeParse(FaultSpecSchema, f);
  it('takes a node and a rate, optional burst and latency, within src/contract/limits.ts', () => {
    expect(ok({ kind: 'bandwidth', node: 2, rateKbit: 256 }).success).toBe(true);
    expect(ok({ kind: 'bandwidth', node: 2, rateKbit: 256, burstBytes: 4096, latencyMs: 50 }).success).toBe(true);
    const msg = (f: unknown) => {
      const r = ok(f);
      return r.success ? '' : r.issues.map((i) => i.message).join('; ');
    };
    expect(msg({ kind: 'bandwidth', node: 2, rateKbit: 0 })).toMatch(/must be a whole number from 8 to 10000000/);
    expect(msg({ kind: 'bandwidth', node: 2, rateKbit: 256, burstBytes: 100 })).toMatch(/must be a whole number from 1600 to 67108864/);
    expect(msg({ kind: 'bandwidth', node: 2, rateKbit: 256, latencyMs: 0 })).toMatch(/must be a whole number from 1 to 10000/);
    expect(msg({ kind: 'bandwidth', rateKbit: 256 })).not.toBe('');
    expect(msg({ kind: 'bandwidth', node: 2, rateKbit: 256, host: 'h2' })).not.toBe('');
  });

  it('is a scenario action too', () => {
    expect(v.safeParse(ScenarioActionSchema, { kind: 'bandwidth', node: 1, rateKbit: 512, latencyMs: 100 }).success).toBe(true);
  });
});

/**
 * A `tc` for the scripts: `qdisc show|replace|del dev D root ...` on a folder ($TCSTATE/D holds
 * D's root qdisc line; absent: the kernel default noqueue; D.missing: no such device). Every
 * call is appended to $TCSTATE/calls.
 */
const FAKE_TC = `#!/bin/sh
echo "$*" >> "$TCSTATE/calls"
[ "$1" = qdisc ] || exit 2
op="$2"; d="$4"
[ -e "$TCSTATE/$d.missing" ] && { echo "Cannot find device \\"$d\\"" >&2; exit 1; }
case "$op" in
  show) if [ -f "$TCSTATE/$d" ]; then cat "$TCSTATE/$d"; else echo "qdisc noqueue 0: root refcnt 2"; fi ;;
  replace) shift 5; echo "qdisc $* " > "$TCSTATE/$d" ;;
  del) [ -f "$TCSTATE/$d" ] || { echo "Error: Cannot delete qdisc with handle of zero." >&2; exit 2; }; rm -f "$TCSTATE/$d" ;;
  *) exit 2 ;;
esac
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A $HOME, a state folder and a PATH whose `tc` is FAKE_TC and whose `id -u` says root. */
function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'raftlab-tbf-'));
  dirs.push(root);
  const home = join(root, 'home');
  const state = join(root, 'state');
  const bin = join(root, 'bin');
  for (const d of [home, state, bin]) mkdirSync(d);
  writeFileSync(join(bin, 'tc'), FAKE_TC);
  writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 0\n');
  chmodSync(join(bin, 'tc'), 0o755);
  chmodSync(join(bin, 'id'), 0o755);
  const env = { HOME: home, TCSTATE: state, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const run = (script: string, args: string[] = []) => {
    const r = spawnSync('/bin/sh', ['-c', script, 'sh', ...args], { env, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
  };
  const qdisc = (d: string) => (existsSync(join(state, d)) ? readFileSync(join(state, d), 'utf8').trim() : 'noqueue');
  const record = join(home, tbfRecordPath(ADDRESS));
  const recorded = () => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : []);
  const calls = () => (existsSync(join(state, 'calls')) ? readFileSync(join(state, 'calls'), 'utf8').split('\n').filter(Boolean) : []);
  return { run, qdisc, recorded, calls, state, home, env };
}

describe('the host-side scripts (run by /bin/sh)', () => {
  it('limits a device with its kernel default qdisc, records it, and a second limit replaces the first', () => {
    const s = sandbox();
    const first = tbfApplyScript(ADDRESS, ['eth0'], { rateKbit: 256 });
    expect(first.commands).toEqual(['tc qdisc replace dev eth0 root tbf rate 256kbit burst 1600 latency 200ms']);
    const r = s.run(first.script);
    expect(r.code, r.stderr).toBe(0);
    expect(s.qdisc('eth0')).toBe('qdisc tbf rate 256kbit burst 1600 latency 200ms');
    expect(s.recorded()).toEqual(['eth0']);
    // Ours now: replacing it is allowed, and the record does not grow.
    expect(s.run(tbfApplyScript(ADDRESS, ['eth0'], { rateKbit: 1024 }).script).code).toBe(0);
    expect(s.qdisc('eth0')).toBe('qdisc tbf rate 1024kbit burst 1600 latency 200ms');
    expect(s.recorded()).toEqual(['eth0']);
  });

  it("refuses a device whose root qdisc is someone else's (an htb, or a tbf raftlab did not record), changing nothing", () => {
    const s = sandbox();
    writeFileSync(join(s.state, 'eth0'), 'qdisc htb 1: root refcnt 2 r2q 10 default 0\n');
    writeFileSync(join(s.state, 'eth1'), 'qdisc tbf 8001: root refcnt 2 rate 1Mbit burst 10Kb lat 50ms\n');
    for (const dev of ['eth0', 'eth1']) {
      const before = s.qdisc(dev);
      const r = s.run(tbfApplyScript(ADDRESS, ['eth2', dev], { rateKbit: 256 }).script);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`dev ${dev} has a`);
      expect(r.stderr).toContain('raftlab did not put there: not replaced');
      expect(s.qdisc(dev)).toBe(before);
      // Refused before anything changed: eth2, listed first, was not limited either.
      expect(s.qdisc('eth2')).toBe('noqueue');
      expect(s.recorded()).toEqual([]);
    }
    expect(s.calls().filter((c) => c.includes('replace'))).toEqual([]);
  });

  it('checks for tc, and fails, recording nothing, when tc refuses', () => {
    const s = sandbox();
    // The scripts add /usr/sbin and /sbin to the PATH, where this machine has a real tc: the
    // missing-tc check is read, not run. It must come before `tc` names the function.
    const script = tbfApplyScript(ADDRESS, ['eth0'], { rateKbit: 256 }).script;
    expect(script.indexOf('tc not found on the PATH (iproute2)" >&2; exit 127')).toBeGreaterThan(-1);
    expect(script.indexOf('command -v tc')).toBeLessThan(script.indexOf('tc() {'));
    writeFileSync(join(s.state, 'eth9.missing'), '');
    const r = s.run(tbfApplyScript(ADDRESS, ['eth9'], { rateKbit: 256 }).script);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot find device "eth9"');
    expect(s.recorded()).toEqual([]);
  });

  it('removal deletes only recorded devices whose root is still a tbf, and keeps the record of the others', () => {
    const s = sandbox();
    expect(s.run(tbfApplyScript(ADDRESS, ['eth0', 'eth1'], { rateKbit: 256 }).script).code).toBe(0);
    expect(s.recorded()).toEqual(['eth0', 'eth1']);
    // Someone replaced eth1's qdisc meanwhile, and eth2 was never ours.
    writeFileSync(join(s.state, 'eth1'), 'qdisc htb 1: root refcnt 2\n');
    writeFileSync(join(s.state, 'eth2'), 'qdisc tbf 8002: root rate 1Mbit\n');
    const one = tbfRemoveScript(ADDRESS, ['eth0']);
    expect(one.commands).toEqual(['tc qdisc del dev eth0 root']);
    expect(s.run(one.script).code).toBe(0);
    expect(s.qdisc('eth0')).toBe('noqueue');
    expect(s.recorded()).toEqual(['eth1']);
    const rest = s.run(tbfRemoveScript(ADDRESS, ['eth1', 'eth2']).script);
    expect(rest.code, rest.stderr).toBe(0);
    expect(s.qdisc('eth1')).toBe('qdisc htb 1: root refcnt 2');
    expect(s.qdisc('eth2')).toBe('qdisc tbf 8002: root rate 1Mbit');
    expect(s.recorded()).toEqual([]);
    expect(s.calls().filter((c) => c.startsWith('qdisc del'))).toEqual(['qdisc del dev eth0 root']);
  });

  it("the next start's probe removes a dead lab's limits, only its own, and says so", () => {
    const s = sandbox();
    expect(s.run(tbfApplyScript(ADDRESS, ['eth0', 'eth1'], { rateKbit: 256 }).script).code).toBe(0);
    writeFileSync(join(s.state, 'eth1'), 'qdisc htb 1: root refcnt 2\n');
    writeFileSync(join(s.state, 'eth3'), 'qdisc tbf 8003: root rate 1Mbit\n');
    const probe = s.run(PREPARE_PROBE, ['0123456789abcdef', 'run-1', ADDRESS]);
    expect(probe.code, probe.stderr).toBe(0);
    expect(probe.stderr).toContain('removed tbf on eth0');
    expect(probe.stderr).not.toContain('eth1');
    expect(s.qdisc('eth0')).toBe('noqueue');
    expect(s.qdisc('eth1')).toBe('qdisc htb 1: root refcnt 2');
    expect(s.qdisc('eth3')).toBe('qdisc tbf 8003: root rate 1Mbit');
    expect(s.recorded()).toEqual([]);
    // Nothing recorded: the probe runs no tc at all.
    const before = s.calls().length;
    expect(s.run(PREPARE_PROBE, ['0123456789abcdef', 'run-2', ADDRESS]).code).toBe(0);
    expect(s.calls()).toHaveLength(before);
  });

  it('keeps the record when a removal fails, so the next start tries again', () => {
    const s = sandbox();
    expect(s.run(tbfApplyScript(ADDRESS, ['eth0'], { rateKbit: 256 }).script).code).toBe(0);
    // A tc that shows but cannot delete (no CAP_NET_ADMIN).
    const bin = join(s.home, '..', 'bin');
    writeFileSync(join(bin, 'tc'), `#!/bin/sh\nif [ "$2" = del ]; then echo "RTNETLINK answers: Operation not permitted" >&2; exit 2; fi\ncat "$TCSTATE/$4"\n`);
    const probe = s.run(`${CLEANUP_SNIPPET}\ntbf_cleanup "$1"`, [ADDRESS]);
    expect(probe.code).toBe(0);
    expect(probe.stderr).toContain('could not remove tbf on eth0');
    expect(s.recorded()).toEqual(['eth0']);
    expect(s.run(tbfRemoveScript(ADDRESS, ['eth0']).script).code).not.toBe(0);
    expect(s.recorded()).toEqual(['eth0']);
  });
});
