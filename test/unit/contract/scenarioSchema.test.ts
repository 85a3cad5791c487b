/**
 * The scenario declaration (src/contract/scenario.ts), its shipped JSON Schema and the
 * YAML parser (src/lab/scenario) agree: the file on disk is what `npm run schema` writes,
 * every shipped scenario points editors at it and passes both, and files the declaration
 * refuses the parser refuses too, at a line and column.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LineCounter, parse as parseYaml, parseDocument } from 'yaml';
import { ScenarioFileSchema } from '../../../src/contract/scenario';
import { scenarioJsonSchemaText } from '../../../src/contract/scenarioJsonSchema';
import { parseScenario } from '../../../src/lab/scenario/parseScenario';
import { positionOfPath, Positions } from '../../../src/lab/scenario/yamlReader';

const SCENARIOS = 'scenarios';
const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));

describe('docs/scenario.schema.json', () => {
  it('is what npm run schema writes from the declaration (run it after changing src/contract/scenario.ts)', () => {
    expect(readFileSync('docs/scenario.schema.json', 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('knows every cluster option a file may set, with its default and bounds', () => {
    const schema = JSON.parse(scenarioJsonSchemaText()) as { properties: { cluster: { properties: Record<string, { default?: unknown; maximum?: number }> } } };
    const cluster = schema.properties.cluster.properties;
    expect(Object.keys(cluster)).toEqual(expect.arrayContaining(['nodes', 'electionTimeoutMs', 'heartbeatMs', 'fsync', 'seed', 'snapshotThreshold']));
    expect(cluster.nodes).toMatchObject({ default: 5, maximum: 25 });
    expect(cluster.electionTimeoutMs.default).toEqual([150, 300]);
    expect(cluster).not.toHaveProperty('dataDir');
  });
});

describe.each(files)('scenarios/%s', (file) => {
  const text = readFileSync(join(SCENARIOS, file), 'utf8');

  it('points editors at the shipped JSON Schema', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/scenario.schema.json');
  });

  it('passes the declaration and the parser', () => {
    const r = v.safeParse(ScenarioFileSchema, parseYaml(text));
    expect(r.issues?.map((i) => `${v.getDotPath(i)}: ${i.message}`) ?? []).toEqual([]);
    expect(parseScenario(text, file).ok).toBe(true);
  });
});

describe('the declaration and the parser refuse the same mistakes', () => {
  const base = 'name: a\nduration: 10s\n';
  it.each([
    ['an unknown top-level key', `${base}colour: red\n`],
    ['a duration without a unit', 'name: a\nduration: 10\n'],
    ['a bad name', 'name: "-x"\nduration: 10s\n'],
    ['an unknown action target', `${base}faults:\n  - at: 1s\n    kill: boss\n`],
    ['an unknown cluster option', `${base}cluster: { nodez: 3 }\n`],
    ['too many nodes', `${base}cluster: { nodes: 26 }\n`],
    ['a clock rate past the bound', `${base}faults:\n  - at: 1s\n    clock: { node: 1, rate: 101 }\n`],
    ['a probability above 1', `${base}faults:\n  - at: 1s\n    flaky: { drop: 1.5 }\n`],
    ['an empty sweep', `${base}sweep: []\n`],
    ['repeat 0', `${base}repeat: 0\n`],
  ])('%s', (_what, text) => {
    expect(v.safeParse(ScenarioFileSchema, parseYaml(text)).success).toBe(false);
    const parsed = parseScenario(text, 'x.yaml');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0].line).toBeGreaterThan(0);
  });
});

describe('a declaration issue is placed at its value in the file', () => {
  const text = 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    kill: boss\n';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const positions = new Positions(lines);

  it('maps the issue path of a bad value to its line and column', () => {
    const r = v.safeParse(ScenarioFileSchema, doc.toJS());
    expect(r.success).toBe(false);
    const path = (r.issues?.[0]?.path ?? []).map((p) => p.key as string | number);
    expect(path).toEqual(['faults', 0, 'kill']);
    expect(positionOfPath(doc, path, positions)).toEqual({ line: 5, col: 11 });
  });

  it('points a missing key at the deepest part of its path that exists', () => {
    expect(positionOfPath(doc, ['faults', 0, 'every'], positions)).toEqual({ line: 4, col: 5 });
    expect(positionOfPath(doc, ['expect'], positions)).toEqual({ line: 1, col: 1 });
  });
});
