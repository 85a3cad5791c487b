/**
 * The netns test hosts (test/support/netns) and the ssh host shell on them: every host is
 * reachable with the system ssh through the generated config, has its own address, reaches
 * the other hosts and the lab's bridge address, and nothing is left behind afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { canMakeNamespaces, cleanupStale, createTestHosts, type TestHosts } from '../support/netns/testHosts';
import { tryCommand } from '../support/netns/commands';
import { SshHostShell } from '../../src/lab/hosts/sshHostShell';
import { HostShellError } from '../../src/lab/hosts/hostShell';
import { tcpEchoScript, tcpProbeScript } from '../support/netns/tcpScripts';

const support = canMakeNamespaces();

describe.skipIf(!support.ok)(`netns test hosts${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let hosts: TestHosts;
  const shells = new Map<string, SshHostShell>();
  const argvSeen: string[][] = [];
  const recordingSpawn = (command: string, args: string[], options: SpawnOptions): ChildProcess => {
    argvSeen.push([command, ...args]);
    return spawn(command, args, options);
  };

  beforeAll(async () => {
    hosts = await createTestHosts({ count: 3 });
    for (const h of hosts.hosts) shells.set(h.name, new SshHostShell(h.name, { configFile: hosts.sshConfigPath, spawn: recordingSpawn }));
  });

  afterAll(async () => {
    for (const shell of shells.values()) await shell.close();
    await hosts?.destroy();
  });

  it('reaches every host with `ssh -F <config> hN`, each with its own address', async () => {
    for (const h of hosts.hosts) {
      const r = await shells.get(h.name)!.run(['ip', '-4', '-o', 'addr', 'show']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`inet ${h.address}/24`);
      // Only its own address (and loopback): the other hosts' are elsewhere.
      for (const other of hosts.hosts.filter((o) => o !== h)) expect(r.stdout).not.toContain(other.address);
    }
    // The plain ssh command line a user would type works too.
    const plain = tryCommand(['ssh', ...hosts.sshArgs('h2'), 'hostname -I']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toBe(hosts.host('h2').address);
  });

  it('hosts reach each other and the lab over TCP', async () => {
    const echo = shells.get('h1')!.spawn(['node', '-e', tcpEchoScript(hosts.host('h1').address, 7001)]);
    try {
      await new Promise<void>((resolve, reject) => {
        echo.stdout!.once('data', () => resolve());
        echo.once('close', (code) => reject(new Error(`echo server on h1 exited ${code}`)));
      });
      for (const from of ['h2', 'h3']) {
        const r = await shells.get(from)!.run(['node', '-e', tcpProbeScript(hosts.host('h1').address, 7001, 2000)]);
        expect(r.stdout.trim(), `${from} → h1: ${r.stderr}`).toBe('ok');
      }
      // The lab (root namespace) reaches h1 on its bridge address.
      const fromLab = tryCommand(['node', '-e', tcpProbeScript(hosts.host('h1').address, 7001, 2000)]);
      expect(fromLab.stdout.trim(), fromLab.stderr).toBe('ok');
    } finally {
      echo.kill('SIGTERM');
    }
  });

  it('passes input on stdin only: the secret never appears in an argv', async () => {
    const secret = `curve-secret-${process.pid}-${Date.now()}`;
    argvSeen.length = 0;
    const r = await shells.get('h3')!.run(['sh', '-c', 'wc -c; ps -eo args'], { input: secret });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0].trim()).toBe(String(secret.length));
    // Neither the ssh argv on the lab's side nor any process on the host carried it.
    expect(argvSeen.length).toBeGreaterThan(0);
    for (const argv of argvSeen) expect(argv.join(' ')).not.toContain(secret);
    expect(r.stdout).not.toContain(secret);
  });

  it('runs hostile arguments as exactly one word each', async () => {
    const hostile = ["it's", '$(touch /tmp/pwned)', '`id`', 'a b', '"q"', '\\', '*', ';exit 3', '\n', '-n', ''];
    const r = await shells.get('h1')!.run(['node', '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...hostile]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(hostile);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('reports a remote exit code as a result, and an unreachable host as an error naming host and step', async () => {
    const r = await shells.get('h2')!.run(['sh', '-c', 'exit 255']);
    expect(r.code).toBe(255);
    const nowhere = new SshHostShell('root@10.231.255.254', { configFile: hosts.sshConfigPath, connectTimeoutS: 1 });
    try {
      const err = await nowhere.run(['true']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostShellError);
      expect((err as Error).message).toMatch(/^ssh root@10\.231\.255\.254: connect: /);
    } finally {
      await nowhere.close();
    }
  });

  it('keeps one multiplexed connection per host', async () => {
    const shell = shells.get('h1')!;
    expect(await shell.masterAlive()).toBe(true);
    // Ten commands, one TCP connection to h1's sshd (counted on h1's side).
    await Promise.all(Array.from({ length: 10 }, () => shell.run(['true'])));
    const conns = hosts.exec('h1', ['ss', '-Htn', 'state', 'established', '( sport = :22 )']);
    expect(conns.code, conns.stderr).toBe(0);
    expect(conns.stdout.trim().split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe.skipIf(!support.ok)('netns cleanup', () => {
  it('destroy() removes namespaces, bridge, sshds and the temp folder', async () => {
    const hosts = await createTestHosts({ count: 3 });
    const sshdPids = hosts.hosts.map((h) => h.sshdPid);
    await hosts.destroy();
    const namespaces = tryCommand(['ip', 'netns', 'list']).stdout;
    for (const h of hosts.hosts) expect(namespaces).not.toContain(h.namespace);
    expect(tryCommand(['ip', 'link', 'show']).stdout).not.toContain(hosts.tag);
    expect(existsSync(hosts.dir)).toBe(false);
    for (const pid of sshdPids) expect(tryCommand(['kill', '-0', String(pid)]).code).not.toBe(0);
  });

  it('cleanupStale() removes what a killed run left, and only that', async () => {
    // What a SIGKILLed run leaves: a namespace and a bridge named for a pid that is gone.
    let deadPid = 4_194_303;
    while (tryCommand(['kill', '-0', String(deadPid)]).code === 0) deadPid--;
    const stale = `rl-${deadPid}-0-h1`;
    expect(tryCommand(['ip', 'netns', 'add', stale]).code).toBe(0);
    expect(tryCommand(['ip', 'link', 'add', `rl-${deadPid}-0-br`, 'type', 'bridge']).code).toBe(0);
    const live = await createTestHosts({ count: 1 });
    try {
      // createTestHosts already ran it; run again to see it is idempotent and spares the live run.
      expect(tryCommand(['ip', 'netns', 'list']).stdout).not.toContain(stale);
      expect(tryCommand(['ip', 'link', 'show']).stdout).not.toContain(`rl-${deadPid}-0-br`);
      expect(cleanupStale()).toEqual([]);
      expect(tryCommand(['ip', 'netns', 'list']).stdout).toContain(live.hosts[0].namespace);
    } finally {
      await live.destroy();
    }
  });
});
