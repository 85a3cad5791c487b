/**
 * The end of a recorded run, above both rooms it joins: the recorder (which only writes
 * what happens, src/lab/recorder/) is closed and made durable, then the exporters
 * (src/lab/export/) read the recording back and derive summary.json, trace.json,
 * history.edn and report.html. Keeping this here is what lets `recorder/` know nothing of
 * `export/` (export reads recordings; the recorder never calls an exporter).
 */
import type { Summary } from '../contract/runEvents';
import { writeDerivedFiles, type DerivedOptions, type ExportedFile } from './export/exportRun';
import { readRun } from './recorder/readRun';
import type { RunRecorder } from './recorder/runRecorder';

/** What finishing a run produced. */
export interface FinishResult {
  summary: Summary;
  files: ExportedFile[];
  /** Lines skipped while reading the recording back. */
  warnings: string[];
}

/** The derived files every finished run gets (metrics.csv is written live by the recorder). */
const FINISH_FORMATS = ['summary.json', 'trace.json', 'history.edn', 'report.html', 'messages.jsonl', 'shiviz.log'] as const;

/**
 * Closes `recorder`, reads its run back and writes the derived files (each atomically).
 * The linearizability check runs in slices so the event loop stays responsive.
 */
export async function finishRun(recorder: RunRecorder, extras: DerivedOptions = {}): Promise<FinishResult> {
  recorder.close();
  const run = readRun(recorder.runDir);
  const { summary, files, warnings } = await writeDerivedFiles(recorder.runDir, run, FINISH_FORMATS, extras);
  if (!summary) throw new Error('internal: summary.json was requested but not computed');
  return { summary, files, warnings: [...run.warnings, ...warnings] };
}
