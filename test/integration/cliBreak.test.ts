/**
 * `raftlab run --break` as a user runs it (docs/debugger.md): a real process, real nodes. The
 * first breakpoint that fires freezes the cluster; the command prints the break and every
 * node's state, saves the session as session.yaml next to the run, and exits 0 long before the
 * run's duration. The saved session runs again headless and sets the same breakpoints first.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/contract/runEvents';
import { loadScenarioFile } from '../../src/lab/scenario/loadScenario';
import { readRun } from '../../src/lab/recorder/readRun';
import { runRaftlab, type CliResult } from './helpers/cliBuild';

let work = '';
let failed = false;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'raftlab-it-cli-break-'));
});

afterAll(() => {
  if (failed) console.error(`[integration] kept CLI runs in ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

async function raftlab(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  try {
    return await runRaftlab(args, { timeoutMs, cwd: work });
  } catch (err) {
    failed = true;
    throw err;
  }
}

function expectExit(r: CliResult, code: number): void {
  if (r.code !== code) failed = true;
  expect(r.code, `exit code; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(code);
}

/** The value of one row of the summary table. */
const row = (stdout: string, name: string) => stdout.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length).trim();

/** The node table under the break line: node, role, term, vote, commit, last index, held, timer. */
function nodeRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => /^node\s+role\s+term\s+vote\s+commit\s+last index\s+held\s+timer \(ticks\)$/.test(l));
  expect(head, stdout).toBeGreaterThan(0);
  return lines.slice(head + 1).filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s{2,}/));
}

const sessionOf = (stdout: string) => /^session saved: (\S+) \(raftlab run \1 repeats it\)$/m.exec(stdout)?.[1];

describe('raftlab run --break', () => {
  it('stops at the commit breakpoint, prints the break and the frozen nodes, and saves a session that runs again', async () => {
    const out = join(work, 'runs');
    const r = await raftlab(['run', '--nodes', '3', '--duration', '40s', '--seed', '5', '--fsync', 'never', '--workload', 'clients=1,rate=20,keys=4', '--break', 'commitAtLeast=5', '--out', out]);
    expectExit(r, 0);
    const brk = /^break at (\d+\.\d{3}) s \(node (\d)\): commit index (\d+) reached 5$/m.exec(r.stdout);
    expect(brk, r.stdout).not.toBeNull();
    expect(Number(brk![3])).toBeGreaterThanOrEqual(5);
    expect(Number(brk![1]), 'it stopped at the break, not at the end of the run').toBeLessThan(30);
    const nodes = nodeRows(r.stdout);
    expect(nodes.map((n) => n[0])).toEqual(['1', '2', '3']);
    // Frozen at a commit of at least 5: the node that broke has it, and one node leads (§5.2).
    expect(nodes.find((n) => n[0] === brk![2])![4]).toBe(brk![3]);
    expect(nodes.filter((n) => n[1] === 'leader')).toHaveLength(1);
    expect(nodes.find((n) => n[1] === 'leader')![7]).toMatch(/^heartbeat \d+\/\d+$/);
    expect(nodes.find((n) => n[1] === 'follower')![7]).toMatch(/^election \d+\/\d+$/);

    const runDir = row(r.stdout, 'directory')!;
    expect(Number(row(r.stdout, 'duration')!.replace(' s', ''))).toBeLessThan(30);
    const session = sessionOf(r.stdout)!;
    expect(session).toBe(join(runDir, 'session.yaml'));
    expect(existsSync(session)).toBe(true);
    const events = readRun(runDir).events as RunEvent[];
    expect(events.flatMap((e) => (e.type === 'debug' ? [e.action] : []))).toEqual(['breakpoints', 'break', 'freeze']);

    // The session as a scenario: the breakpoints first, then the freeze the break caused.
    const saved = loadScenarioFile(session);
    expect(saved.cluster.nodes).toBe(3);
    expect(saved.steps.map((s) => s.action)).toEqual([{ kind: 'break', commitAtLeast: 5 }, { kind: 'freeze' }]);
    const again = await raftlab(['run', session, '--out', join(work, 'again')]);
    expectExit(again, 0);
    const againEvents = readRun(row(again.stdout, 'directory')!).events as RunEvent[];
    const actions = againEvents.flatMap((e) => (e.type === 'debug' ? [e.action] : []));
    expect(actions[0]).toBe('breakpoints');
    expect(actions).toContain('freeze');
  }, 120_000);

  it('breaks on the first role change of the brief\'s example, names it, and shows the node in its new role', async () => {
    const r = await raftlab(['run', '--nodes', '3', '--duration', '20s', '--seed', '7', '--fsync', 'never', '--workload', 'none', '--break', 'roleChange,termAbove=3,commitAtLeast=10', '--out', join(work, 'role')]);
    expectExit(r, 0);
    // The breakpoints are set once the cluster runs, so the first election may be under way
    // already: the first change seen is follower -> candidate or candidate -> leader (§5.2).
    const brk = /^break at \d+\.\d{3} s \(node (\d)\): role changed from (follower|candidate) to (candidate|leader) in term (\d+)$/m.exec(r.stdout);
    expect(brk, r.stdout).not.toBeNull();
    const broke = nodeRows(r.stdout).find((n) => n[0] === brk![1])!;
    expect([broke[1], broke[2]], 'the node that broke is frozen in the role and term it changed to').toEqual([brk![3], brk![4]]);
    expect(sessionOf(r.stdout)).toBeDefined();
  }, 60_000);

  it('refuses a bad --break with the usage and exit 2', async () => {
    const r = await raftlab(['run', '--duration', '5s', '--break', 'termAbove=x']);
    expectExit(r, 2);
    expect(r.stderr).toContain('raftlab: --break: termAbove must be a whole number >= 0, got "x"');
  });
});
