/**
 * Parses a scenario file (YAML, schema in docs/scenarios.md) into a `Scenario`, collecting
 * every problem with its line and column rather than stopping at the first.
 */
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { MAX_REPEAT, SCENARIO_EXPECT_ENTRIES, SCENARIO_NAME_PATTERN, ScenarioExpectationsSchema, ScenarioFileSchema, type Scenario, type ScenarioExpectations } from '../../contract/scenario';
import { decodeDraft, mappingDraft } from './decodeAt';
import { readClusterSection, readWorkloadSection, validateVariants, type OptionsSection } from './clusterSection';
import { readFaults, type NodeRef } from './faultSteps';
import { readDuration, readNumber, readString } from './values';
import * as v from 'valibot';
import { childPath, formatIssue, IssueList, positionOfPath, Positions, readMap, readSeq, type Located, type ScenarioIssue } from './yamlReader';

/** The keys, the name pattern and the repeat bound: the file's declaration's (src/contract/scenario.ts). */
export const TOP_KEYS = Object.keys(ScenarioFileSchema.pipe[0].entries) as (keyof typeof ScenarioFileSchema.pipe[0]['entries'])[];
const NAME = SCENARIO_NAME_PATTERN;

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

/** Thrown by `loadScenarioFile`; `issues` has every problem, `message` one per line. */
export class ScenarioError extends Error {
  constructor(readonly issues: ScenarioIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** The first line of a YAML library error, without its code frame. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** `expect:`, decoded with its declaration (ScenarioExpectationsSchema); {} when it is wrong (issues say why). */
function readExpect(at: Located, positions: Positions, issues: IssueList): ScenarioExpectations {
  const ctx = { positions, issues };
  const d = mappingDraft(SCENARIO_EXPECT_ENTRIES, at, ctx);
  return (d && decodeDraft(ScenarioExpectationsSchema, d, at, ctx)) ?? {};
}

/** Node ids must exist in the smallest variant, counting nodes the timeline adds. */
function checkNodeRefs(refs: NodeRef[], smallest: number, added: number, issues: IssueList): void {
  const max = smallest + added;
  for (const r of refs) {
    if (r.id > max) {
      const plus = added > 0 ? ` (${smallest} nodes plus ${added} added)` : '';
      issues.add(r.at.pos, r.at.path, `${r.at.path} names node ${r.id}, but the cluster has nodes 1 to ${max}${plus}`);
    }
  }
}

/**
 * Parses scenario text. `file` is used in messages and recorded in the scenario.
 * Never throws: problems come back as issues.
 */
export function parseScenario(text: string, file = 'scenario.yaml'): ParseResult {
  const issues = new IssueList(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) {
    const p = lines.linePos(e.pos[0]);
    issues.add({ line: p.line, col: p.col }, '', firstLine(e.message));
  }
  if (issues.issues.length > 0) return { ok: false, issues: issues.issues };
  const positions = new Positions(lines);
  const root: Located = { node: (doc.contents as YamlNode | null) ?? null, pos: { line: 1, col: 1 }, path: '' };
  if (root.node === null) {
    issues.add(root.pos, '', 'the file is empty: a scenario needs at least name and duration');
    return { ok: false, issues: issues.issues };
  }
  const top = readMap(root, TOP_KEYS, positions, issues);
  if (!top) return { ok: false, issues: issues.issues };

  const name = top.has('name') ? readString(top.get('name')!, issues) : undefined;
  if (!top.has('name')) issues.add(root.pos, 'name', 'name is missing: every scenario needs a name');
  else if (name !== undefined && !NAME.test(name)) {
    issues.add(top.get('name')!.pos, 'name', 'name must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  const description = top.has('description') ? (readString(top.get('description')!, issues) ?? '') : '';
  const durationMs = top.has('duration') ? readDuration(top.get('duration')!, issues, { positive: true }) : undefined;
  if (!top.has('duration')) issues.add(root.pos, 'duration', 'duration is missing, e.g. duration: 20s');

  const here = (key: string): Located => top.get(key) ?? { node: null, pos: root.pos, path: key };
  const cluster = top.has('cluster') ? readClusterSection(here('cluster'), positions, issues) : emptySection(here('cluster'));
  const workload = top.has('workload') ? readWorkloadSection(here('workload'), positions, issues) : null;
  const sweepEntries = top.has('sweep') ? readSeq(here('sweep'), 'cluster overrides', positions, issues) : null;
  if (sweepEntries && sweepEntries.length === 0) issues.add(here('sweep').pos, 'sweep', 'sweep must list at least one set of cluster overrides');
  const sweep = (sweepEntries ?? []).map((e) => readClusterSection(e, positions, issues));
  const { cluster: options, variants } = validateVariants(cluster, workload, sweep, issues);

  const refs: NodeRef[] = [];
  const steps = top.has('faults') ? readFaults(here('faults'), durationMs, positions, issues, refs) : [];
  const added = steps.filter((s) => s.action.kind === 'add-node').length;
  checkNodeRefs(refs, Math.min(...variants.map((v) => v.cluster.nodes).filter(Number.isInteger), options.nodes), added, issues);

  const expect = top.has('expect') ? readExpect(here('expect'), positions, issues) : {};
  const repeat = top.has('repeat') ? readNumber(here('repeat'), issues, { integer: true, min: 1, max: MAX_REPEAT }) : 1;

  // The declaration is the contract (src/contract/scenario.ts): should the readers above
  // ever let through what it refuses, its issue is reported at the value's line and column.
  if (issues.issues.length === 0) checkAgainstDeclaration(doc, positions, issues);

  if (issues.issues.length > 0 || name === undefined || durationMs === undefined || repeat === undefined) {
    return { ok: false, issues: issues.issues.sort((a, b) => a.line - b.line || a.col - b.col) };
  }
  return {
    ok: true,
    scenario: { name, description, file, cluster: options, durationMs, steps, expect, repeat, variants },
  };
}

function checkAgainstDeclaration(doc: ReturnType<typeof parseDocument>, positions: Positions, issues: IssueList): void {
  const r = v.safeParse(ScenarioFileSchema, doc.toJS());
  for (const issue of r.issues ?? []) {
    const path = (issue.path ?? []).map((p) => p.key as string | number);
    const field = path.reduce<string>((out, k) => childPath(out, k), '');
    issues.add(positionOfPath(doc, path, positions), field, `${field || 'the file'}: ${issue.message}`);
  }
}

function emptySection(at: Located): OptionsSection {
  return { fields: {}, raw: {}, where: new Map(), at };
}

/** Parses or throws a ScenarioError listing every issue. */
export function parseScenarioOrThrow(text: string, file = 'scenario.yaml'): Scenario {
  const r = parseScenario(text, file);
  if (!r.ok) throw new ScenarioError(r.issues);
  return r.scenario;
}
