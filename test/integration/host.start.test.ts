/**
 * `npm start` in browser mode (scripts/start.mjs) as a hostile local user would watch it:
 * the sign-in address never appears on a command line (the opener gets a 0600 file in a
 * 0700 folder), the address works once, and the lab server dies when `npm start` is
 * SIGKILLed (docs/security.md#browser-mode-token). The system opener is replaced by a script
 * on PATH that records what it was given.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSetprivPdeathsig } from '../../src/lab/nodeLauncher';
import { raftlabBin } from './helpers/cliBuild';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { repoRoot } from './helpers/nodeBuild';
import { pidAlive, waitForPidsGone } from './helpers/processes';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

function get(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}

/** Child pids of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

describe.runIf(process.platform === 'linux' && existsSync(join(repoRoot(), 'out/renderer/index.html')))('npm start in browser mode', () => {
  it('opens the browser through a private file, never with the code on a command line, and its server dies with it', async () => {
    await raftlabBin(); // out/lab/cli.mjs up to date
    const work = mkdtempSync(join(tmpdir(), 'raftlab-it-start-'));
    onCleanup(() => rmSync(work, { recursive: true, force: true }));
    const record = join(work, 'opener.txt');
    const opener = join(work, 'xdg-open');
    // Records its arguments, the modes of the file and its folder, and the file's content
    // (start.mjs removes it when it exits).
    writeFileSync(
      opener,
      `#!/bin/sh\n{ printf 'args:%s\\n' "$*"; printf 'mode:%s\\n' "$(stat -c %a "$1")"; printf 'dirmode:%s\\n' "$(stat -c %a "$(dirname "$1")")"; cat "$1"; } > '${record}'\n`,
    );
    chmodSync(opener, 0o755);
    const start = spawn(process.execPath, [join(repoRoot(), 'scripts/start.mjs'), '--browser', '--no-build'], {
      cwd: repoRoot(),
      env: { ...process.env, PATH: `${work}:${process.env.PATH ?? ''}`, DISPLAY: ':99' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    start.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    start.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<void>((resolve) => start.once('exit', () => resolve()));
    const found: { server?: number } = {};
    onCleanup(async () => {
      if (start.exitCode === null && start.signalCode === null) start.kill('SIGKILL');
      await exited;
      if (found.server !== undefined && pidAlive(found.server)) process.kill(found.server, 'SIGKILL');
    });

    const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/\?code=[0-9a-f]{32}/.exec(out)?.[0], {
      timeoutMs: 30_000,
      what: 'npm start to print the sign-in address',
      describe: () => out,
    });
    expect(out).not.toMatch(/token=/);
    // Written by a shell while we read it: wait for the page's last line.
    const opened = await waitFor(() => (existsSync(record) && readFileSync(record, 'utf8').includes('Open raftlab</a>') ? readFileSync(record, 'utf8') : null), {
      timeoutMs: 10_000,
      what: 'the opener to run and record the page',
    });
    const args = /^args:(.*)$/m.exec(opened)![1];
    const code = new URL(url).searchParams.get('code')!;
    expect(args).not.toContain(code);
    expect(args).toMatch(/raftlab-open-[^/]+\/open-raftlab\.html$/);
    expect(opened).toMatch(/^mode:600$/m);
    expect(opened).toMatch(/^dirmode:700$/m);
    expect(opened).toContain(`url=${url}`);

    // The code signs in once.
    const first = await get(url);
    expect(first.status).toBe(303);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get(url)).status).toBe(403);

    const server = childrenOf(start.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve'));
    found.server = server;
    expect(server, `the lab server among the children of npm start: ${childrenOf(start.pid!).join(', ')}`).toBeDefined();
    if (!hasSetprivPdeathsig()) return; // without setpriv the server cannot notice a SIGKILL (start.mjs says so)
    start.kill('SIGKILL');
    await exited;
    await waitForPidsGone([server!], { timeoutMs: 5000, what: 'the lab server to stop after npm start was SIGKILLed' });
  });
});
