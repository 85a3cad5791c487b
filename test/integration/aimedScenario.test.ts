/**
 * The shipped example scenarios/lose-third-append.yaml, headless through the real CLI
 * (docs/aimed-faults.md): the run passes its expectations, the journals hold exactly one
 * Dropped record, the aimed AppendEntries from the leader, and `raftlab messages` shows the
 * follower refusing the next AppendEntries at the gap (§5.3) before the leader resends.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunReplays } from '../../src/replay/runReplay';
import { runRaftlab } from './helpers/cliBuild';
import { onCleanup } from './helpers/lifecycle';
import { expectExactReplay } from './helpers/replay';

describe('scenarios/lose-third-append.yaml', () => {
  it('loses one AppendEntries, repairs the follower and passes its expectations', async () => {
    const work = mkdtempSync(join(tmpdir(), 'raftlab-it-lose-third-'));
    onCleanup(() => rmSync(work, { recursive: true, force: true }));
    const runs = join(work, 'runs');
    const r = await runRaftlab(['run', 'scenarios/lose-third-append.yaml', '--out', runs], { timeoutMs: 60_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/2\.0s aimed \d → \d at the sender: drop the 3rd append/);
    const runDir = join(runs, readdirSync(runs)[0]);
    expectExactReplay(runDir);

    const all = loadRunReplays(runDir).replays.flatMap((rp) => rp.drops.map((d) => ({ node: rp.node, type: d.header.type, from: d.header.from, to: d.header.to, reason: d.reason })));
    // Faults drop only what the rule took; the real transport may also lose a frame to a peer
    // not connected yet on a loaded machine ('unreachable', docs/formats.md), which is no fault.
    const drops = all.filter((d) => d.reason.startsWith('fault'));
    expect(all.filter((d) => !d.reason.startsWith('fault')).map((d) => d.reason).every((r) => r === 'unreachable' || r === 'queueOverflow'), JSON.stringify(all)).toBe(true);
    expect(drops, JSON.stringify(all)).toHaveLength(1);
    const [drop] = drops;
    expect(drop).toMatchObject({ type: 'append', reason: 'fault out: aimed rule 1: drop (nth 3)' });
    expect(drop.node).toBe(drop.from);

    const listed = await runRaftlab(['messages', runDir, '--from', String(drop.to), '--to', String(drop.from), '--type', 'appendResp'], { timeoutMs: 30_000 });
    expect(listed.code).toBe(0);
    expect(listed.stdout, 'the follower refused an AppendEntries past the gap').toMatch(/success=false/);
  }, 90_000);
});
