/**
 * The one quoting function for remote shells (src/lab/hosts/shellQuote.ts): whatever the
 * argument, a POSIX shell parses the quoted line back into exactly the original argv. Checked
 * against real shells (sh = dash on Debian, and bash), with hostile strings and random ones.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { quoteArg, quoteCommand } from '../../../../src/lab/hosts/shellQuote';

/** What `shell -c <line>` passes to a program: printf prints each word NUL-terminated. */
function wordsAfterParsing(shell: string, args: string[]): string[] {
  const line = `printf '%s\\0' ${args.map(quoteArg).join(' ')}`;
  const r = spawnSync(shell, ['-c', line], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${shell} failed on ${JSON.stringify(line)}: ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}

const HOSTILE = [
  "it's", "''", "'", '"', '$HOME', '${IFS}', '$(touch /tmp/raftlab-pwned)', '`id`', 'a b', '\ttab', 'line\nbreak',
  ';', '&&', '|', '>', '<', '*', '?', '[a]', '~', '~root', '#comment', '\\', '\\\'', '!', '!!', '-n', '--', '-e',
  'é ü 日本', '\u0001\u001f', '{a,b}', 'a=b', '%C', '\r\n',
];

describe('quoteArg', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(quoteArg('node')).toBe('node');
    expect(quoteArg('/home/u/.cache/raftlab/ab12/node.mjs')).toBe('/home/u/.cache/raftlab/ab12/node.mjs');
    expect(quoteArg('')).toBe("''");
    expect(quoteArg('a b')).toBe("'a b'");
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
  });

  it('refuses a NUL byte instead of truncating the argument', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });

  for (const shell of ['sh', 'bash']) {
    it(`hostile arguments come back unchanged through ${shell}`, () => {
      expect(wordsAfterParsing(shell, HOSTILE)).toEqual(HOSTILE);
    });
  }

  it('random strings come back unchanged through sh (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 5 }), (args) => {
        expect(wordsAfterParsing('sh', args)).toEqual(args);
      }),
      { numRuns: 150 },
    );
  });
});

describe('quoteCommand', () => {
  it('joins quoted words and refuses an empty command', () => {
    expect(quoteCommand(['echo', 'a b', "c'd"])).toBe(`echo 'a b' 'c'\\''d'`);
    expect(() => quoteCommand([])).toThrow(/empty/);
  });
});
