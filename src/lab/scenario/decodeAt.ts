/**
 * Decoding a part of a scenario file with its declaration (src/contract/scenario.ts) while
 * keeping the file's positions: the reader turns the YAML into the declaration's fields
 * without judging them (a `Draft`, each field remembering the YAML value it came from),
 * the declaration decodes the draft, and each of its issues is reported at the line and
 * column of the value it concerns, with the field named as the file writes it
 * ("faults[2].link.delay", not "delayMs").
 */
import * as v from 'valibot';
import { isAlias, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { duration } from '../../contract/scenario';
import { FIELD, KEY, PARENT } from '../../contract/schemaKit';
import { readDuration } from './values';
import { childPath, describeNode, readMap, type IssueList, type Located, type Positions } from './yamlReader';

/** Where issues go and how positions are found. */
export interface ReadContext {
  positions: Positions;
  issues: IssueList;
}

/** The declaration's fields before decoding, each with where the file wrote it. */
export interface Draft {
  fields: Record<string, unknown>;
  /** Field (a dotted path for a nested one: "match.termMin") -> the file's value for it. */
  where: Map<string, Located>;
  /** Top-level field -> the file key it is written under, for fields the file left out. */
  fileKey: Map<string, string>;
  /** Top-level fields read from a duration: their sentences say the ms the file's value came to. */
  durations: Set<string>;
  /** Top-level fields the reader already refused (a malformed duration): the declaration's word on them is not repeated. */
  refused: Set<string>;
}

export function draft(fields: Record<string, unknown> = {}): Draft {
  return { fields, where: new Map(), fileKey: new Map(), durations: new Set(), refused: new Set() };
}

/** A YAML value as plain data (the declaration judges it). */
export function plainValue(node: YamlNode | null): unknown {
  return node === null ? null : (node.toJSON() as unknown);
}

/**
 * A mapping (`link: { from: 1, to: 2, delay: 20ms }`, `expect:`): its keys are the file
 * declaration's `entries`, and a key declared with the `duration` block becomes `<key>Ms`, in
 * ms. Undefined (with an issue) when it is no mapping; an unknown key or a malformed duration
 * is reported and the rest is still drafted, so the declaration can judge the other fields.
 */
export function mappingDraft(entries: v.ObjectEntries, at: Located, ctx: ReadContext, fields: Record<string, unknown> = {}): Draft | undefined {
  const m = readMap(at, Object.keys(entries), ctx.positions, ctx.issues);
  if (!m) return undefined;
  const d = draft(fields);
  for (const [key, schema] of Object.entries(entries)) {
    const isDuration = (schema.type === 'optional' ? (schema as v.OptionalSchema<v.GenericSchema, undefined>).wrapped : schema) === duration;
    const field = isDuration ? `${key}Ms` : key;
    d.fileKey.set(field, key);
    const loc = m.get(key);
    if (!loc) continue;
    d.where.set(field, loc);
    if (!isDuration) {
      d.fields[field] = plainValue(loc.node);
      continue;
    }
    d.durations.add(field);
    const ms = readDuration(loc, ctx.issues);
    if (ms === undefined) d.refused.add(field);
    else d.fields[field] = ms;
  }
  return d;
}

/** Where a part of a YAML value is written: `path` walks into its lists and mappings. */
export function descend(at: Located, path: readonly (string | number)[], positions: Positions): Located {
  let here = at;
  for (const key of path) {
    const node = here.node;
    const child = isSeq(node) && typeof key === 'number' ? (node.items[key] as YamlNode | undefined) : isMap(node) ? (node.get(key, true) as YamlNode | undefined) : undefined;
    if (child === undefined) return here;
    here = { node: child, pos: positions.of(child as { range?: [number, number, number] }, here.pos), path: childPath(here.path, key) };
  }
  return here;
}

/** A declaration issue as a sentence about the file: its fields named as the file writes them. */
function placeIssue(issue: v.BaseIssue<unknown>, at: Located, d: Draft, ctx: ReadContext): void {
  const path = (issue.path ?? []).map((p) => p.key as string | number);
  // The deepest part of the path the file wrote (a form may build nested fields, so `where`
  // is keyed by dotted paths: "node", "match.termMin"), then down into that YAML value.
  const named = (upTo: number): Located => {
    for (let k = upTo; k > 0; k--) {
      const loc = d.where.get(path.slice(0, k).join('.'));
      if (loc) return descend(loc, path.slice(k, upTo), ctx.positions);
    }
    const fileKey = upTo > 0 ? d.fileKey.get(String(path[0])) : undefined;
    return fileKey ? { node: null, pos: at.pos, path: childPath(at.path, fileKey) } : at;
  };
  const here = named(path.length);
  const sentence = issue.message
    .replaceAll(FIELD, here.path)
    .replaceAll(PARENT, named(path.length - 1).path)
    .replaceAll(KEY, String(path[path.length - 1] ?? ''));
  const said = sentence === issue.message ? `${here.path}: ${sentence}` : sentence;
  const key = path.join('.');
  const ms = d.durations.has(key) ? ` = ${String(d.fields[key])} ms` : '';
  const got = (isScalar(here.node) || isAlias(here.node)) && path.length > 0 ? ` (got ${describeNode(here.node)}${ms})` : '';
  ctx.issues.add(here.pos, here.path, `${said}${got}`);
}

/**
 * Decodes `d` with `schema`: the typed value, or undefined after placing every issue in the
 * file (except those about fields the reader refused already).
 */
export function decodeDraft<S extends v.GenericSchema>(schema: S, d: Draft, at: Located, ctx: ReadContext): v.InferOutput<S> | undefined {
  const r = v.safeParse(schema, d.fields);
  if (!r.success) {
    for (const issue of r.issues) {
      // A rule between fields (no path) may only be missing the refused one: not repeated either.
      const about = issue.path?.[0]?.key;
      if (d.refused.size > 0 && (about === undefined || d.refused.has(String(about)))) continue;
      placeIssue(issue, at, d, ctx);
    }
    return undefined;
  }
  return d.refused.size === 0 ? r.output : undefined;
}
