/**
 * A small datadriven file format, after etcd's interaction tests (cockroachdb/datadriven):
 *
 *   # comment lines and blank lines are kept as they are
 *   command arg key=value
 *   ----
 *   expected output, one or more lines (never blank)
 *
 * A case's output ends at the first blank line or at the end of the file. `rewriteFile`
 * regenerates the expected blocks from actual output (REWRITE=1), keeping everything else.
 */

export interface TestCase {
  /** 1-based line number of the command. */
  line: number;
  command: string;
  expected: string[];
}

type Chunk = { kind: 'text'; lines: string[] } | { kind: 'case'; test: TestCase };

export interface ParsedFile {
  chunks: Chunk[];
  cases: TestCase[];
}

export class FormatError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'FormatError';
  }
}

export function parseFile(name: string, text: string): ParsedFile {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const chunks: Chunk[] = [];
  const cases: TestCase[] = [];
  let text_: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      text_.push(line);
      i++;
      continue;
    }
    if (line === '----') throw new FormatError(name, i + 1, "'----' without a command before it");
    if (lines[i + 1] !== '----') throw new FormatError(name, i + 2, `expected '----' after the command '${line}'`);
    if (text_.length > 0) chunks.push({ kind: 'text', lines: text_ });
    text_ = [];
    const test: TestCase = { line: i + 1, command: line.trim(), expected: [] };
    i += 2;
    while (i < lines.length && lines[i].trim() !== '') test.expected.push(lines[i++]);
    chunks.push({ kind: 'case', test });
    cases.push(test);
  }
  if (text_.length > 0) chunks.push({ kind: 'text', lines: text_ });
  return { chunks, cases };
}

/** The file with every case's expected block replaced by `actual` (same order as `cases`). */
export function rewriteFile(parsed: ParsedFile, actual: Map<TestCase, string[]>): string {
  const out: string[] = [];
  parsed.chunks.forEach((chunk, k) => {
    if (chunk.kind === 'text') {
      out.push(...chunk.lines);
      return;
    }
    out.push(chunk.test.command, '----', ...(actual.get(chunk.test) ?? chunk.test.expected));
    // A case's block must end with a blank line before the next command.
    const next = parsed.chunks[k + 1];
    if (next && (next.kind === 'case' || next.lines[0].trim() !== '')) out.push('');
  });
  return `${out.join('\n')}\n`;
}

/** Splits `cmd a b key=(1,2) k=v` into positional args and key=value args. */
export function parseCommand(command: string): { name: string; args: string[]; kv: Map<string, string> } {
  const [name, ...tokens] = command.split(/\s+/).filter(Boolean);
  const args: string[] = [];
  const kv = new Map<string, string>();
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq > 0) kv.set(token.slice(0, eq), token.slice(eq + 1));
    else args.push(token);
  }
  return { name, args, kv };
}
