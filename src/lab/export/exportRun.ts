/**
 * Exporting a recorded run directory to the documented formats (docs/formats.md). Every
 * file is derived from events.jsonl and history.jsonl (a torn last line is skipped with a
 * warning) and written atomically.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Summary } from '../../contract/runEvents';
import { checkLinearizabilityAsync } from '../checkers/linearizability';
import { readRun, type RecordedRun } from '../recorder/readRun';
import { writeFileAtomic } from './atomicWrite';
import { checkRecordedRun, summaryProblem } from './checkRun';
import { toHistoryEdn } from './historyEdn';
import { toMetricsCsv } from '../recorder/metricsCsv';
import { renderReport } from './report/reportHtml';
import type { NodeLogSummary } from './report/journalSection';
import { loadRunReplays } from '../../replay/runReplay';
import type { NodeReplay } from '../../replay/nodeReplay';
import { computeSummary, type SummaryOptions } from './summary';
import { toChromeTrace } from './traceJson';
import { messageFlows, runMessages, SHIVIZ_REGEX, toMessagesJsonl, toShivizLog, type RunMessages } from './messageExports';

export type ExportFormat = 'metrics.csv' | 'history.edn' | 'trace.json' | 'summary.json' | 'report.html' | 'messages.jsonl' | 'shiviz.log';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['metrics.csv', 'history.edn', 'trace.json', 'summary.json', 'report.html', 'messages.jsonl', 'shiviz.log'];

export interface ExportedFile {
  name: string;
  bytes: number;
}

export interface DerivedOptions extends SummaryOptions {
  /**
   * Use an existing summary.json (it may carry expectations a re-computation cannot know)
   * instead of computing a new one. Default false.
   */
  reuseSummary?: boolean;
}

export interface ExportResult {
  runDir: string;
  files: ExportedFile[];
  summary: Summary | null;
  warnings: string[];
}

/** An existing summary.json, or null (with the reason in `warnings`) when absent or unreadable. */
function readExistingSummary(runDir: string, warnings: string[]): Summary | null {
  const path = join(runDir, 'summary.json');
  if (!existsSync(path)) return null;
  let s: unknown;
  try {
    s = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    warnings.push(`summary.json was not valid JSON (${(err as Error).message}); computed a new one`);
    return null;
  }
  const problem = summaryProblem(s);
  if (problem) warnings.push(`summary.json was not a valid summary (${problem}); computed a new one`);
  return problem ? null : (s as Summary);
}

/**
 * Writes the requested derived files from a run already read. Computes the summary when
 * summary.json or report.html is wanted (checking linearizability in event-loop-friendly
 * slices unless a result is given); `summary` is null when neither was asked for.
 */
export async function writeDerivedFiles(
  runDir: string,
  recorded: RecordedRun,
  formats: readonly ExportFormat[],
  opts: DerivedOptions = {},
): Promise<{ summary: Summary | null; files: ExportedFile[]; warnings: string[] }> {
  const files: ExportedFile[] = [];
  // Numbers are checked before anything computes with them or prints them (./checkRun.ts).
  const run = checkRecordedRun(recorded);
  const warnings: string[] = run.warnings.slice(recorded.warnings.length);
  let summary: Summary | null = null;
  const needSummary = formats.includes('summary.json') || formats.includes('report.html');
  let summaryIsNew = false;
  if (needSummary && opts.reuseSummary) summary = readExistingSummary(runDir, warnings);
  if (needSummary && !summary) {
    const linearizability = opts.linearizability ?? (await checkLinearizabilityAsync(run.history, { timeBudgetMs: opts.checkBudgetMs ?? 10_000 }));
    summary = computeSummary(run.events, run.history, { ...opts, runId: opts.runId ?? runIdOf(run, runDir), linearizability });
    summaryIsNew = true;
  }
  // The journals' messages (replayed once), for the formats that draw them.
  let messages: RunMessages | null | undefined;
  const journalMessages = (): RunMessages | null => {
    if (messages === undefined) {
      try {
        messages = runMessages(runDir);
      } catch (err) {
        warnings.push(`the journals could not be replayed (${(err as Error).message}): no messages exported`);
        messages = null;
      }
    }
    return messages;
  };
  // Synchronous from here: no recorder flush can interleave with reading and replacing a file.
  for (const f of formats) {
    const path = join(runDir, f);
    switch (f) {
      case 'metrics.csv':
        files.push({ name: f, bytes: writeFileAtomic(path, toMetricsCsv(run.events)) });
        break;
      case 'history.edn':
        files.push({ name: f, bytes: writeFileAtomic(path, toHistoryEdn(run.history)) });
        break;
      case 'trace.json': {
        const trace = toChromeTrace(run.events, { runId: summary?.runId ?? runIdOf(run, runDir) });
        const m = journalMessages();
        if (m) {
          const flows = messageFlows(m);
          trace.traceEvents.push(...flows.events);
          trace.otherData.messages = flows.note;
        }
        files.push({ name: f, bytes: writeFileAtomic(path, JSON.stringify(trace)) });
        break;
      }
      case 'messages.jsonl':
      case 'shiviz.log': {
        const m = journalMessages();
        if (!m) {
          // Asked for alone, say why nothing came; among all formats a run without a journal simply has none.
          if (formats.length === 1) warnings.push(`${f}: this run has no journal (recorded with recording off, or before the flight recorder): not written`);
          break;
        }
        if (f === 'messages.jsonl') {
          files.push({ name: f, bytes: writeFileAtomic(path, toMessagesJsonl(m)) });
        } else {
          const log = toShivizLog(m);
          if (log.truncated) warnings.push(`shiviz.log holds the first ${log.events} events only (ShiViz cannot show more); messages.jsonl has them all`);
          files.push({ name: f, bytes: writeFileAtomic(path, log.text) });
          files.push({ name: 'shiviz.regex.txt', bytes: writeFileAtomic(join(runDir, 'shiviz.regex.txt'), SHIVIZ_REGEX + '\n') });
        }
        break;
      }
      case 'summary.json':
        if (summaryIsNew) files.push({ name: f, bytes: writeFileAtomic(path, `${JSON.stringify(summary, null, 2)}\n`) });
        else files.push({ name: f, bytes: statSync(path).size });
        break;
      case 'report.html':
        files.push({ name: f, bytes: writeFileAtomic(path, renderReport({ summary: summary!, events: run.events, history: run.history, warnings: [...recorded.warnings, ...warnings], journal: reportJournal(runDir, journalMessages) })) });
        break;
    }
  }
  return { summary, files, warnings };
}

function runIdOf(run: RecordedRun, runDir: string): string {
  for (const e of run.events) {
    if (e.type === 'run') {
      const id = (e as { runId?: string }).runId;
      if (id) return id;
    }
  }
  return basename(runDir);
}

/**
 * Exports one format, or all, from a run directory.
 * @param opts.recomputeSummary recompute summary.json even if one exists (default: keep it,
 *   since the one written at the end of the run may hold scenario expectations)
 * @throws RunReadError when the directory holds no events.jsonl; errors of the file system
 */
export async function exportRun(
  runDir: string,
  format: ExportFormat | 'all' = 'all',
  opts: SummaryOptions & { recomputeSummary?: boolean } = {},
): Promise<ExportResult> {
  if (format !== 'all' && !EXPORT_FORMATS.includes(format)) {
    throw new Error(`unknown export format ${JSON.stringify(format)}; expected one of ${EXPORT_FORMATS.join(', ')} or all`);
  }
  const run = readRun(runDir);
  const formats = format === 'all' ? EXPORT_FORMATS : [format];
  const { summary, files, warnings } = await writeDerivedFiles(runDir, run, formats, { ...opts, reuseSummary: !opts.recomputeSummary });
  return { runDir, files, summary, warnings: [...run.warnings, ...warnings] };
}

/**
 * The flight-recorder part of report.html: the messages (already replayed for the other
 * formats) and each node's state at the end of its journal (replayed again here: a 45 s
 * chaos run replays in well under the 2 s docs/time-travel.md measures).
 */
function reportJournal(runDir: string, journalMessages: () => RunMessages | null): NonNullable<Parameters<typeof renderReport>[0]['journal']> {
  const messages = journalMessages();
  let replays: NodeReplay[];
  try {
    replays = loadRunReplays(runDir).replays;
  } catch (err) {
    return { messages, logs: null, note: `The journals could not be replayed (${(err as Error).message}).` };
  }
  if (replays.length === 0) return { messages: null, logs: null };
  const logs: NodeLogSummary[] = replays.map((r) => {
    if (r.level !== 'full') return { node: r.node, state: null, unavailable: `recorded at level '${r.level}' (message headers only): no core states` };
    try {
      return { node: r.node, state: r.stateAtStep(r.stepCount) };
    } catch (err) {
      return { node: r.node, state: null, unavailable: `could not be replayed: ${(err as Error).message}` };
    }
  });
  return { messages, logs };
}
