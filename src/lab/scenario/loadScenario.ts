/**
 * Reading scenario files from disk, and expanding a scenario into the runs it asks for.
 */
import { readFileSync } from 'node:fs';
import type { ClusterOptions } from '../../contract/clusterOptions';
import type { Scenario } from '../../contract/scenario';
import { parseScenarioOrThrow, ScenarioError } from './parseScenario';

/**
 * Reads and parses a scenario file; messages name the path as given.
 * @throws ScenarioError for a file that cannot be read or is invalid
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ScenarioError([{ file: path, line: 1, col: 1, path: '', message: `cannot read the scenario: ${reason}` }]);
  }
  return parseScenarioOrThrow(text, path);
}

/** One run a scenario asks for. */
export interface PlannedRun {
  /** e.g. "figure16-election-times/electionTimeoutMs=[150,155]/2". */
  label: string;
  variant: number;
  /** 1-based repetition within the variant. */
  iteration: number;
  cluster: ClusterOptions;
}

/** Every run of the scenario: each variant (base or sweep entry) `repeat` times. */
export function plannedRuns(s: Scenario): PlannedRun[] {
  const runs: PlannedRun[] = [];
  s.variants.forEach((v, variant) => {
    for (let iteration = 1; iteration <= s.repeat; iteration++) {
      const parts = [s.name];
      if (s.variants.length > 1) parts.push(v.label);
      if (s.repeat > 1) parts.push(String(iteration));
      runs.push({ label: parts.join('/'), variant, iteration, cluster: v.cluster });
    }
  });
  return runs;
}
