/**
 * Reading a parsed YAML document with positions: every value comes with the line and
 * column it was written at, so each validation error can name its place in the file
 * ("scenario.yaml:12:5: faults[2].at must be a duration like 5s or 1500ms").
 */
import { isAlias, isMap, isScalar, isSeq, type LineCounter, type Node as YamlNode, type Pair } from 'yaml';

/** A position in the file, 1-based. */
export interface Pos {
  line: number;
  col: number;
}

/** One problem with a scenario file. */
export interface ScenarioIssue {
  file: string;
  line: number;
  col: number;
  /** The field, e.g. "faults[2].at" ('' for the whole file). */
  path: string;
  /** A full sentence, starting with the path when there is one. */
  message: string;
}

/** "file:line:col: message", the form compilers use, so editors can jump to it. */
export function formatIssue(i: ScenarioIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.message}`;
}

/** A YAML value with where it was written (and where its key was, for map entries). */
export interface Located {
  node: YamlNode | null;
  /** The key's position for a map entry, else the value's. */
  pos: Pos;
  path: string;
}

export class IssueList {
  readonly issues: ScenarioIssue[] = [];
  constructor(readonly file: string) {}

  add(pos: Pos, path: string, message: string): void {
    this.issues.push({ file: this.file, line: pos.line, col: pos.col, path, message });
  }
}

/** Turns node ranges into positions. */
export class Positions {
  constructor(private readonly lines: LineCounter) {}

  of(node: { range?: [number, number, number] | null } | null | undefined, fallback: Pos = { line: 1, col: 1 }): Pos {
    const start = node?.range?.[0];
    if (start === undefined) return fallback;
    const p = this.lines.linePos(start);
    return { line: p.line, col: p.col };
  }
}

/** Child path helpers: "cluster" + "nodes" -> "cluster.nodes"; "faults" + 2 -> "faults[2]". */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** A scalar's JS value (number, string, boolean, null), or undefined for a collection. */
export function scalarValue(node: YamlNode | null): unknown {
  if (node === null) return null;
  return isScalar(node) ? node.value : undefined;
}

/** Describes what a node is, for "must be X (got Y)" messages. */
export function describeNode(node: YamlNode | null): string {
  if (node === null) return 'nothing';
  // The reader takes values as written: an alias (*name) is not looked up.
  if (isAlias(node)) return `an alias (*${node.source}); write the value out`;
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  const v = scalarValue(node);
  if (v === null) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/**
 * Reads a mapping: checks it is one, reports keys outside `allowed` (with the list of the
 * allowed ones), and returns its entries by key.
 */
export function readMap(
  at: Located,
  allowed: readonly string[],
  positions: Positions,
  issues: IssueList,
): Map<string, Located> | null {
  const out = new Map<string, Located>();
  if (!isMap(at.node)) {
    issues.add(at.pos, at.path, `${at.path || 'the file'} must be a mapping of ${allowed.join(', ')} (got ${describeNode(at.node)})`);
    return null;
  }
  for (const pair of at.node.items as Array<Pair<unknown, unknown>>) {
    const keyNode = pair.key as YamlNode | null;
    const key = scalarValue(keyNode);
    const pos = positions.of(keyNode as { range?: [number, number, number] }, at.pos);
    if (typeof key !== 'string') {
      issues.add(pos, at.path, `${at.path || 'the file'} has a key that is not a name (${describeNode(keyNode)})`);
      continue;
    }
    const path = childPath(at.path, key);
    if (!allowed.includes(key)) {
      issues.add(pos, path, `${path} is not a known key; expected one of: ${allowed.join(', ')}`);
      continue;
    }
    out.set(key, { node: (pair.value as YamlNode | null) ?? null, pos, path });
  }
  return out;
}

/** Reads a list; null (with an issue) when it is not one. */
export function readSeq(at: Located, what: string, positions: Positions, issues: IssueList): Located[] | null {
  if (!isSeq(at.node)) {
    issues.add(at.pos, at.path, `${at.path} must be a list of ${what} (got ${describeNode(at.node)})`);
    return null;
  }
  return (at.node.items as Array<YamlNode | null>).map((item, i) => ({
    node: item,
    pos: positions.of(item as { range?: [number, number, number] }, at.pos),
    path: childPath(at.path, i),
  }));
}

/**
 * Where a value is written, by its path in the document (a schema issue's path, e.g.
 * ["faults", 2, "kill"]): the deepest node of the path that exists, so an issue about a
 * missing key points at the map that lacks it.
 */
export function positionOfPath(doc: { getIn(path: Iterable<unknown>, keepScalar?: boolean): unknown }, path: readonly (string | number)[], positions: Positions): Pos {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] | null } | undefined;
    if (node && typeof node === 'object' && node.range) return positions.of(node);
  }
  return { line: 1, col: 1 };
}
