/**
 * Where the app's own pages live, and the checks built on it: which frames may call the
 * lab, and which URLs the window may navigate to.
 *
 * Production pages are served from the custom scheme `raftlab://app/` (see ./appProtocol),
 * not file://: a file:// page shares its origin with every local file, cannot receive
 * response headers (so no CSP header), and makes "is this our page?" a path comparison.
 * In development (`electron-vite dev`) pages come from the Vite dev server, whose URL
 * electron-vite passes in ELECTRON_RENDERER_URL.
 */

/** The custom scheme of packaged and previewed builds. */
export const APP_SCHEME = 'raftlab';
/** The host part of app URLs: `raftlab://app/index.html`. */
export const APP_HOST = 'app';

/**
 * `scheme://host[:port]` of a URL, or null if it does not parse. WHATWG `URL.origin` is
 * "null" for non-special schemes such as ours, so it cannot be used for the comparison.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? null : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/** The start URL and origin of the app's pages, given the dev server URL if any. */
export function appLocation(devServerUrl: string | undefined): { startUrl: string; origin: string } {
  if (devServerUrl !== undefined && devServerUrl !== '') {
    const origin = originOf(devServerUrl);
    if (origin === null) throw new Error(`ELECTRON_RENDERER_URL is not a URL: ${devServerUrl}`);
    return { startUrl: devServerUrl, origin };
  }
  const origin = `${APP_SCHEME}://${APP_HOST}`;
  return { startUrl: `${origin}/index.html`, origin };
}

/** True when `url` is one of the app's own pages. */
export function isAppUrl(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

/** The frame facts the trust check needs (a subset of Electron's WebFrameMain). */
export interface SenderFrameFacts {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

/**
 * True when an IPC message comes from the top frame of our window showing our page:
 * not from another window or webContents, not from an iframe, not from a page the window
 * was somehow navigated to.
 */
export function isTrustedSender(
  sender: unknown,
  frame: SenderFrameFacts | null,
  expectedSender: unknown,
  appOrigin: string,
): boolean {
  return expectedSender !== null && sender === expectedSender && frame !== null && frame.parent === null && isAppUrl(frame.url, appOrigin);
}
