/**
 * Quoting an argv for a remote POSIX shell. `ssh host cmd...` does not pass an argv: it joins
 * its arguments with spaces and the remote login shell parses the result, so every argument
 * the lab sends must be quoted for that shell, and this is the one function that does it.
 *
 * The rule is the POSIX one (XCU 2.2.2): inside single quotes every byte is literal except the
 * single quote itself, which is written as `'\''` (close, escaped quote, reopen). It holds for
 * sh, dash, bash, ksh and zsh as login shells; csh/tcsh and fish parse `!` and newlines
 * differently and are not supported (docs/multi-host.md#setting-up-hosts).
 */

/** Characters that never need quoting in any POSIX shell word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument so the remote shell sees exactly these bytes as one word. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) {
    // A C string (every argv element on the far side) cannot hold NUL: refuse rather than truncate.
    throw new Error(`cannot pass an argument containing a NUL byte to a remote shell: ${JSON.stringify(arg.slice(0, 40))}`);
  }
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes an argv into one command line for `ssh host <line>`. */
export function quoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('cannot run an empty command on a host');
  return argv.map(quoteArg).join(' ');
}
