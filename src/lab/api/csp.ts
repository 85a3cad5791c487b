/**
 * The Content Security Policy of the app's pages, shared by Electron main (custom protocol
 * responses and the dev server) and the browser-mode server, so both transports ship the
 * same policy. The renderer's index.html carries the same policy in a <meta> tag as a second
 * layer; when both apply the browser enforces their intersection.
 */

/**
 * Builds the policy. `connectSrc` lists the WebSocket origins the page may open besides
 * 'self' (browser mode: its own `ws://127.0.0.1:PORT`; Electron needs none).
 *
 * style-src allows 'unsafe-inline' because Vue's style bindings and ECharts set inline
 * styles on elements; scripts stay strictly 'self' (no inline script, no eval).
 */
export function contentSecurityPolicy(connectSrc: readonly string[] = []): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ...connectSrc]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

