/**
 * What `raftlab --help`, `raftlab help COMMAND` and `raftlab COMMAND --help` print, and the
 * exit codes every command documents. README's CLI section says the same.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_PRESETS } from './faultPresets';
import { EXPORT_FORMATS } from './export/exportRun';

/** Exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** A safety property was violated, an expectation failed, or the history is not linearizable. */
  checkFailed: 1,
  /** Bad usage or bad input (the message says what and where). */
  usage: 2,
  /** `check` only: nothing failed, but linearizability could not be decided (unknown). */
  unknown: 3,
} as const;

const EXIT_CODES = `exit codes:
  0  ok: expectations held, nothing violated
  1  a check failed (a safety violation, a failed expectation, a non-linearizable history)
  2  bad usage or bad input
  3  check only: nothing failed, but linearizability is unknown (the checker's time budget ran out)`;

const COMMANDS = {
  run: `usage: raftlab run [scenario.yaml] [options]

Starts a cluster, plays a scenario's fault timeline (or a fault preset), stops, checks and
records the run under --out (default runs/). Flags override the scenario file.

options:
  --nodes N                   node count, 1-25 (default 5)
  --duration D                30s, 1500ms, 2m (default 20s)
  --faults PRESET             ${FAULT_PRESETS.join(', ')} (default none)
  --workload SPEC             "clients=4,rate=200,mix=get:1/put:1/cas:1/append:1,keys=8,timeout=1000" or "none"
  --election-timeout-min MS   lower end of the randomized election timeout (§5.2)
  --election-timeout-max MS   upper end of the election timeout
  --heartbeat MS              leader heartbeat interval
  --tick-ms MS                timer resolution of the nodes, 1-10 (default min(10, heartbeat/5))
  --network-delay MS          emulated one-way delay on every peer message (docs/network-emulation.md)
  --network-jitter MS         extra delay drawn uniformly from [0, MS) per message
  --prevote, --no-prevote     PreVote on or off (thesis §9.6)
  --check-quorum, --no-check-quorum
                              CheckQuorum on or off (thesis §6.2)
  --seed S                    seed for elections, faults and the workload
  --speed S                   slow motion: the whole cluster at S (0.01-1, default 1): ticks,
                              timeouts, injected delays and the workload scaled (docs/aimed-faults.md)
  --aim SPEC                  an aimed fault, repeatable: "at=2s,from=leader,to=random,types=append,
                              nth=3,action=drop" (keys as a scenario's aim: step; docs/aimed-faults.md)
  --break SPEC                breakpoints from the start: roleChange, termAbove=N, commitAtLeast=K,
                              receive=TYPE[/TYPE], send=TYPE[/TYPE], nodeKilled, violation. The first
                              break freezes the cluster; the run prints it and every node's state,
                              saves the session as session.yaml in the run's folder, and exits 0
                              (docs/debugger.md)
  --transport tcp|ipc         how nodes talk (default tcp)
  --hosts a,b,c               run nodes over ssh on these hosts, round-robin ([user@]IP[:port];
                              default: this machine; docs/multi-host.md)
  --partitions filter|nft     partitions in the nodes' filter (default), or nft DROP rules
                              on the hosts (root or sudo -n there; docs/multi-host.md)
  --fsync always|never        fsync policy of the nodes' logs
  --recording off|messages|full
                              the flight recorder: every core step journaled for exact
                              replay (full, default), message headers only, or nothing
  --out DIR                   where runs are recorded (default runs)
  -h, --help                  this help

examples:
  raftlab run --nodes 5 --duration 30s --faults mixed
  raftlab run scenarios/partition-halves.yaml --seed 7
  raftlab run --nodes 3 --duration 10s --speed 0.1 --aim at=3s,from=leader,to=random,types=append,nth=3,action=drop
  raftlab run --nodes 3 --duration 20s --break roleChange,termAbove=3,commitAtLeast=10
  raftlab run --nodes 3 --election-timeout-min 300 --election-timeout-max 600 --heartbeat 100 --no-prevote

${EXIT_CODES}`,
  check: `usage: raftlab check RUN_DIR

Re-runs the checkers (safety properties, linearizability with a 30 s budget) on a recorded
run and, when the run recorded its expectations (a scenario's expect: section, or the
defaults of a run from flags), evaluates them again. Replays the nodes' journals exactly
and fails on any step whose outputs differ from the journaled digest.

examples:
  raftlab check runs/2026-01-01T10-00-00-000Z-s1

${EXIT_CODES}`,
  export: `usage: raftlab export RUN_DIR [--format F]

Writes a recorded run's exports again: one format, or all of them when --format is left out.
formats: ${[...EXPORT_FORMATS, 'all'].join(', ')}

examples:
  raftlab export runs/<run>
  raftlab export runs/<run> --format trace.json

${EXIT_CODES}`,
  figure16: `usage: raftlab figure16 [options]

Reproduces Figure 16 of the Raft paper (§9.3): kill the leader at a uniformly random point of
its heartbeat interval, measure the time until a new leader, restart the killed node, repeat;
for every timeout range of the top panel (150-150 to 150-300 ms) and the bottom one (12-24 to
150-300 ms), on real node processes and in the simulator with the same delay model. Writes
trials-real.json, trials-sim.json, figure16-top.svg, figure16-bottom.svg and figure16.html
(CDFs on a log time axis, statistics with bootstrap intervals, the paper's values) to --out.
See docs/experiments/figure16.md.

options:
  --panel top|bottom|both     which panel (default both)
  --mode real|sim|both        real processes, the simulator, or both (default both)
  --trials N                  real trials per range (default 100; the paper used 1,000)
  --sim-trials N              simulated trials per range (default 1000)
  --network-delay MS          emulated one-way delay per peer message (default 7)
  --network-jitter MS         plus U[0, MS) per message (default 2): a round trip of 14-18 ms
  --tick-ms MS                the nodes' timer resolution (default 1)
  --sim-timer-lag MS          simulator only: mean exponential lateness of every timer and
                              delivery, a model of event-loop lag (default 0: exact timers)
  --seed S                    seed of the kill times and the simulator (default 16)
  --out DIR                   where to write (default figure16)
  --report-only               redraw the figures and the page from DIR's trials files
  -h, --help                  this help

examples:
  raftlab figure16 --mode sim
  raftlab figure16 --panel bottom --trials 20 --out /tmp/fig16
  raftlab figure16 --report-only --out docs/experiments/figure16

${EXIT_CODES}`,
  compare: `usage: raftlab compare RUN_A RUN_B [RUN_C ...] [--fail-if-slower PCT]

Compares recorded runs, each against the first: election time, commit latency and throughput
(ok operations per second of the run) distributions, with the medians' difference and its
bootstrap 95% confidence interval, absolute and relative, and the Mann-Whitney test. Also
takes trials files of raftlab figure16 (election times per timeout range), or one range of
one (FILE.json#RANGE, e.g. trials-real.json#150-155), to compare two ranges with each other.

options:
  --fail-if-slower PCT        exit 1 when a later run is worse than the first by more than PCT
                              percent with 95% confidence (the whole interval of the relative
                              difference of medians beyond PCT)
  --seed S                    seed of the bootstrap (default 1)
  -h, --help                  this help

examples:
  raftlab compare runs/<before> runs/<after>
  raftlab compare runs/<before> runs/<after> --fail-if-slower 10
  raftlab compare figure16/trials-sim.json figure16/trials-real.json
  raftlab compare figure16/trials-real.json#150-150 figure16/trials-real.json#150-300

${EXIT_CODES}`,
  replay: `usage: raftlab replay RUN_DIR --node N (--at TIME | --step K) [--json]

Rebuilds one node's whole core state from the run's journal (recording full) by replaying
every input through the same pure core: role, term, vote, log (index, term, size of each
entry), commit and applied index, configuration, each follower's next/match and in-flight
window, timers, reads and transfer. TIME is from the run's start (12.5s, 1500ms); K counts
the node's steps across its incarnations.

examples:
  raftlab replay runs/<run> --node 3 --at 12.5s
  raftlab replay runs/<run> --node 1 --step 5000 --json

${EXIT_CODES}`,
  messages: `usage: raftlab messages RUN_DIR [--from A] [--to B] [--type T] [--between FROM TO] [--json]

Lists the run's peer messages, each send with its receipt(s) or its drop and the reason.
Types: vote, voteResp, append, appendResp, heartbeat, heartbeatResp, snapshot, timeoutNow.

examples:
  raftlab messages runs/<run> --from 2 --type vote
  raftlab messages runs/<run> --between 10s 12s --json

${EXIT_CODES}`,
  serve: `usage: raftlab serve [--port P] [--runs DIR]

Serves the lab to a browser on this machine (browser mode); the printed URL carries the token.

examples:
  raftlab serve --port 8080

${EXIT_CODES}`,
} as const;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(s: string): s is CommandName {
  return Object.hasOwn(COMMANDS, s);
}

export function commandHelp(c: CommandName): string {
  return COMMANDS[c];
}

export const USAGE = `usage: raftlab COMMAND [options]

commands:
  run [scenario.yaml]   start a cluster, play faults, check and record the run
  check RUN_DIR         re-run the checkers (and the run's expectations) on a recorded run
  export RUN_DIR        write a recorded run's exports again (all formats by default)
  replay RUN_DIR        one node's whole core state at a time or step, rebuilt from the journal
  messages RUN_DIR      the run's peer messages: sends, receipts, drops
  serve                 serve the lab to a browser on this machine
  figure16              the Raft paper's Figure 16 on real processes and in the simulator
  compare A B [...]     A/B comparison of recorded runs, with confidence intervals and a CI gate
  help [COMMAND]        this help, or a command's

  -h, --help            this help; raftlab COMMAND --help for a command's, with examples
  --version             the version

${EXIT_CODES}`;

/** The package version (package.json sits two levels above both src/lab/ and out/lab/). */
export function version(): string {
  const path = join(dirname(fileURLToPath(import.meta.url)), '../../package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}
