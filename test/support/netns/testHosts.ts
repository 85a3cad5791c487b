/**
 * Test hosts on one machine: 3–5 Linux network namespaces, each a "host" with its own
 * address and its own OpenSSH server, joined by a bridge of veth pairs — the multi-host
 * suites of issue 13 (docs/multi-host.md) reach them with the system `ssh` exactly as a
 * user reaches real machines, through an ssh config file this harness writes.
 *
 * Layout (n is a free third octet, chosen per run):
 *
 *     root namespace (the lab)            namespace rl-<pid>-<k>-h1 ...
 *     bridge rl-<pid>-<k>-br 10.231.n.1 ── veth rl-<pid>-<k>-v1 ── eth0 10.231.n.11 (sshd on :22)
 *                                      ── veth rl-<pid>-<k>-v2 ── eth0 10.231.n.12 (sshd on :22)
 *
 * - Traffic stays among these addresses: the namespaces have no default route, and the
 *   bridge does not pass through the root namespace's iptables (nf_call_iptables 0), so a
 *   firewall on the machine neither blocks the hosts nor sees them.
 * - The lab binds on the bridge address (`labAddress`); the hosts reach it there.
 * - Namespaces share the file system (the node bundle path is visible on every host) but
 *   not ports, routes, firewall tables or qdiscs — which is what kernel faults act on.
 * - Everything is removed by `destroy()` (call it in afterAll), by a process exit hook if
 *   the test process ends first, and by `cleanupStale()` for runs that were SIGKILLed (it
 *   matches the `rl-<pid>-` prefix and removes only what belongs to dead pids, so two test
 *   runs on one machine never remove each other's hosts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command, tryCommand, which, type CommandResult } from './commands';
import { waitFor } from '../../integration/helpers/waitFor';

/** The prefix of every namespace, interface and temp folder the harness makes. */
export const NETNS_PREFIX = 'rl-';
const SUBNET_BASE = '10.231';

export interface TestHost {
  /** The name in the generated ssh config ("h1"), what `ssh -F <config> h1` uses. */
  name: string;
  /** The network namespace (`ip netns exec <namespace> ...`). */
  namespace: string;
  /** The host's IPv4 address on the test bridge. */
  address: string;
  /** The pid of its sshd. */
  sshdPid: number;
}

export interface TestHosts {
  /** `rl-<pid>-<k>`: the prefix of this run's namespaces and interfaces. */
  readonly tag: string;
  /** The /24 the hosts live on ("10.231.42.0/24"). */
  readonly subnet: string;
  /** The root namespace's address on the bridge: where the lab binds so hosts can reach it. */
  readonly labAddress: string;
  readonly hosts: readonly TestHost[];
  /** The generated ssh config (Host h1 → HostName, User root, IdentityFile, known hosts). */
  readonly sshConfigPath: string;
  /** The private key authorized on every host. */
  readonly identityFile: string;
  /** The temp folder holding keys, configs and sshd pid files (removed by destroy). */
  readonly dir: string;
  host(name: string): TestHost;
  /** `['-F', config, name]`: the argv prefix that reaches a host with the system ssh. */
  sshArgs(name: string): string[];
  /** Runs argv inside a host's namespace directly (not over ssh): for a test's own checks. */
  exec(name: string, argv: string[], opts?: { input?: string; timeoutMs?: number }): CommandResult;
  /** Stops every sshd and process in the namespaces, removes namespaces, bridge and temp folder. */
  destroy(): Promise<void>;
}

export type NamespaceSupport = { ok: true; reason?: undefined } | { ok: false; reason: string };

let support: NamespaceSupport | undefined;

/**
 * Whether this machine can build test hosts, and if not, why (for `describe.skipIf` and the
 * skip message): Linux, root, iproute2's `ip`, OpenSSH's `sshd`, `ssh` and `ssh-keygen`, and
 * a namespace that can actually be made (a container without CAP_SYS_ADMIN cannot).
 */
export function canMakeNamespaces(): NamespaceSupport {
  support ??= probeSupport();
  return support;
}

function probeSupport(): NamespaceSupport {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (run the suite as root, as CI does)' };
  for (const tool of ['ip', 'ssh', 'ssh-keygen']) {
    if (!which(tool)) return { ok: false, reason: `\`${tool}\` is not installed (apt-get install -y iproute2 openssh-client)` };
  }
  if (!sshdPath()) return { ok: false, reason: '`sshd` is not installed (apt-get install -y openssh-server)' };
  const probe = `${NETNS_PREFIX}${process.pid}-probe`;
  const added = tryCommand(['ip', 'netns', 'add', probe]);
  if (added.code !== 0) return { ok: false, reason: `cannot make a network namespace here: ${added.stderr.trim()}` };
  const removed = tryCommand(['ip', 'netns', 'del', probe]);
  if (removed.code !== 0) return { ok: false, reason: `made a namespace but could not remove it: ${removed.stderr.trim()}` };
  return { ok: true };
}

function sshdPath(): string | undefined {
  return existsSync('/usr/sbin/sshd') ? '/usr/sbin/sshd' : which('sshd');
}

let sequence = 0;

/** Builds `count` (3–5) test hosts with running sshds; resolves once every sshd accepts connections. */
export async function createTestHosts(opts: { count?: number } = {}): Promise<TestHosts> {
  const count = opts.count ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`netns harness: count must be 1–9 hosts, got ${count}`);
  const can = canMakeNamespaces();
  if (!can.ok) throw new Error(`netns harness: ${can.reason}`);
  cleanupStale();

  const tag = `${NETNS_PREFIX}${process.pid}-${(sequence++).toString(36)}`;
  // Interface names are at most 15 bytes (IFNAMSIZ): "rl-4194304-z-v9" is exactly that.
  if (`${tag}-br`.length > 15) throw new Error(`netns harness: tag ${tag} is too long for interface names`);
  const state = new HarnessState(tag);
  try {
    await state.build(count);
  } catch (err) {
    const cleanupErrors = state.teardownSync();
    const suffix = cleanupErrors.length ? ` (cleanup also failed: ${cleanupErrors.join('; ')})` : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}${suffix}`, { cause: err });
  }
  return state.view();
}

class HarnessState {
  readonly dir: string;
  readonly bridge: string;
  readonly namespaces: string[] = [];
  readonly veths: string[] = [];
  readonly sshds: ChildProcess[] = [];
  readonly hosts: TestHost[] = [];
  readonly sshdLogs = new Map<string, string>();
  octet = -1;
  private destroyed = false;
  private readonly onExit = (): void => {
    const errors = this.teardownSync();
    if (errors.length) process.stderr.write(`netns harness: cleanup at exit: ${errors.join('; ')}\n`);
  };

  constructor(readonly tag: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${tag}-`));
    chmodSync(this.dir, 0o700);
    this.bridge = `${tag}-br`;
    process.on('exit', this.onExit);
  }

  get labAddress(): string {
    return `${SUBNET_BASE}.${this.octet}.1`;
  }

  async build(count: number): Promise<void> {
    // Keys first: the client identity every host authorizes, and one host key per host.
    const identityFile = join(this.dir, 'id_ed25519');
    command('generate the client key', ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${this.tag}-client`, '-f', identityFile]);
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`, 'utf8'), { mode: 0o600 });

    command('create the bridge', ['ip', 'link', 'add', this.bridge, 'type', 'bridge']);
    command('keep the bridge out of the root firewall', ['ip', 'link', 'set', this.bridge, 'type', 'bridge', 'nf_call_iptables', '0', 'nf_call_ip6tables', '0', 'nf_call_arptables', '0']);
    this.claimSubnet();
    command('bring the bridge up', ['ip', 'link', 'set', this.bridge, 'up']);

    for (let i = 1; i <= count; i++) {
      const name = `h${i}`;
      const namespace = `${this.tag}-${name}`;
      const veth = `${this.tag}-v${i}`;
      const address = `${SUBNET_BASE}.${this.octet}.${10 + i}`;
      command(`create namespace ${namespace}`, ['ip', 'netns', 'add', namespace]);
      this.namespaces.push(namespace);
      command(`create veth ${veth}`, ['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      this.veths.push(veth);
      command(`attach ${veth} to the bridge`, ['ip', 'link', 'set', veth, 'master', this.bridge, 'up']);
      command(`address ${name}`, ['ip', '-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      command(`bring up ${name}'s eth0`, ['ip', '-n', namespace, 'link', 'set', 'eth0', 'up']);
      command(`bring up ${name}'s loopback`, ['ip', '-n', namespace, 'link', 'set', 'lo', 'up']);
      this.hosts.push({ name, namespace, address, sshdPid: 0 });
    }

    // sshd refuses to start without its privilege-separation directory; Debian's service
    // unit creates it at boot, which a container never runs.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const knownHosts: string[] = [];
    for (const host of this.hosts) {
      const hostDir = join(this.dir, host.name);
      mkdirSync(hostDir, { mode: 0o700 });
      const hostKey = join(hostDir, 'ssh_host_ed25519_key');
      command(`generate ${host.name}'s host key`, ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${this.tag}-${host.name}`, '-f', hostKey]);
      const [keyType, keyBody] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
      knownHosts.push(`${host.address} ${keyType} ${keyBody}`);
      const configPath = join(hostDir, 'sshd_config');
      writeFileSync(configPath, sshdConfig({ address: host.address, hostKey, authorizedKeys: join(this.dir, 'authorized_keys'), pidFile: join(hostDir, 'sshd.pid') }));
      host.sshdPid = this.startSshd(host, configPath);
    }
    writeFileSync(join(this.dir, 'known_hosts'), `${knownHosts.join('\n')}\n`, { mode: 0o600 });
    writeFileSync(join(this.dir, 'ssh_config'), sshClientConfig(this.hosts, identityFile, join(this.dir, 'known_hosts')), { mode: 0o600 });

    for (const host of this.hosts) {
      await waitFor(() => this.sshdGone(host) ?? acceptsTcp(host.address, 22), {
        timeoutMs: 10_000,
        intervalMs: 25,
        what: `${host.name}'s sshd to accept connections on ${host.address}:22`,
        describe: () => this.sshdLogs.get(host.name)?.trim() || '(sshd printed nothing)',
      });
    }
  }

  /**
   * Picks a free 10.231.n.0/24 and puts the lab's address on the bridge. The start depends
   * on the pid so concurrent runs rarely try the same n; after claiming, the check is
   * repeated so that a run that raced another for the same n backs off instead of sharing it.
   */
  private claimSubnet(): void {
    const start = (process.pid * 7 + sequence * 37) % 240;
    for (let step = 0; step < 240; step++) {
      const octet = 10 + ((start + step) % 240);
      if (subnetInUse(octet)) continue;
      this.octet = octet;
      command('address the bridge', ['ip', 'addr', 'add', `${this.labAddress}/24`, 'dev', this.bridge]);
      if (!subnetInUse(octet, this.bridge)) return;
      command('give back a contested subnet', ['ip', 'addr', 'del', `${this.labAddress}/24`, 'dev', this.bridge]);
    }
    throw new Error(`netns harness: no free ${SUBNET_BASE}.n.0/24 subnet on this machine`);
  }

  private startSshd(host: TestHost, configPath: string): number {
    // -D: stay in the foreground (the harness owns the process); -e: log to stderr.
    const child = spawn('ip', ['netns', 'exec', host.namespace, sshdPath() ?? 'sshd', '-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.sshds.push(child);
    this.sshdLogs.set(host.name, '');
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // Keep the tail only: a long test with many connections must not grow this forever.
      this.sshdLogs.set(host.name, `${this.sshdLogs.get(host.name) ?? ''}${chunk}`.slice(-4000));
    });
    child.on('error', (err) => this.sshdLogs.set(host.name, `${this.sshdLogs.get(host.name) ?? ''}spawn failed: ${err.message}\n`));
    if (child.pid === undefined) throw new Error(`netns harness: could not start sshd for ${host.name}`);
    return child.pid;
  }

  private sshdGone(host: TestHost): never | undefined {
    const child = this.sshds[this.hosts.indexOf(host)];
    if (child && child.exitCode !== null) {
      throw new Error(`${host.name}'s sshd exited ${child.exitCode}: ${this.sshdLogs.get(host.name)?.trim() || '(no output)'}`);
    }
    return undefined;
  }

  /**
   * Removes everything, synchronously (it also runs in the exit hook, where nothing async
   * runs). Returns what could not be removed; "not found" counts as removed.
   */
  teardownSync(): string[] {
    if (this.destroyed) return [];
    this.destroyed = true;
    process.off('exit', this.onExit);
    const errors: string[] = [];
    for (const child of this.sshds) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const namespace of this.namespaces) errors.push(...removeNamespace(namespace));
    // A veth whose namespace is still held by some process would stay; deleting our end
    // removes both ends.
    for (const veth of this.veths) errors.push(...removeLink(veth));
    errors.push(...removeLink(this.bridge));
    rmSync(this.dir, { recursive: true, force: true });
    return errors;
  }

  view(): TestHosts {
    const hosts = this.hosts.map((h) => ({ ...h }));
    const find = (name: string): TestHost => {
      const host = hosts.find((h) => h.name === name);
      if (!host) throw new Error(`netns harness: no host ${name} (have ${hosts.map((h) => h.name).join(', ')})`);
      return host;
    };
    const sshConfigPath = join(this.dir, 'ssh_config');
    return {
      tag: this.tag,
      subnet: `${SUBNET_BASE}.${this.octet}.0/24`,
      labAddress: this.labAddress,
      hosts,
      sshConfigPath,
      identityFile: join(this.dir, 'id_ed25519'),
      dir: this.dir,
      host: find,
      sshArgs: (name) => ['-F', sshConfigPath, find(name).name],
      exec: (name, argv, opts) => tryCommand(['ip', 'netns', 'exec', find(name).namespace, ...argv], opts),
      destroy: async () => {
        const sshdPids = this.sshds.map((c) => c.pid).filter((p): p is number => p !== undefined);
        const errors = this.teardownSync();
        await waitFor(() => sshdPids.every((pid) => !pidAlive(pid)), { timeoutMs: 5000, what: 'the test sshds to exit', describe: () => `alive: ${sshdPids.filter(pidAlive).join(', ')}` });
        if (errors.length) throw new Error(`netns harness: cleanup left things behind: ${errors.join('; ')}`);
      },
    };
  }
}

function sshdConfig(o: { address: string; hostKey: string; authorizedKeys: string; pidFile: string }): string {
  return [
    `ListenAddress ${o.address}`,
    'Port 22',
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // No PAM: a container has no PAM session stack for root worth depending on.
    'UsePAM no',
    // The keys live in a temp folder, which StrictModes would reject.
    'StrictModes no',
    // One multiplexed connection per host carries every node's session (docs/multi-host.md):
    // OpenSSH's default of 10 sessions per connection is too few for 5+ nodes plus commands.
    'MaxSessions 64',
    'MaxStartups 64',
    'X11Forwarding no',
    'PrintMotd no',
    'AcceptEnv LANG',
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

function sshClientConfig(hosts: readonly TestHost[], identityFile: string, knownHosts: string): string {
  return hosts.map((h) => [
    `Host ${h.name}`,
    `  HostName ${h.address}`,
    '  User root',
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  ConnectTimeout 5',
    '',
  ].join('\n')).join('\n');
}

/** True when some interface other than `except` has an address or route in 10.231.octet.0/24. */
function subnetInUse(octet: number, except?: string): boolean {
  const prefix = `${SUBNET_BASE}.${octet}.`;
  const addrs = command('list addresses', ['ip', '-4', '-o', 'addr', 'show']).split('\n');
  const routes = command('list routes', ['ip', '-4', 'route', 'show', 'table', 'all']).split('\n');
  const mine = (line: string): boolean => except !== undefined && new RegExp(`\\b(dev )?${except}\\b`).test(line);
  return [...addrs, ...routes].some((line) => line.includes(prefix) && !mine(line));
}

function acceptsTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILLs every process in a namespace, then deletes it. Returns errors ("gone" is fine). */
function removeNamespace(namespace: string): string[] {
  const pids = tryCommand(['ip', 'netns', 'pids', namespace]);
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') return [`kill ${pid} in ${namespace}: ${(err as Error).message}`];
    }
  }
  const removed = tryCommand(['ip', 'netns', 'del', namespace]);
  if (removed.code === 0 || /No such file|not found|Cannot find/i.test(removed.stderr)) return [];
  return [`ip netns del ${namespace}: ${removed.stderr.trim()}`];
}

function removeLink(name: string): string[] {
  const removed = tryCommand(['ip', 'link', 'del', name]);
  if (removed.code === 0 || /Cannot find device|does not exist/i.test(removed.stderr)) return [];
  return [`ip link del ${name}: ${removed.stderr.trim()}`];
}

/**
 * Removes the namespaces, interfaces and temp folders of harness runs whose process is
 * gone (a SIGKILLed test run cannot clean up after itself). Only names `rl-<pid>-...` with a
 * dead pid are touched: a concurrent run's hosts stay. Returns what it removed.
 */
export function cleanupStale(): string[] {
  const removed: string[] = [];
  const errors: string[] = [];
  // The exact shapes this harness makes, so nothing else that happens to start with "rl-" is touched.
  const shapes = {
    namespace: /^rl-(\d+)-(?:[0-9a-z]+-h\d+|probe)$/,
    link: /^rl-(\d+)-[0-9a-z]+-(?:br|v\d+)$/,
    folder: /^rl-(\d+)-[0-9a-z]+-[A-Za-z0-9]{6}$/,
  };
  const stale = (shape: RegExp) => (name: string): boolean => {
    const m = shape.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  };
  const namespaces = tryCommand(['ip', 'netns', 'list']).stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
  for (const namespace of namespaces.filter(stale(shapes.namespace))) {
    const e = removeNamespace(namespace);
    if (e.length) errors.push(...e);
    else removed.push(`namespace ${namespace}`);
  }
  const links = tryCommand(['ip', '-o', 'link', 'show']).stdout.split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
  // Bridges last: their ports go first.
  for (const link of links.filter(stale(shapes.link)).sort((a, b) => Number(a.endsWith('-br')) - Number(b.endsWith('-br')))) {
    const e = removeLink(link);
    if (e.length) errors.push(...e);
    else removed.push(`link ${link}`);
  }
  for (const entry of readdirSync(tmpdir()).filter(stale(shapes.folder)).filter((e) => existsSync(join(tmpdir(), e, 'authorized_keys')) || existsSync(join(tmpdir(), e, 'id_ed25519')))) {
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    removed.push(`folder ${join(tmpdir(), entry)}`);
  }
  if (errors.length) throw new Error(`netns harness: stale leftovers could not be removed: ${errors.join('; ')}`);
  return removed;
}
