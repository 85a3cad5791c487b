/**
 * Where the renderer gets its lab API: the Electron preload's `window.lab` when present,
 * otherwise (browser mode) a WebSocket client to the server that served this page.
 */
import type { LabApi } from '../../../src/contract/labApi';
import { browserLabUrl, createBrowserLab } from './browserLab';
import type { BrowserLab } from './browserLab';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in browser mode. */
    lab?: LabApi;
  }
}

let cached: LabApi | null = null;

/** The one lab API of this page, created on first use. */
export function getLabApi(): LabApi {
  cached ??= window.lab ?? createBrowserLab({ url: browserLabUrl(window.location) });
  return cached;
}

/** True for the WebSocket client, which has a connection status worth showing. */
export function isBrowserLab(api: LabApi): api is BrowserLab {
  return api.mode === 'browser' && typeof (api as Partial<BrowserLab>).onStatus === 'function';
}
