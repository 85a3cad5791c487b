/**
 * The thin file adapter of replay: finds the node journals of a run folder and loads their
 * segments. Everything else in src/replay is pure.
 *
 * Layout: `<run>/journal/node-<id>/inc-NNNNNN-seg-NNNNNN.rjl` (docs/formats.md, "journal").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SegmentFile } from './journalReader';

/** The journal folder of a run. */
export function journalDirOf(runDir: string): string {
  return join(runDir, 'journal');
}

/** Node ids that have a journal in the run, ascending. */
export function journaledNodes(runDir: string): number[] {
  const dir = journalDirOf(runDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^node-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Every segment file of one node's journal. */
export function loadNodeSegments(runDir: string, node: number): SegmentFile[] {
  const dir = join(journalDirOf(runDir), `node-${node}`);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.rjl'))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

/** `journal/clock.json`: the shared-clock time (ms) of the run's t = 0, written by the lab at the start. */
export const JOURNAL_CLOCK_FILE = 'clock.json';

/** The run's t = 0 on the journals' clock, or null when the run did not record it. */
export function readRunClock(runDir: string): number | null {
  const path = join(journalDirOf(runDir), JOURNAL_CLOCK_FILE);
  if (!existsSync(path)) return null;
  const v = (JSON.parse(readFileSync(path, 'utf8')) as { runStartWallMs?: unknown }).runStartWallMs;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
