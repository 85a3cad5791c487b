/** Refusal warnings are rate-limited per reason, with a count of what was not written (issue 9). */
import { describe, expect, it } from 'vitest';
import { RefusalLog } from '../../../src/node/refusalLog';

describe('RefusalLog', () => {
  it('writes at most one line per reason per second, and tells how many it held back', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RefusalLog({ write: (m) => lines.push(m), now: () => now });
    for (let i = 0; i < 1000; i++) log.refused('malformed', `frame ${i}`);
    log.refused('unknown_sender', 'from 99');
    expect(lines).toEqual(['refused input (malformed): frame 0', 'refused input (unknown_sender): from 99']);
    now = 999;
    log.refused('malformed', 'frame 1000');
    expect(lines).toHaveLength(2);
    now = 1000;
    log.refused('malformed', 'frame 1001');
    expect(lines[2]).toBe('refused input (malformed): frame 1001 (and 1000 more malformed refusals since the last line)');
    now = 5000;
    log.refused('malformed', 'frame 1002');
    expect(lines[3]).toBe('refused input (malformed): frame 1002');
  });
});
