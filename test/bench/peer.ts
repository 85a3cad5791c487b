/**
 * `npm run bench -- peer`: the node bench's single-request load (test/bench/loadShape.ts)
 * against a 3-member etcd and against raftlab, in the same run, on the same machine, and the
 * ratio of each figure. A benchmark, not a test: CI and `npm test` do not run it.
 *
 * etcd is whatever `etcd` is on PATH (Debian's `etcd-server` package gives 3.4); without it
 * the bench prints why it skipped and returns. Its members run on loopback with heartbeat
 * 30 ms and election timeout 150 ms (raftlab's defaults are of that order), WAL fsynced (etcd
 * always fsyncs unless `--unsafe-no-fsync`), so it is compared with raftlab's fsync
 * `always`. The client is Node's http with keep-alive, one request per put to the leader's
 * gRPC gateway (`POST /v3/kv/put`); raftlab's is its own ZeroMQ client, one put per frame.
 * Both are Node clients: etcd's Go benchmark client is faster than this one (issue 12 quotes
 * it), so the etcd figures here are what a Node user of etcd sees.
 *
 * Options: `--phase=closed-1,open-1000` (default the single-request phases), `--duration=MS`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runClosedLoop, runOpenLoop, type LoadResult, type PutFn } from './loadShape';
import { CLOSED_LOOP_CLIENTS, runClusterPhases, type PhaseRow } from './node';

export interface PeerBenchOptions {
  phases?: string[];
  durationMs?: number;
}

const SINGLE_REQUEST_PHASES = [...CLOSED_LOOP_CLIENTS.map((n) => `closed-${n}`), 'open-1000'];

export function parsePeerBenchArgs(argv: readonly string[]): PeerBenchOptions {
  const out: PeerBenchOptions = {};
  for (const a of argv) {
    if (a.startsWith('--phase=')) out.phases = a.slice(8).split(',').filter((w) => w !== '');
    else if (a.startsWith('--duration=')) {
      const n = Number(a.slice(11));
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--duration needs a positive number of ms, got ${JSON.stringify(a.slice(11))}`);
      out.durationMs = n;
    } else throw new Error(`unknown option ${JSON.stringify(a)} (options: --phase= --duration=)`);
  }
  for (const p of out.phases ?? []) if (!SINGLE_REQUEST_PHASES.includes(p)) throw new Error(`unknown phase ${p}; phases: ${SINGLE_REQUEST_PHASES.join(', ')}`);
  return out;
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir !== '' && existsSync(p)) return p;
  }
  return null;
}

/** A free loopback TCP port (bound and released: another process could take it first, which etcd would report). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

interface EtcdMember {
  name: string;
  clientUrl: string;
  child: ChildProcess;
  stderr: string[];
}

/** Three etcd members on loopback, each with its own data directory under one temp dir. */
class EtcdCluster {
  private constructor(
    readonly dir: string,
    readonly members: EtcdMember[],
  ) {}

  static async start(etcd: string): Promise<EtcdCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-bench-etcd-'));
    const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const names = ['m1', 'm2', 'm3'];
    const peerUrl = (i: number) => `http://127.0.0.1:${ports[2 * i + 1]}`;
    const initial = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
    const members = names.map((name, i): EtcdMember => {
      const clientUrl = `http://127.0.0.1:${ports[2 * i]}`;
      const args = [
        `--name=${name}`,
        `--data-dir=${join(dir, name)}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl(i)}`,
        `--initial-advertise-peer-urls=${peerUrl(i)}`,
        `--initial-cluster=${initial}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=raftlab-bench-${process.pid}`,
        '--heartbeat-interval=30',
        '--election-timeout=150',
        '--log-level=error',
        '--logger=zap',
      ];
      const child = spawn(etcd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const stderr: string[] = [];
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr.push(chunk);
        if (stderr.length > 50) stderr.shift();
      });
      return { name, clientUrl, child, stderr };
    });
    return new EtcdCluster(dir, members);
  }

  /** The client URL of the member that is leader, once the members agree there is one. */
  async waitForLeader(timeoutMs: number): Promise<EtcdMember> {
    const deadline = performance.now() + timeoutMs;
    let last = '';
    while (performance.now() < deadline) {
      for (const m of this.members) {
        if (m.child.exitCode !== null) throw new Error(`etcd member ${m.name} exited (${m.child.exitCode}): ${m.stderr.join('').slice(-500)}`);
        try {
          const s = (await postJson(m.clientUrl, '/v3/maintenance/status', {})) as { header?: { member_id?: string }; leader?: string };
          if (s.leader && s.header?.member_id === s.leader) return m;
          last = `member ${m.name}: leader ${s.leader ?? 'none'}`;
        } catch (err) {
          last = `member ${m.name}: ${(err as Error).message}`;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no etcd leader within ${timeoutMs} ms (${last})`);
  }

  /** Highest VmRSS of the members, MB. */
  rssMb(): number {
    let max = 0;
    for (const m of this.members) {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${m.child.pid}/status`, 'utf8'));
        if (kb) max = Math.max(max, Number(kb[1]) / 1024);
      } catch (err) {
        console.error(`[bench] cannot read RSS of etcd member ${m.name}: ${(err as Error).message}`);
      }
    }
    return max;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.child.exitCode !== null || m.child.signalCode !== null) return resolve();
            m.child.once('exit', () => resolve());
            m.child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

function postJson(base: string, path: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** One etcd put per HTTP request to the leader's gateway. */
function etcdPut(base: string): PutFn {
  return (_client, key, value) =>
    postJson(base, '/v3/kv/put', { key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') }).then(
      () => true,
      () => false,
    );
}

async function measureEtcd(etcd: EtcdCluster, leader: EtcdMember, phase: string, durationMs: number): Promise<PhaseRow> {
  const put = etcdPut(leader.clientUrl);
  for (let i = 0; i < 20; i++) await put(0, `warm-${i}`, 'x');
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, etcd.rssMb())), 100);
  let r: LoadResult;
  try {
    r = phase.startsWith('closed-')
      ? await runClosedLoop(put, { clients: Number(phase.slice(7)), durationMs, warmupMs: 500 })
      : await runOpenLoop(put, { rate: Number(phase.slice(5)), durationMs, warmupMs: 500 });
  } finally {
    clearInterval(sampler);
  }
  rss = Math.max(rss, etcd.rssMb());
  return { phase, fsync: 'always', writesPerSec: r.writesPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rssMb: Math.round(rss * 10) / 10, failed: r.failed };
}

/** Runs etcd first, then raftlab (fsync always), and prints both with the ratios. */
export async function benchPeer(options: PeerBenchOptions = {}): Promise<Record<string, number | string> | undefined> {
  const etcdPath = findOnPath('etcd');
  if (!etcdPath) {
    console.log('skipped: no etcd on PATH (Debian: apt-get install etcd-server); nothing to compare with');
    return undefined;
  }
  const phases = options.phases ?? SINGLE_REQUEST_PHASES;
  const durationMs = options.durationMs ?? 3000;
  const etcdRows: PhaseRow[] = [];
  const etcd = await EtcdCluster.start(etcdPath);
  try {
    const leader = await etcd.waitForLeader(15_000);
    for (const p of phases) etcdRows.push(await measureEtcd(etcd, leader, p, durationMs));
  } finally {
    await etcd.stop();
  }
  const out: Record<string, number | string> = {};
  const ours = await runClusterPhases(out, { durationMs, kills: 0, connections: 4, batch: 256, inFlightBatches: 4, latencyRate: 1000, phases: new Set(phases), fsync: ['always'] });

  const figures: Record<string, number | string> = {};
  const head = ['phase', 'etcd w/s', 'p50', 'p99', 'RSS MB', 'raftlab w/s', 'p50', 'p99', 'RSS MB', 'failed', 'w/s ratio', 'p50 ratio'];
  const lines: string[][] = [];
  for (const e of etcdRows) {
    const r = ours.find((row) => row.phase === e.phase);
    if (!r) continue;
    const wRatio = e.writesPerSec > 0 ? r.writesPerSec / e.writesPerSec : Number.NaN;
    const pRatio = e.p50Ms !== undefined && r.p50Ms !== undefined ? r.p50Ms / e.p50Ms : Number.NaN;
    lines.push([e.phase, String(e.writesPerSec), ms(e.p50Ms), ms(e.p99Ms), e.rssMb.toFixed(1), String(r.writesPerSec), ms(r.p50Ms), ms(r.p99Ms), r.rssMb.toFixed(1), `${e.failed}/${r.failed}`, wRatio.toFixed(2), pRatio.toFixed(2)]);
    for (const [who, row] of [['etcd', e], ['raftlab', r]] as const) {
      figures[`${e.phase}.${who}.writesPerSec`] = row.writesPerSec;
      figures[`${e.phase}.${who}.p50Ms`] = row.p50Ms ?? Number.NaN;
      figures[`${e.phase}.${who}.p99Ms`] = row.p99Ms ?? Number.NaN;
      figures[`${e.phase}.${who}.rssMB`] = row.rssMb;
      figures[`${e.phase}.${who}.failed`] = row.failed;
    }
    figures[`${e.phase}.writesPerSec.raftlabOverEtcd`] = Math.round(wRatio * 100) / 100;
    figures[`${e.phase}.p50.raftlabOverEtcd`] = Math.round(pRatio * 100) / 100;
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  console.log('fsync on both sides; p50/p99 in ms; failed = etcd/raftlab refusals; ratio = raftlab / etcd');
  for (const cells of [head, ...lines]) console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  return figures;
}

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(2));
