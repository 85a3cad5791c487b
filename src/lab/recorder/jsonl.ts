/**
 * Reading JSON Lines files that may have been cut short: a run that crashed mid-write
 * leaves an incomplete last line, which is skipped with a warning rather than failing the
 * whole read. Files are read in chunks, so a recording larger than the biggest JavaScript
 * string still loads.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
/** Warnings beyond this many are summarized in one line. */
const MAX_WARNINGS = 20;

export interface JsonlResult<T> {
  items: T[];
  warnings: string[];
}

/**
 * Reads every line of `path` as JSON and keeps those `check` accepts (it returns null for
 * a good item, or what is wrong with it).
 * @throws when the file cannot be opened (the caller decides whether that is fatal)
 */
export function readJsonl<T>(path: string, check: (v: unknown) => string | null): JsonlResult<T> {
  const name = basename(path);
  const items: T[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  const warn = (msg: string): void => {
    skipped++;
    if (warnings.length < MAX_WARNINGS) warnings.push(msg);
  };
  let lineNo = 0;
  const handle = (bytes: Buffer, last: boolean): void => {
    lineNo++;
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      warn(
        last
          ? `${name}:${lineNo}: skipped an incomplete last line (the run stopped while writing it)`
          : `${name}:${lineNo}: skipped a line that is not valid JSON`,
      );
      return;
    }
    const problem = check(value);
    if (problem !== null) warn(`${name}:${lineNo}: skipped: ${problem}`);
    else items.push(value as T);
  };

  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let i = chunk.indexOf(NEWLINE, start); i !== -1; i = chunk.indexOf(NEWLINE, start)) {
        handle(chunk.subarray(start, i), false);
        start = i + 1;
      }
      // Copy: `buf` is reused by the next read.
      carry = Buffer.from(chunk.subarray(start));
    }
    if (carry.length > 0) handle(carry, true);
  } finally {
    closeSync(fd);
  }
  if (skipped > warnings.length) warnings.push(`${name}: ${skipped - warnings.length} more lines skipped`);
  return { items, warnings };
}
