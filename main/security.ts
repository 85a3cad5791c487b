/**
 * Hardening that applies to every page and webContents of the app, following Electron's
 * security checklist: a CSP header on the app's own pages, no permissions, no <webview>,
 * no new windows, and no navigation away from the app.
 */
import { shell, type Session, type WebContents } from 'electron';
import { isAppUrl } from './appOrigin';

/**
 * Adds the CSP header to every response from the app's origin. In production the custom
 * protocol already sets it; this covers the Vite dev server, whose responses we do not
 * write ourselves.
 */
export function enforceCspHeader(session: Session, appOrigin: string, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, appOrigin)) {
      callback({});
      return;
    }
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}

/**
 * The renderer needs no camera, geolocation, notifications, etc. The one exception is
 * writing to the clipboard from the app's own page (copy buttons).
 */
export function denyPermissions(session: Session, appOrigin: string): void {
  const allowed = (permission: string, origin: string): boolean =>
    permission === 'clipboard-sanitized-write' && isAppUrl(origin, appOrigin);
  session.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(permission, contents.getURL())));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
}

/** Only https links are handed to the system browser; anything else is just refused. */
function openExternally(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.protocol === 'https:') {
    shell.openExternal(parsed.toString()).catch((err: unknown) => console.warn(`could not open ${parsed.toString()}:`, err));
  }
}

/**
 * Applied to every webContents as it is created: refuse <webview>, refuse window.open
 * (https links go to the system browser instead), and refuse navigating the window to any
 * page that is not the app's own.
 */
export function guardWebContents(contents: WebContents, appOrigin: string): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  const guardNavigation = (event: { preventDefault(): void }, url: string): void => {
    if (isAppUrl(url, appOrigin)) return;
    event.preventDefault();
    console.warn(`refused navigation to ${url}`);
    openExternally(url);
  };
  contents.on('will-navigate', (event) => guardNavigation(event, event.url));
  contents.on('will-redirect', (event) => guardNavigation(event, event.url));
}
