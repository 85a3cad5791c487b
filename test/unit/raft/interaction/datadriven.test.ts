import { describe, expect, it } from 'vitest';
import { FormatError, parseCommand, parseFile, rewriteFile } from './datadriven';

describe('datadriven format', () => {
  const text = '# comment\n\ncmd a\n----\nout 1\nout 2\n\n# next\nother k=(1,2)\n----\nok\n';

  it('parses commands and expected blocks, keeping comments', () => {
    const parsed = parseFile('t.txt', text);
    expect(parsed.cases.map((c) => [c.line, c.command, c.expected])).toEqual([
      [3, 'cmd a', ['out 1', 'out 2']],
      [9, 'other k=(1,2)', ['ok']],
    ]);
  });

  it('rewrites expected blocks and leaves the rest byte for byte', () => {
    const parsed = parseFile('t.txt', text);
    expect(rewriteFile(parsed, new Map())).toBe(text);
    const actual = new Map([[parsed.cases[0], ['new']]]);
    expect(rewriteFile(parsed, actual)).toBe('# comment\n\ncmd a\n----\nnew\n\n# next\nother k=(1,2)\n----\nok\n');
  });

  it('adds the blank line between adjacent cases', () => {
    const parsed = parseFile('t.txt', 'a\n----\nx\n\nb\n----\ny\n');
    expect(rewriteFile(parsed, new Map([[parsed.cases[0], ['z']]]))).toBe('a\n----\nz\n\nb\n----\ny\n');
  });

  it('rejects a command without ----', () => {
    expect(() => parseFile('t.txt', 'cmd\nout\n')).toThrow(FormatError);
    expect(() => parseFile('t.txt', 'cmd\nout\n')).toThrow("t.txt:2: expected '----'");
  });

  it('splits command arguments', () => {
    expect(parseCommand('add-nodes 3 voters=(1,2,3) prevote=true')).toEqual({
      name: 'add-nodes',
      args: ['3'],
      kv: new Map([
        ['voters', '(1,2,3)'],
        ['prevote', 'true'],
      ]),
    });
  });
});
