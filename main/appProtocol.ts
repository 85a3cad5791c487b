/**
 * Serves the built renderer on `raftlab://app/` (why a custom scheme: see ./appOrigin).
 * Files resolve under `out/renderer` with the same traversal rules as browser mode, and
 * every response carries the CSP header.
 */
import { net, protocol, type Session } from 'electron';
import { pathToFileURL } from 'node:url';
import { mimeTypeFor, resolveStaticFile } from '../src/lab/api/staticFiles';
import { APP_HOST, APP_SCHEME } from './appOrigin';

/**
 * Declares the scheme standard (relative URLs, a real origin) and secure (like https:
 * module scripts and secure-context APIs work). Must run before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const STATUS_FOR = { 'bad-request': 400, forbidden: 403, 'not-found': 404 } as const;

/** Answers `raftlab://app/...` requests of `session` from `rendererDir`. */
export function serveAppProtocol(session: Session, rendererDir: string, csp: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not Found', { status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method Not Allowed', { status: 405 });
    const lookup = await resolveStaticFile(rendererDir, url.pathname);
    if (!lookup.ok) return new Response(lookup.reason, { status: STATUS_FOR[lookup.reason] });
    // net.fetch on file:// reads through Electron's asar support, as the protocol docs do.
    const file = await net.fetch(pathToFileURL(lookup.file).toString());
    return new Response(file.body, {
      status: file.status,
      headers: {
        'Content-Type': mimeTypeFor(lookup.file),
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  });
}
