/**
 * Checks the ZeroMQ endpoints a node binds or connects to, before ZeroMQ sees them, so a
 * bad address is a clear error instead of an obscure errno (or an accidental bind to every
 * interface).
 *
 * Accepted: `tcp://HOST:PORT` and `ipc://PATH`. TCP hosts must be loopback (127.0.0.0/8,
 * `localhost`, `[::1]`) unless `allowNonLoopback` is set or the socket has CURVE keys: nothing
 * leaves loopback unauthenticated (issue 13; a cluster across hosts always runs with CURVE,
 * docs/multi-host.md), and a plaintext socket beyond this machine needs an explicit choice. Port 0 (or `*`)
 * asks for an ephemeral port; read the real one from `lastEndpoint` after binding.
 * IPC paths must fit a Unix socket address: at most 107 bytes (ENAMETOOLONG otherwise).
 */

export const MAX_IPC_PATH_BYTES = 107;

export class EndpointError extends Error {
  constructor(
    readonly address: string,
    problem: string,
  ) {
    super(`invalid endpoint ${JSON.stringify(address)}: ${problem}`);
    this.name = 'EndpointError';
  }
}

export interface EndpointPolicy {
  /** Allow TCP hosts other than loopback (default: only when `curve` is set). */
  allowNonLoopback?: boolean;
  /** The socket's CURVE keys, if any: a CURVE socket may use any host. */
  curve?: unknown;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Returns `address` unchanged if acceptable; throws EndpointError otherwise. */
export function checkEndpoint(address: string, policy: EndpointPolicy = {}): string {
  if (typeof address !== 'string' || address.length === 0) throw new EndpointError(String(address), 'empty or not a string');
  if (address.startsWith('ipc://')) {
    const path = address.slice('ipc://'.length);
    if (path.length === 0) throw new EndpointError(address, 'empty ipc path');
    const bytes = new TextEncoder().encode(path).byteLength;
    if (bytes > MAX_IPC_PATH_BYTES) {
      throw new EndpointError(address, `ipc path is ${bytes} bytes, the limit is ${MAX_IPC_PATH_BYTES} (use a shorter directory)`);
    }
    return address;
  }
  if (address.startsWith('tcp://')) {
    const rest = address.slice('tcp://'.length);
    if (rest.includes(';')) throw new EndpointError(address, 'source-address syntax (";") is not supported');
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) throw new EndpointError(address, 'expected tcp://HOST:PORT');
    const host = rest.slice(0, colon);
    const port = rest.slice(colon + 1);
    if (port !== '*' && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) {
      throw new EndpointError(address, `port ${JSON.stringify(port)} is not 0-65535 or *`);
    }
    if (!(policy.allowNonLoopback ?? policy.curve !== undefined) && !isLoopbackHost(host)) {
      throw new EndpointError(address, `host ${host} is not loopback, and a plaintext socket stays on loopback (CURVE is required beyond it)`);
    }
    return address;
  }
  throw new EndpointError(address, 'only tcp:// and ipc:// endpoints are supported');
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '[::1]') return true;
  if (!LOOPBACK_V4.test(host)) return false;
  return host.split('.').every((octet) => Number(octet) <= 255);
}
