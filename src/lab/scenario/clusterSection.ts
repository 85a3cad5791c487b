/**
 * The `cluster`, `workload` and `sweep` sections of a scenario file, validated with the
 * same `validateClusterOptions` every other entry point uses, with each error mapped back
 * to the line of the YAML key it concerns.
 */
import { isSeq } from 'yaml';
import type { ClusterOptions, WorkloadOptions } from '../../contract/clusterOptions';
import { validateClusterOptions, withDefaults } from '../../contract/clusterOptions';
import type { ScenarioVariant } from '../../contract/scenario';
import { childPath, readMap, scalarValue, type IssueList, type Located, type Positions } from './yamlReader';

/** Keys allowed under `cluster:` and in each `sweep:` entry. */
export const CLUSTER_KEYS = [
  'nodes',
  'electionTimeoutMs',
  'heartbeatMs',
  'preVote',
  'checkQuorum',
  'fsync',
  'transport',
  'seed',
  'snapshotThreshold',
  'recording',
] as const;

export const WORKLOAD_KEYS = ['clients', 'rate', 'mix', 'keys', 'timeoutMs'] as const;
const MIX_KEYS = ['get', 'put', 'cas', 'append'] as const;

type ClusterFields = Partial<Omit<ClusterOptions, 'workload'>>;

/** Options read from one mapping, and where each option field was written. */
export interface OptionsSection {
  fields: ClusterFields;
  /** As written (for sweep labels). */
  raw: Record<string, unknown>;
  /** Option field (validator path, e.g. "electionTimeoutMinMs") -> its YAML key. */
  where: Map<string, Located>;
  at: Located;
}

export interface WorkloadSection {
  fields: Partial<WorkloadOptions>;
  where: Map<string, Located>;
  at: Located;
}

/** Reads `cluster:` (or a sweep entry): values are passed on raw for the validator to judge. */
export function readClusterSection(at: Located, positions: Positions, issues: IssueList): OptionsSection {
  const section: OptionsSection = { fields: {}, raw: {}, where: new Map(), at };
  const entries = readMap(at, CLUSTER_KEYS, positions, issues);
  if (!entries) return section;
  const fields = section.fields as Record<string, unknown>;
  for (const [key, loc] of entries) {
    if (key === 'electionTimeoutMs') {
      const range = readTimeoutRange(loc, issues);
      section.raw[key] = range;
      if (!range) continue;
      fields.electionTimeoutMinMs = range[0];
      fields.electionTimeoutMaxMs = range[1];
      section.where.set('electionTimeoutMinMs', loc);
      section.where.set('electionTimeoutMaxMs', loc);
      continue;
    }
    const v = scalarValue(loc.node);
    fields[key] = v;
    section.raw[key] = v;
    section.where.set(key, loc);
  }
  return section;
}

function readTimeoutRange(loc: Located, issues: IssueList): [number, number] | undefined {
  const items = isSeq(loc.node) ? (loc.node.items as unknown[]).map((n) => scalarValue(n as never)) : null;
  if (!items || items.length !== 2 || !items.every((v) => typeof v === 'number')) {
    issues.add(loc.pos, loc.path, `${loc.path} must be [min, max] in ms, e.g. [150, 300]`);
    return undefined;
  }
  return [items[0] as number, items[1] as number];
}

/** Reads `workload:`. When `mix` is given, operations it leaves out get weight 0. */
export function readWorkloadSection(at: Located, positions: Positions, issues: IssueList): WorkloadSection {
  const section: WorkloadSection = { fields: {}, where: new Map(), at };
  const entries = readMap(at, WORKLOAD_KEYS, positions, issues);
  if (!entries) return section;
  const fields = section.fields as Record<string, unknown>;
  for (const [key, loc] of entries) {
    if (key === 'mix') {
      section.where.set('workload.mix', loc);
      const mixEntries = readMap(loc, MIX_KEYS, positions, issues);
      if (!mixEntries) continue;
      const mix: Record<string, unknown> = { get: 0, put: 0, cas: 0, append: 0 };
      for (const [op, opLoc] of mixEntries) {
        mix[op] = scalarValue(opLoc.node);
        section.where.set(`workload.mix.${op}`, opLoc);
      }
      fields.mix = mix;
      continue;
    }
    fields[key] = scalarValue(loc.node);
    section.where.set(`workload.${key}`, loc);
  }
  return section;
}

function buildOptions(cluster: ClusterFields, workload: Partial<WorkloadOptions>): ClusterOptions {
  // withDefaults fills a partial workload (and mix) too; its parameter type says
  // Partial<ClusterOptions> & {...}, which intersects to a full workload, hence the cast.
  return withDefaults({ ...cluster, workload } as Parameters<typeof withDefaults>[0]);
}

/** The scenario path of a validator error key, e.g. "workload.rate" or "cluster.nodes". */
function scenarioPath(errorKey: string, clusterPath: string): string {
  if (errorKey.startsWith('workload')) return errorKey;
  if (errorKey === 'electionTimeoutMinMs' || errorKey === 'electionTimeoutMaxMs') return childPath(clusterPath, 'electionTimeoutMs');
  return childPath(clusterPath, errorKey);
}

function rewrite(errorKey: string, message: string, path: string): string {
  if (errorKey === 'electionTimeoutMinMs' || errorKey === 'electionTimeoutMaxMs') {
    // The file writes one [min, max] pair: speak of its two ends.
    return `${path}: ${message.replace(/electionTimeoutMaxMs/g, 'max').replace(/electionTimeoutMinMs/g, 'min')}`;
  }
  return message.startsWith(`${errorKey} `) ? `${path}${message.slice(errorKey.length)}` : `${path}: ${message}`;
}

/**
 * Validates the base options and every sweep variant. Errors land on the YAML key that set
 * the offending field, or on the section when the field kept its default.
 */
export function validateVariants(
  base: OptionsSection,
  workload: WorkloadSection | null,
  sweep: OptionsSection[],
  issues: IssueList,
): { cluster: ClusterOptions; variants: ScenarioVariant[] } {
  const wl = workload?.fields ?? {};
  const cluster = buildOptions(base.fields, wl);
  const baseErrors = validateClusterOptions(cluster);
  for (const [key, message] of Object.entries(baseErrors)) {
    const loc = key.startsWith('workload') ? (workload?.where.get(key) ?? workload?.at) : base.where.get(key);
    const path = scenarioPath(key, 'cluster');
    issues.add((loc ?? base.at).pos, path, rewrite(key, message, path));
  }
  if (sweep.length === 0) return { cluster, variants: [{ label: 'base', overrides: {}, cluster }] };

  const variants = sweep.map((entry, i): ScenarioVariant => {
    const options = buildOptions({ ...base.fields, ...entry.fields }, wl);
    const errors = validateClusterOptions(options);
    for (const [key, message] of Object.entries(errors)) {
      if (baseErrors[key] === message) continue; // already reported on the base
      const loc = entry.where.get(key) ?? entry.at;
      const path = scenarioPath(key, entry.at.path);
      issues.add(loc.pos, path, rewrite(key, message, path));
    }
    const label = Object.entries(entry.raw)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
      .join(' ');
    return { label: label || `sweep[${i}]`, overrides: entry.raw, cluster: options };
  });
  return { cluster, variants };
}
