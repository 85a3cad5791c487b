import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalCorruptionError, scanJournalSegment } from '../../../src/contract/journalFormat';
import { JournalWriter } from '../../../src/node/journal/journalWriter';
import { RaftNode } from '../../../src/raft';
import type { Input, RaftConfig } from '../../../src/raft/types';
import { readNodeJournal } from '../../../src/replay/journalReader';
import { loadNodeSegments } from '../../../src/replay/runFiles';

const config: RaftConfig = {
  id: 1, initialVoters: [1, 2, 3], electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2,
  preVote: true, checkQuorum: true, maxEntriesPerMsg: 64, maxBytesPerMsg: 1 << 20, maxInflight: 4, snapshotThreshold: 0, seed: 7,
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run folder with one node's journal of `steps` ticks and one message, written and closed. */
function writeJournal(steps: number, opts: { segmentBytes?: number } = {}): { run: string; dir: string } {
  const run = mkdtempSync(join(tmpdir(), 'rl-journal-'));
  dirs.push(run);
  const dir = join(run, 'journal', 'node-1');
  const errors: Error[] = [];
  const w = new JournalWriter(dir, { level: 'full', onError: (e) => errors.push(e), segmentBytes: opts.segmentBytes, flushBytes: 512 });
  const persisted = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
  w.start(1000, config, persisted);
  const core = new RaftNode(config, persisted);
  for (let i = 0; i < steps; i++) {
    const input: Input = i === 3
      ? { type: 'message', message: { type: 'heartbeat', from: 2, to: 1, term: 1, commit: 0, seq: 1 } }
      : { type: 'tick' };
    w.step(1000 + i, input, core.step(input));
    if (i % 7 === 0) w.flush();
  }
  w.close();
  expect(errors).toEqual([]);
  return { run, dir };
}

describe('journal writer and reader', () => {
  it('reads back every record in order, across segments, with a new incarnation per writer', () => {
    const { run, dir } = writeJournal(200, { segmentBytes: 1024 });
    const w2 = new JournalWriter(dir, { level: 'full', onError: (e) => { throw e; } });
    expect(w2.incarnation).toBe(2);
    w2.start(5000, config, { hardState: { term: 1, vote: 0, commit: 0 }, entries: [] });
    w2.close();
    const files = loadNodeSegments(run, 1);
    expect(files.filter((f) => f.name.startsWith('inc-000001')).length).toBeGreaterThan(1);
    const j = readNodeJournal(files);
    expect(j.incarnations.map((i) => i.incarnation)).toEqual([1, 2]);
    const steps = j.incarnations[0].records.filter((r) => r.kind === 'step');
    expect(steps.map((r) => (r.kind === 'step' ? r.step : 0))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const msg = steps[3];
    expect(msg.kind === 'step' && msg.input.type === 'message' && msg.input.message.type).toBe('heartbeat');
    expect(j.incarnations[1].records[0]).toMatchObject({ kind: 'start', incarnation: 2, persisted: { hardState: { term: 1 } } });
  });

  it('cuts a torn tail at every cut point and never yields a partial record', () => {
    const { dir } = writeJournal(20);
    const name = readdirSync(dir)[0];
    const whole = readFileSync(join(dir, name));
    const full = scanJournalSegment(whole, name, true).payloads.length;
    for (let cut = 8; cut < whole.length; cut++) {
      const scan = scanJournalSegment(whole.subarray(0, cut), name, true);
      expect(scan.payloads.length).toBeLessThan(full);
      expect(scan.validEnd).toBeLessThanOrEqual(cut);
      // What it keeps is a prefix of the whole file's records, byte for byte.
      const again = scanJournalSegment(whole.subarray(0, scan.validEnd), name, false);
      expect(again.payloads.length).toBe(scan.payloads.length);
    }
  });

  it('cuts a garbled or zero-filled last record, and refuses damage with records after it', () => {
    const { dir } = writeJournal(20);
    const name = readdirSync(dir)[0];
    const path = join(dir, name);
    const whole = readFileSync(path);
    const n = scanJournalSegment(whole, name, true).payloads.length;
    const garbledLast = Buffer.from(whole);
    garbledLast[garbledLast.length - 2] ^= 0xff;
    const g = scanJournalSegment(garbledLast, name, true);
    expect(g.payloads.length).toBe(n - 1);
    expect(g.torn?.reason).toMatch(/checksum/);
    const zeroed = Buffer.concat([whole, Buffer.alloc(100)]);
    expect(scanJournalSegment(zeroed, name, true).torn?.reason).toBe('zero-filled tail');
    const garbledMiddle = Buffer.from(whole);
    garbledMiddle[40] ^= 0xff;
    expect(() => scanJournalSegment(garbledMiddle, name, false)).toThrow(JournalCorruptionError);
    // A torn tail in a sealed (not last) segment is damage, not a crash.
    expect(() => scanJournalSegment(whole.subarray(0, whole.length - 3), name, false)).toThrow(/not in the last segment/);
    // And the reader cuts a kill -9's tail in the file itself.
    truncateSync(path, whole.length - 5);
    writeFileSync(path + '.ignored', 'x');
    const j = readNodeJournal([{ name, bytes: readFileSync(path) }]);
    expect(j.incarnations[0].torn?.reason).toMatch(/cut short/);
  });
});
