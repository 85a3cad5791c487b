// Scripted protocol tests in the style of etcd's interaction tests: every file in
// ./interaction/*.txt is a story from the Raft paper told as commands and the golden output
// they produce (messages, role changes, persistence, commits). REWRITE=1 regenerates the
// golden blocks: review the diff, it is the specification.
//
// Commands (see interaction/harness.ts):
//   add-nodes N [voters=(1,2,3)] [prevote=b] [checkquorum=b] [election=10] [election-max=20]
//             [heartbeat=1] [snapshot-threshold=0] [inflight=256] [max-entries=64] [max-bytes=N]
//   campaign ID             tick ID alone until it starts an election
//   tick ID|all [N]         N ticks
//   propose ID DATA...      one propose input with one command per DATA
//   read ID                 ReadIndex read (§8)
//   transfer-leader ID to=T | change-membership ID voters=(..) | snapshot ID   (admin requests)
//   deliver-msgs [from=ID] [to=ID] [type=T]   deliver the matching messages pending now
//   drop-msgs [from=ID] [to=ID] [type=T]      drop them
//   stabilize               deliver everything, round after round, until no message is pending
//   msgs                    list pending messages
//   partition 1 2 / 3 [/ ...] (unlisted nodes are alone)  |  heal
//   crash ID [before=EFFECT] | restart ID   (a restart rebuilds the node from its durable disk
//                           only; before= arms a crash just before that effect, src/raft/execute.ts)
//   status [ID..] | log [ID..] | state [ID..]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TestCase, parseFile, rewriteFile } from './interaction/datadriven';
import { InteractionHarness } from './interaction/harness';

const dir = join(import.meta.dirname, 'interaction');
const rewrite = process.env.REWRITE === '1';
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('interaction scripts', () => {
  it('finds the scripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const parsed = parseFile(file, readFileSync(path, 'utf8'));
      const harness = new InteractionHarness();
      const actual = new Map<TestCase, string[]>();
      for (const test of parsed.cases) {
        let output: string[];
        try {
          output = harness.run(test.command);
        } catch (error) {
          throw new Error(`${file}:${test.line}: '${test.command}' failed: ${(error as Error).message}`, { cause: error });
        }
        if (output.some((line) => line.trim() === '')) throw new Error(`${file}:${test.line}: output has a blank line`);
        actual.set(test, output);
        if (!rewrite) {
          expect(output.join('\n'), `${file}:${test.line}: ${test.command}`).toBe(test.expected.join('\n'));
        }
      }
      if (rewrite) writeFileSync(path, rewriteFile(parsed, actual));
    });
  }
});
