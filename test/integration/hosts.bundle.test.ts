/**
 * What the lab copies to a remote host (src/lab/hosts/nodeBundle.ts; docs/multi-host.md,
 * "What is copied where") is enough to run a node there: unpacked into a folder with no
 * node_modules above it, the node bundle resolves every package it leaves external
 * (scripts/esbuildConfig.mjs, NATIVE_PACKAGES) and their native addons load.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NATIVE_PACKAGES } from '../../scripts/esbuildConfig.mjs';
import { packNodeBundle } from '../../src/lab/hosts/nodeBundle';
import { onCleanup } from './helpers/lifecycle';
import { nodeScript } from './helpers/nodeBuild';

describe('the node bundle copied to remote hosts', () => {
  it('runs from its unpacked folder alone: every external package resolves and its addon loads', async () => {
    const bundle = packNodeBundle(await nodeScript());
    expect(bundle.version).toMatch(/^[0-9a-f]{16}$/);
    for (const p of NATIVE_PACKAGES) expect(bundle.packages).toContain(`node_modules/${p}`);
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-it-bundle-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const untar = spawnSync('tar', ['-xzf', '-', '-C', dir], { input: bundle.tar() });
    expect(untar.status, untar.stderr.toString()).toBe(0);
    const script = join(dir, bundle.script);

    // Static imports resolve before main runs: with stdin at its end the node gets as far
    // as reading its config, and says that is what is missing.
    const run = spawnSync(process.execPath, [script, '--config-stdin'], { cwd: dir, input: '', encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toContain('stdin ended before a config line arrived');
    expect(run.status).toBe(2);

    // The native packages load from the bundle's own folder, as the bundle's banner require does.
    const probe = [
      `const r = require('node:module').createRequire(${JSON.stringify(script)});`,
      `const z = r('zeromq'); if (typeof z.curveKeyPair !== 'function') throw new Error('zeromq without curveKeyPair');`,
      `const x = r('msgpackr-extract'); if (typeof x.extractStrings !== 'function') throw new Error('msgpackr-extract without extractStrings');`,
      `console.log(r.resolve('zeromq'));`,
    ].join('\n');
    const loaded = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim().startsWith(dir)).toBe(true);
  });
});
