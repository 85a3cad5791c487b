/**
 * Maps a URL path onto a file inside one directory (the built renderer), refusing anything
 * that would escape it: `..` segments (encoded or not), absolute paths, NUL bytes and
 * symbolic links that point outside. Used by the browser-mode server and by Electron main's
 * custom protocol, so both serve the renderer with the same rules.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** Content types for the files a Vite build emits; anything else is served as bytes. */
const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file name, by extension (case-insensitive). */
export function mimeTypeFor(fileName: string): string {
  return MIME_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Why a path was not served; callers map these to HTTP statuses. */
export type StaticLookup =
  | { ok: true; file: string }
  | { ok: false; reason: 'bad-request' | 'forbidden' | 'not-found' };

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

/**
 * Resolves `urlPath` (the path part of a request URL, still percent-encoded) to a regular
 * file under `root`. `/` and directories map to their `index.html`.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, reason: 'bad-request' };
  }
  // Backslashes are separators on Windows; a NUL byte truncates paths in some APIs.
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) {
    return { ok: false, reason: 'bad-request' };
  }
  // Reject any `..` segment outright rather than normalising it away: no legitimate asset
  // URL contains one, and refusing is simpler to reason about than clamping.
  if (decoded.split('/').includes('..')) return { ok: false, reason: 'forbidden' };

  const rootReal = await realpath(root).catch(() => null);
  if (rootReal === null) return { ok: false, reason: 'not-found' };

  let candidate = resolve(rootReal, '.' + decoded);
  if (!isInside(rootReal, candidate)) return { ok: false, reason: 'forbidden' };

  let info = await stat(candidate).catch(() => null);
  if (info?.isDirectory()) {
    candidate = resolve(candidate, 'index.html');
    info = await stat(candidate).catch(() => null);
  }
  if (!info?.isFile()) return { ok: false, reason: 'not-found' };

  // A symlink inside the directory could still point elsewhere: check where it lands.
  const real = await realpath(candidate);
  if (!isInside(rootReal, real)) return { ok: false, reason: 'forbidden' };
  return { ok: true, file: real };
}
