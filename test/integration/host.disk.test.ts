/**
 * A full disk under the lab's files (docs/security.md#paths-and-files): a node's log stream
 * that fails with ENOSPC does not kill the lab and never blocks the node (its output is
 * drained), and a run whose recording fills its disk is stopped cleanly, with a message
 * saying why, keeping every complete line written, each once.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_OPTIONS, DEFAULT_WORKLOAD } from '../../src/contract/clusterOptions';
import type { NodeProcessConfig } from '../../src/contract/nodeConfig';
import type { RunEvent } from '../../src/contract/runEvents';
import { Lab } from '../../src/lab/lab';
import { Supervisor, type ProcessEvent } from '../../src/lab/supervisor';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { nodeScript } from './helpers/nodeBuild';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

const linux = process.platform === 'linux';

describe.runIf(linux)('a node log on a full disk (/dev/full)', () => {
  it('reports ENOSPC once, keeps the lab alive and drains the node, which runs to its end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-it-devfull-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'logs'));
    symlinkSync('/dev/full', join(dir, 'logs', 'node-1.log'));
    // A stand-in "node" that writes 8 MiB to stdout and exits 0: if its pipe were not
    // drained once the log failed, it would block forever on a full pipe.
    const chatty = join(dir, 'chatty.mjs');
    writeFileSync(chatty, "const line = 'x'.repeat(1023) + '\\n'; let n = 0; const go = () => { while (n < 8192) { n++; if (!process.stdout.write(line)) return process.stdout.once('drain', go); } }; go();\n");
    const writeErrors: Error[] = [];
    const events: ProcessEvent[] = [];
    const sup = new Supervisor({ runDir: dir, nodeScript: chatty, execPath: process.execPath, onProcessEvent: (ev) => events.push(ev), onWriteError: (_n, err) => writeErrors.push(err) });
    sup.start({ id: 1 } as NodeProcessConfig);
    await waitFor(() => events.some((e) => e.state === 'stopped' || e.state === 'crashed'), { timeoutMs: 20_000, what: 'the chatty process to finish', describe: () => JSON.stringify(events) });
    expect(events.at(-1)).toMatchObject({ state: 'stopped', code: 0 });
    expect(writeErrors).toHaveLength(1);
    expect(writeErrors[0].message).toMatch(/cannot write .*node-1\.log: .*ENOSPC/);
    await sup.teardown();
  });
});

describe.runIf(linux)('a run whose recording fills its disk (small tmpfs)', () => {
  let mountDir = '';
  let skipReason: string | null = null;

  beforeAll(() => {
    if (process.getuid?.() !== 0) {
      skipReason = 'mounting a tmpfs needs root';
      return;
    }
    mountDir = mkdtempSync(join(tmpdir(), 'raftlab-it-tmpfs-'));
    const res = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountDir], { encoding: 'utf8' });
    if (res.status !== 0) skipReason = `mount -t tmpfs was refused: ${(res.stderr || res.error?.message || '').trim()}`;
  });

  afterAll(() => {
    if (!mountDir) return;
    if (skipReason === null) {
      const u = spawnSync('umount', [mountDir], { encoding: 'utf8' });
      if (u.status !== 0) throw new Error(`umount ${mountDir} failed: ${u.stderr}`);
    }
    rmSync(mountDir, { recursive: true, force: true });
  });

  it('stops the run cleanly with a message, keeps what was written, never a line twice', async (ctx) => {
    if (skipReason !== null) {
      ctx.skip(skipReason);
      return;
    }
    const runsDir = join(mountDir, 'runs');
    // Leave ~160 KiB free: a few seconds of a 3-node run with a workload fills it.
    writeFileSync(join(mountDir, 'filler'), Buffer.alloc(2 * 1024 * 1024 - 160 * 1024));
    const lab = Lab.create({ runsDir, nodeScript: await nodeScript() });
    const pushed: RunEvent[] = [];
    const unsubscribe = lab.subscribe((channel, payload) => {
      if (channel === 'lab:events') pushed.push(...(payload as { events: RunEvent[] }).events);
    });
    onCleanup(async () => {
      unsubscribe();
      await lab.shutdown().catch((err: Error) => console.error(`shutdown after the full-disk run: ${err.message}`));
    });
    const errors: string[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '));
    onCleanup(() => {
      console.error = originalError;
    });
    const cluster = await lab.startCluster({ ...DEFAULT_CLUSTER_OPTIONS, nodes: 3, workload: { ...DEFAULT_WORKLOAD, clients: 4, rate: 200 } });
    const runDir = cluster.runDir;
    await waitFor(() => lab.current === null, { timeoutMs: 60_000, what: 'the lab to stop the run once its disk is full', describe: () => errors.join('\n') });
    const message = pushed.find((e) => e.type === 'log' && e.level === 'error' && e.message.startsWith('lab: stopping the run'));
    expect(message, 'a pushed event says why the run stopped').toBeDefined();
    expect((message as { message: string }).message).toMatch(/ENOSPC/);
    expect(errors.some((e) => e.includes('[lab] stopping the run'))).toBe(true);
    // No node process outlived the stop.
    expect(lab.state().nodes.length === 0 || lab.state().phase === 'idle').toBe(true);

    const text = readFileSync(join(runDir, 'events.jsonl'), 'utf8');
    expect(text.length).toBeGreaterThan(0);
    expect(text.endsWith('\n'), 'no half line at the end').toBe(true);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) JSON.parse(line);
    expect(new Set(lines).size, 'no line twice').toBe(lines.length);
    expect(readdirSync(join(runDir, 'pids'))).toEqual([]);
  });
});
