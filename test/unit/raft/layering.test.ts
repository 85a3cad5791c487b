// src/raft is layered, not looped (issue 8 item 2): the lint rule eslint-rules/noImportCycle.js
// fails on any import cycle. Here it is shown to catch a planted cycle (direct and through a
// type-only import) and to find none in src/raft as it is.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import localRules, { findCycle, relativeImports } from '../../../eslint-rules/noImportCycle.js';

const linter = new Linter({ configType: 'flat', cwd: '/' }); // the planted files live in the system temp folder
const config = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { local: localRules },
    rules: { 'local/no-import-cycle': 'error' as const },
  },
];

function lint(file: string): Linter.LintMessage[] {
  return linter.verify(readFileSync(file, 'utf8'), config, { filename: file });
}

describe('no import cycle in src/raft (lint rule local/no-import-cycle)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftlab-cycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every form of relative import, and ignores commented-out ones and packages', () => {
    const text = [
      "import { a } from './a';",
      "import type {\n  B,\n} from '../b';",
      "export type * from './types';",
      "export { c } from './c';",
      "import './sideEffect';",
      "import tseslint from 'typescript-eslint';",
      "// import { gone } from './gone';",
      "/* import { gone2 } from './gone2'; */",
    ].join('\n');
    expect(relativeImports(text)).toEqual(['./a', '../b', './types', './c', './sideEffect']);
  });

  it('reports a planted cycle a -> b -> c -> a, on every file in it, and not on a file outside it', () => {
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "import type { C } from './c';\nexport const b: C = 1;\n");
    writeFileSync(join(dir, 'c.ts'), "import { a } from './a';\nexport type C = number;\nexport const c = a;\n");
    writeFileSync(join(dir, 'top.ts'), "import { a } from './a';\nexport const top = a;\n");
    for (const f of ['a.ts', 'b.ts', 'c.ts']) {
      const messages = lint(join(dir, f));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ ruleId: 'local/no-import-cycle', severity: 2 });
      expect(messages[0].message).toMatch(/Import cycle: .*\.ts -> .*\.ts -> .*\.ts -> .*\.ts/);
    }
    expect(lint(join(dir, 'top.ts'))).toEqual([]);
  });

  it('passes once the cycle is broken', () => {
    writeFileSync(join(dir, 'c.ts'), 'export type C = number;\nexport const c = 3;\n');
    for (const f of ['a.ts', 'b.ts', 'c.ts', 'top.ts']) expect(lint(join(dir, f))).toEqual([]);
  });

  it('finds no cycle through any file of src/raft', () => {
    const raft = join(import.meta.dirname, '../../../src/raft');
    const files = readdirSync(raft).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(findCycle(join(raft, f)), f).toBeNull();
  });
});
