/**
 * `raftlab` as a user runs it: `node bin/raftlab.mjs ...` in its own process, judged by its
 * exit code (0 ok, 1 a check failed, 2 bad usage or input, 3 check: linearizability
 * unknown) and what it prints.
 */
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRaftlab, type CliResult } from './helpers/cliBuild';
import { repoRoot } from './helpers/nodeBuild';

let work = '';
let failed = false;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'raftlab-it-cli-'));
});

afterAll(() => {
  if (failed) console.error(`[integration] kept CLI runs in ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

/** Writes a scenario file into the test's directory; returns its path. */
function scenario(name: string, text: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** Runs raftlab and remembers a failure, so the runs are kept for reading. */
async function raftlab(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  try {
    return await runRaftlab(args, { timeoutMs, cwd: work });
  } catch (err) {
    failed = true;
    throw err;
  }
}

/** The value of one row of the summary table ("linearizable   true"). */
function row(stdout: string, name: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  return line?.slice(name.length).trim();
}

function expectExit(r: CliResult, code: number): void {
  if (r.code !== code) failed = true;
  expect(r.code, `exit code; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(code);
}

const TINY = `# A small, quiet run: three nodes, a light workload, four seconds.
name: tiny
duration: 4s
cluster: { nodes: 3, fsync: never, seed: 5 }
workload: { clients: 2, rate: 30, keys: 4 }
expect:
  noViolations: true
  linearizable: true
`;

describe('raftlab run / check / export', () => {
  let runDir = '';

  it('runs a scenario file, prints the summary table and exits 0', async () => {
    const file = scenario('tiny', TINY);
    const r = await raftlab(['run', file, '--out', join(work, 'runs')]);
    expectExit(r, 0);
    expect(row(r.stdout, 'run')).toBe('tiny');
    expect(row(r.stdout, 'nodes')).toBe('3');
    expect(row(r.stdout, 'violations')).toBe('none');
    expect(row(r.stdout, 'linearizable')).toBe('true');
    expect(row(r.stdout, 'expect noViolations')).toMatch(/^ok: /);
    expect(row(r.stdout, 'expect linearizable')).toMatch(/^ok: /);
    expect(row(r.stdout, 'ops')).toMatch(/^ok [1-9]\d*, fail \d+, info \d+$/);
    runDir = row(r.stdout, 'directory') ?? '';
    expect(runDir.startsWith(join(work, 'runs'))).toBe(true);
    for (const f of ['events.jsonl', 'history.jsonl', 'summary.json', 'report.html']) expect(existsSync(join(runDir, f)), f).toBe(true);
  });

  it('checks a recorded run and exits 0', async () => {
    expect(runDir, 'the run test must pass first').not.toBe('');
    const r = await raftlab(['check', runDir]);
    expectExit(r, 0);
    expect(row(r.stdout, 'violations')).toBe('none');
    expect(row(r.stdout, 'linearizable')).toBe('true');
  });

  it('replays the run: check reports 0 mismatches, replay prints a node\'s state, messages pairs sends with receipts', async () => {
    expect(runDir, 'the run test must pass first').not.toBe('');
    const check = await raftlab(['check', runDir]);
    expectExit(check, 0);
    expect(check.stdout).toMatch(/replay: 3 nodes, [1-9]\d* steps, 0 mismatches/);
    const state = await raftlab(['replay', runDir, '--node', '1', '--at', '3s', '--json']);
    expectExit(state, 0);
    const s = JSON.parse(state.stdout) as { node: number; term: number; role: string; log: { lastIndex: number }; commit: number };
    expect(s.node).toBe(1);
    expect(s.term).toBeGreaterThan(0);
    expect(s.log.lastIndex).toBeGreaterThanOrEqual(s.commit);
    const votes = await raftlab(['messages', runDir, '--type', 'vote', '--json']);
    expectExit(votes, 0);
    const lines = votes.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; receivedAt: number[]; sentAt: number });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((m) => m.type === 'vote')).toBe(true);
    expect(lines.some((m) => m.receivedAt.length > 0 && m.receivedAt[0] >= m.sentAt)).toBe(true);
    const usage = await raftlab(['replay', runDir, '--node', '1']);
    expectExit(usage, 2);
    expect(existsSync(join(runDir, 'messages.jsonl')) && existsSync(join(runDir, 'shiviz.log'))).toBe(true);
  });

  it('exports one format of a recorded run', async () => {
    expect(runDir, 'the run test must pass first').not.toBe('');
    const trace = join(runDir, 'trace.json');
    unlinkSync(trace);
    const r = await raftlab(['export', runDir, '--format', 'trace.json']);
    expectExit(r, 0);
    expect(r.stdout).toContain(trace);
    const parsed = JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: unknown[] };
    expect(parsed.traceEvents.length).toBeGreaterThan(0);
  });

  it('exports every format when --format is left out', async () => {
    expect(runDir, 'the run test must pass first').not.toBe('');
    for (const f of ['trace.json', 'report.html', 'history.edn']) unlinkSync(join(runDir, f));
    const r = await raftlab(['export', runDir]);
    expectExit(r, 0);
    for (const f of ['trace.json', 'report.html', 'history.edn', 'metrics.csv', 'summary.json']) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
      expect(r.stdout).toContain(join(runDir, f));
    }
  });

  it("check judges the run's recorded expectations again: a changed expectation fails with exit 1", async () => {
    expect(runDir, 'the run test must pass first').not.toBe('');
    const again = await raftlab(['check', runDir]);
    expect(row(again.stdout, 'run')).toBe('tiny');
    expect(row(again.stdout, 'expect linearizable')).toMatch(/^ok: /);
    const copy = join(work, 'stricter-run');
    cpSync(runDir, copy, { recursive: true });
    const recorded = JSON.parse(readFileSync(join(copy, 'expectations.json'), 'utf8')) as { scenario: string; expect: Record<string, unknown> };
    expect(recorded.scenario).toMatch(/tiny\.yaml$/);
    writeFileSync(join(copy, 'expectations.json'), JSON.stringify({ ...recorded, expect: { ...recorded.expect, leaderWithinMs: 0 } }));
    const r = await raftlab(['check', copy]);
    expectExit(r, 1);
    expect(row(r.stdout, 'expect leaderWithin 0 ms')).toMatch(/^FAILED: first leader after/);
  });

  it('check exits 3 when linearizability is unknown (and says why)', async () => {
    expect(runDir, 'the run test must pass first').not.toBe('');
    const copy = join(work, 'undecided-run');
    cpSync(runDir, copy, { recursive: true });
    // An operation that returns before it was called: the checker cannot decide such a history.
    appendFileSync(join(copy, 'history.jsonl'), JSON.stringify({ client: 9, op: 'get', key: 'k0', value: null, output: null, call: 5, return: 1, status: 'ok' }) + '\n');
    const r = await raftlab(['check', copy]);
    expectExit(r, 3);
    expect(row(r.stdout, 'linearizable')).toMatch(/^unknown \(.*invalid history/);
    expect(row(r.stdout, 'violations')).toBe('none');
  });

  it('runs from flags: timeouts, PreVote and CheckQuorum set, named by what it is, "no operations" without a workload', async () => {
    const out = join(work, 'flag-runs');
    const r = await raftlab([
      'run', '--nodes', '3', '--duration', '3s', '--workload', 'none', '--fsync', 'never', '--seed', '4',
      '--election-timeout-min', '300', '--election-timeout-max', '600', '--heartbeat', '100', '--no-prevote', '--check-quorum',
      '--out', out,
    ]);
    expectExit(r, 0);
    expect(row(r.stdout, 'run')).toBe('3 nodes, faults none');
    expect(r.stdout).not.toMatch(/^run\s+run$/m);
    expect(row(r.stdout, 'linearizable')).toBe('no operations');
    const dir = row(r.stdout, 'directory')!;
    const started = JSON.parse(readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')[0]) as { options: Record<string, unknown> };
    expect(started.options).toMatchObject({ nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 100, preVote: false, checkQuorum: true, seed: 4 });
  });
});

describe('raftlab help and version', () => {
  it('--help, -h and help print the commands and the exit codes, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await raftlab(args);
      expectExit(r, 0);
      expect(r.stdout).toMatch(/^usage: raftlab COMMAND/);
      expect(r.stdout).toMatch(/3 {2}check only: nothing failed, but linearizability is unknown/);
    }
  });

  it('run --help and help run explain the command with examples', async () => {
    for (const args of [['run', '--help'], ['run', '-h'], ['help', 'run']]) {
      const r = await raftlab(args);
      expectExit(r, 0);
      expect(r.stdout).toMatch(/^usage: raftlab run/);
      expect(r.stdout).toContain('--election-timeout-min MS');
      expect(r.stdout).toMatch(/examples:\n\s+raftlab run /);
    }
    for (const c of ['check', 'export', 'serve']) {
      const r = await raftlab([c, '--help']);
      expectExit(r, 0);
      expect(r.stdout).toMatch(new RegExp(`^usage: raftlab ${c}`));
    }
  });

  it('--version prints the package version', async () => {
    const r = await raftlab(['--version']);
    expectExit(r, 0);
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('usage errors exit 2: no command, help for an unknown command, contradicting flags', async () => {
    const none = await raftlab([]);
    expectExit(none, 2);
    expect(none.stderr).toMatch(/^usage: raftlab COMMAND/);
    const helpNope = await raftlab(['help', 'nope']);
    expectExit(helpNope, 2);
    const both = await raftlab(['run', '--prevote', '--no-prevote']);
    expectExit(both, 2);
    expect(both.stderr).toMatch(/--prevote and --no-prevote contradict each other/);
    const notANumber = await raftlab(['run', '--heartbeat', 'fast']);
    expectExit(notANumber, 2);
    expect(notANumber.stderr).toMatch(/--heartbeat must be a whole number, got "fast"/);
  });
});

describe('raftlab exit codes for bad input', () => {
  it('names file:line:col of an invalid scenario field and exits 2', async () => {
    const file = scenario(
      'bad-field',
      `name: bad-field
duration: 4s
cluster:
  nodes: 3
  heartbeatMs: lots
`,
    );
    const r = await raftlab(['run', file]);
    expectExit(r, 2);
    expect(r.stderr).toContain(`${file}:5:3:`);
    expect(r.stderr).toMatch(/heartbeatMs must be a whole number/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('rejects an unknown flag with the usage and exits 2', async () => {
    const r = await raftlab(['run', '--no-such-flag']);
    expectExit(r, 2);
    expect(r.stderr).toMatch(/no-such-flag/);
    expect(r.stderr).toMatch(/usage: raftlab run/);
  });

  it('rejects an unknown command, a bad --format and a directory that is no run, each with exit 2', async () => {
    const unknown = await raftlab(['frobnicate']);
    expectExit(unknown, 2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const format = await raftlab(['export', work, '--format', 'pdf']);
    expectExit(format, 2);
    expect(format.stderr).toMatch(/--format must be one of/);
    const notARun = await raftlab(['check', join(work, 'nowhere')]);
    expectExit(notARun, 2);
    expect(notARun.stderr).toMatch(/is not a recorded run/);
    expect(notARun.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('raftlab exit code for a failed check', () => {
  it('exits 1 when an expectation cannot hold (maxElectionMs: 1 with leader kills)', async () => {
    // Two leader kills (the first may find no leader yet while the nodes start on a busy
    // machine, and is then skipped); every leaderless interval lasts far longer than 1 ms.
    const file = scenario(
      'impossible',
      `name: impossible
duration: 8s
cluster: { nodes: 3, fsync: never, seed: 6 }
workload: { clients: 1, rate: 20, keys: 2 }
faults:
  - at: 2s
    every: 2s
    until: 7s
    kill: leader
  - at: 3s
    every: 2s
    until: 7s
    restart: killed
expect:
  noViolations: true
  maxElectionMs: 1
`,
    );
    const r = await raftlab(['run', file, '--out', join(work, 'runs')]);
    expectExit(r, 1);
    expect(row(r.stdout, 'violations')).toBe('none');
    expect(row(r.stdout, 'expect noViolations')).toMatch(/^ok: /);
    expect(row(r.stdout, 'expect maxElectionMs 1')).toMatch(/^FAILED: longest time without a leader: \d/);
  });
});
