// A local ESLint rule: fail when a file takes part in an import cycle among the files it
// reaches by relative imports (type-only imports included: the layers of src/raft point one
// way for types too). No npm dependency: import specifiers are read with a regular expression
// from each file's text (comments stripped), resolved to .ts files next to it, and the graph
// is walked from the file being linted back to itself.
//
// Used for src/raft (eslint.config.js); test/unit/raft/layering.test.ts plants a cycle and
// shows the rule reporting it, and runs it over every file of src/raft.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Relative import specifiers of a source text. */
export function relativeImports(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found = [];
  for (const m of code.matchAll(IMPORT_RE)) found.push(m[1]);
  return found;
}

/** The .ts file a relative specifier names, or null (JS, JSON, assets and packages are not followed). */
function resolveSpecifier(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const cache = new Map(); // file -> { mtimeMs, deps }

function depsOf(file, textOverride) {
  if (textOverride !== undefined) {
    return relativeImports(textOverride).map((s) => resolveSpecifier(file, s)).filter((f) => f !== null);
  }
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.deps;
  const deps = relativeImports(readFileSync(file, 'utf8')).map((s) => resolveSpecifier(file, s)).filter((f) => f !== null);
  cache.set(file, { mtimeMs, deps });
  return deps;
}

/** A cycle through `start` as a list of files (start ... start), or null. */
export function findCycle(start, startText) {
  const stack = [start];
  const onPath = new Set([start]);
  const done = new Set();
  const visit = (file, text) => {
    for (const dep of depsOf(file, text)) {
      if (dep === start) return [...stack, start];
      if (onPath.has(dep) || done.has(dep)) continue;
      onPath.add(dep);
      stack.push(dep);
      const cycle = visit(dep, undefined);
      if (cycle) return cycle;
      stack.pop();
      onPath.delete(dep);
      done.add(dep);
    }
    return null;
  };
  return visit(start, startText);
}

/** @type {import('eslint').Rule.RuleModule} */
export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles among relatively imported TypeScript files' },
    schema: [],
    messages: { cycle: 'Import cycle: {{path}}. Layers must point one way (see the layer list in src/raft/state.ts).' },
  },
  create(context) {
    return {
      Program(node) {
        const file = resolve(context.physicalFilename ?? context.filename);
        if (!existsSync(file)) return;
        const cycle = findCycle(file, context.sourceCode.text);
        if (cycle === null) return;
        const root = dirname(file);
        context.report({ node, messageId: 'cycle', data: { path: cycle.map((f) => relative(root, f) || '.').join(' -> ') } });
      },
    };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
