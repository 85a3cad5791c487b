// `npm start`: build everything, then open the desktop app; where the desktop app cannot
// run (no Electron binary, no display, running as root), say why in one line and serve
// the same UI to a browser instead (browser mode), printing the address to open.
//
//   node scripts/start.mjs [--browser] [--no-build] [--no-open]
//     --browser   skip Electron, go straight to browser mode
//     --no-build  use the existing out/ (faster restarts)
//     --no-open   browser mode: do not try to open the system browser
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const flags = new Set(process.argv.slice(2));
for (const flag of flags) {
  if (!['--browser', '--no-build', '--no-open'].includes(flag)) {
    console.error(`start: unknown option ${flag} (known: --browser, --no-build, --no-open)`);
    process.exit(2);
  }
}

/** An Electron that dies this soon with an error never showed a window: fall back. */
const EARLY_EXIT_MS = 5000;
/** What `raftlab serve` prints: a ONE-TIME sign-in address (src/lab/server/signIn.ts). */
const BROWSER_URL = /http:\/\/127\.0\.0\.1:\d+\/\?code=[0-9a-f]+/;
/** Prefix of the private folders holding the file the browser is opened with. */
const OPEN_DIR_PREFIX = 'raftlab-open-';

function hasDisplay() {
  if (process.platform !== 'linux' && process.platform !== 'freebsd' && process.platform !== 'openbsd') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function build() {
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  const steps = [
    ['node processes and CLI', [join(root, 'scripts', 'build-node.mjs')]],
    ['app (main, preload, renderer)', [electronVite, 'build']],
  ];
  for (const [what, args] of steps) {
    console.log(`start: building ${what}…`);
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`start: building ${what} failed (exit ${result.status ?? result.signal}); fix the error above and run npm start again`);
      process.exit(1);
    }
  }
}

/** Why the desktop app cannot run here, or null if it can (as far as we can tell). */
function electronUnavailable() {
  if (flags.has('--browser')) return { reason: 'browser mode requested (--browser)' };
  let binary;
  try {
    binary = require('electron');
  } catch (err) {
    // The electron package throws when its postinstall download was skipped or failed.
    const detail = err?.code === 'MODULE_NOT_FOUND' ? 'the electron package is not installed' : 'its download was skipped or failed';
    return { reason: `the Electron binary is not installed (${detail})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: `the Electron binary is missing (expected at ${binary})` };
  if (!hasDisplay()) return { reason: 'there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  // Chromium refuses to start as root unless its sandbox is disabled, which we will not do.
  if (process.platform === 'linux' && process.getuid?.() === 0) return { reason: 'Electron will not run as root with its sandbox on' };
  return { binary };
}

/**
 * Children run in their own process group (POSIX), so Ctrl+C reaches them exactly once,
 * relayed from here, rather than twice (from the terminal and from us), which a CLI may
 * treat as "force quit" and leave its cluster behind.
 */
const OWN_GROUP = process.platform !== 'win32';

/** Relays Ctrl+C / SIGTERM / SIGHUP to `child` so it shuts its cluster down. */
function relaySignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
}

function startElectron(binary) {
  return new Promise((resolve) => {
    const env = { ...process.env };
    // Inherited, this would make Electron behave as plain Node and never open a window.
    delete env.ELECTRON_RUN_AS_NODE;
    const startedAt = Date.now();
    const child = spawn(binary, [root], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env, detached: OWN_GROUP });
    relaySignals(child);
    child.on('error', (err) => resolve({ fallback: `Electron could not be started (${err.message})` }));
    child.on('exit', (code, signal) => {
      const early = Date.now() - startedAt < EARLY_EXIT_MS;
      if (early && code !== 0 && signal === null) {
        resolve({ fallback: `Electron exited with code ${code} before it could open a window (see its output above)` });
      } else {
        resolve({ exitCode: code ?? 1 });
      }
    });
  });
}

/**
 * The sign-in address must not go on the opener's command line: every local user can read
 * any process's arguments (/proc/PID/cmdline, `ps`), and could sign in with the code before
 * the browser does. So the address goes into a redirect page, 0600 in a fresh 0700 folder
 * (mkdtemp), and the opener gets only that file's path. The folder is removed when this
 * script exits, and left-overs of a killed one at the next start (removeStaleOpenDirs).
 */
function writeRedirectPage(url) {
  const dir = mkdtempSync(join(tmpdir(), OPEN_DIR_PREFIX));
  const file = join(dir, 'open-raftlab.html');
  const html = [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${url}">`,
    '<title>Opening raftlab…</title>',
    `<p><a href="${url}">Open raftlab</a></p>`,
    '',
  ].join('\n');
  writeFileSync(file, html, { mode: 0o600, flag: 'wx' });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return file;
}

/** Removes redirect folders of earlier runs that were killed before they could clean up. */
function removeStaleOpenDirs() {
  const uid = process.getuid?.();
  let names;
  try {
    names = readdirSync(tmpdir());
  } catch (err) {
    console.log(`start: could not list ${tmpdir()} to clean up (${err.code ?? err.message})`);
    return;
  }
  for (const name of names) {
    if (!name.startsWith(OPEN_DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const st = statSync(dir, { throwIfNoEntry: false });
    // Only ours, and only those old enough that no running `npm start` still needs them.
    if (!st || (uid !== undefined && st.uid !== uid) || Date.now() - st.mtimeMs < 10 * 60_000) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function openInBrowser(url) {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  const opener = spawn(command, [writeRedirectPage(url)], { stdio: 'ignore', detached: true });
  opener.on('error', (err) => console.log(`start: could not open a browser automatically (${command}: ${err.code ?? err.message}); open the address above yourself`));
  opener.unref();
}

function banner(url) {
  const line = '─'.repeat(Math.max(url.length + 4, 48));
  return [
    '',
    `┌${line}┐`,
    '  raftlab is running in browser mode. Open this address:',
    '',
    `  ${url}`,
    '',
    '  (it works once: it signs one browser in; Ctrl+C stops everything)',
    `└${line}┘`,
    '',
  ].join('\n');
}

function startBrowserMode() {
  const cli = join(root, 'out', 'lab', 'cli.mjs');
  if (!existsSync(cli)) {
    console.error(`start: browser mode needs the lab CLI at ${cli}, which the build did not produce`);
    process.exit(1);
  }
  // The server must not outlive this script, even when it is SIGKILLed (no handler runs
  // then): on Linux the kernel sends it SIGTERM when we die (PR_SET_PDEATHSIG via setpriv,
  // which stays set across the exec), and it shuts its cluster down as on Ctrl+C.
  const [command, args] = withParentDeathSignal(process.execPath, [cli, 'serve'], 'TERM');
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: OWN_GROUP });
  relaySignals(child);
  let announced = false;
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (announced) return;
    pending = (pending + chunk).slice(-4096);
    const match = BROWSER_URL.exec(pending);
    if (match) {
      announced = true;
      process.stdout.write(banner(match[0]));
      if (!flags.has('--no-open') && hasDisplay()) openInBrowser(match[0]);
    }
  });
  child.on('error', (err) => {
    console.error(`start: could not start the lab server: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * `command args` run so that the kernel sends it `signal` when this process dies:
 * `setpriv --pdeathsig` (util-linux) where it exists. Elsewhere (macOS, Windows, Linux
 * without util-linux) the command runs as is and says so once: it then outlives a SIGKILL
 * of this script, though not a normal exit or Ctrl+C, which are relayed.
 */
function withParentDeathSignal(command, args, signal) {
  if (process.platform === 'linux') {
    const probe = spawnSync('setpriv', ['--pdeathsig', signal, 'true'], { stdio: 'ignore' });
    if (probe.status === 0) return ['setpriv', ['--pdeathsig', signal, command, ...args]];
    console.log(`start: setpriv --pdeathsig is not available (${probe.error?.code ?? `exit ${probe.status}`}); the lab server will not notice if this script is killed`);
  }
  return [command, args];
}

removeStaleOpenDirs();
if (!flags.has('--no-build')) build();
const electron = electronUnavailable();
if (electron.reason) {
  console.log(`start: ${electron.reason}; starting browser mode instead.`);
  startBrowserMode();
} else {
  const outcome = await startElectron(electron.binary);
  if (outcome.fallback) {
    console.log(`start: ${outcome.fallback}; starting browser mode instead.`);
    startBrowserMode();
  } else {
    process.exit(outcome.exitCode);
  }
}
