/**
 * The process's ZAP handler (ZeroMQ RFC 27): the allow-list behind every CURVE server
 * socket of this process.
 *
 * Without a ZAP handler a CURVE server accepts ANY client key (anyone can make a key pair),
 * so CURVE alone would encrypt but not keep strangers out. libzmq asks the handler bound at
 * `inproc://zeromq.zap.01` of the socket's context about every handshake; zeromq.js v6
 * shares one context per process (per worker thread), so one handler serves every socket.
 * Each CURVE server socket registers its own ZAP domain with an `allow(publicKey)` check,
 * so one process can hold sockets with different lists (the lab's control and telemetry
 * sockets, a test's several nodes).
 *
 * The handler is bound synchronously (bindSync) before the first registration returns, so
 * no handshake can race ahead of it: libzmq would let a CURVE client in if no handler were
 * bound. Requests for an unknown domain or another mechanism are refused (400).
 */
import { Router } from 'zeromq';
import { z85Encode } from './frameSeal';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

export interface ZapRegistration {
  /** Set as the socket's `zapDomain`. */
  readonly domain: string;
  /** Handshakes refused for this domain so far (an unknown key, or not CURVE). */
  readonly refused: number;
  /** Handshakes admitted for this domain so far. */
  readonly admitted: number;
  /** Forget the domain (later handshakes for it are refused). */
  release(): void;
}

interface Domain {
  purpose: string;
  allow: (publicKey: string) => boolean;
  refused: number;
  admitted: number;
}

class ZapHandler {
  private readonly socket = new Router({ linger: 0 });
  readonly domains = new Map<string, Domain>();
  private loop: Promise<void> = Promise.resolve();

  /**
   * Binds the ZAP endpoint. A handler closed a moment ago may still hold it (libzmq frees
   * an inproc name when the closed socket is reaped), so EADDRINUSE is retried briefly.
   */
  static async open(): Promise<ZapHandler> {
    const zap = new ZapHandler();
    const until = Date.now() + 2000;
    for (;;) {
      try {
        zap.socket.bindSync(ZAP_ENDPOINT);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EADDRINUSE' || Date.now() > until) {
          zap.socket.close();
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    zap.loop = zap.serve();
    return zap;
  }

  private async serve(): Promise<void> {
    while (!this.socket.closed) {
      let parts: Buffer[];
      try {
        parts = await this.socket.receive();
      } catch (error) {
        if (this.socket.closed) return;
        console.error(`[zap] receive failed: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const reply = this.answer(parts);
      if (reply === null) continue;
      try {
        await this.socket.send(reply);
      } catch (error) {
        if (this.socket.closed) return;
        console.error(`[zap] reply failed: ${String(error)}`);
      }
    }
  }

  /**
   * A request is [routingId, '', version, requestId, domain, address, identity, mechanism,
   * ...credentials]; the reply [routingId, '', version, requestId, status, text, userId, metadata].
   */
  private answer(parts: Buffer[]): Buffer[] | string[] | null {
    if (parts.length < 8) return null; // not a ZAP request: libzmq never sends these
    const [routingId, , version, requestId, domainBytes, , , mechanism, credential] = parts;
    const domainName = domainBytes.toString('utf8');
    const domain = this.domains.get(domainName);
    let status = '400';
    let text = 'unknown domain';
    let userId = '';
    if (domain) {
      if (mechanism.toString('latin1') !== 'CURVE' || !credential || credential.byteLength !== 32) {
        text = 'CURVE required';
      } else {
        const key = z85Encode(credential);
        if (domain.allow(key)) {
          status = '200';
          text = 'OK';
          userId = key;
        } else {
          text = 'key not allowed';
        }
      }
      if (status === '200') domain.admitted++;
      else domain.refused++;
      const total = (totals[domain.purpose] ??= { refused: 0, admitted: 0 });
      if (status === '200') total.admitted++;
      else total.refused++;
    }
    return [routingId, Buffer.alloc(0), version, requestId, Buffer.from(status), Buffer.from(text), Buffer.from(userId), Buffer.alloc(0)];
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }
}

let handler: Promise<ZapHandler> | null = null;
/** Handshakes per socket purpose ('peer-1', 'control', 'telemetry', 'client'), since the process started. */
const totals: Record<string, { refused: number; admitted: number }> = {};

/** This process's ZAP decisions by socket purpose (the lab's control and telemetry sockets report here). */
export function zapTotals(): Readonly<Record<string, { readonly refused: number; readonly admitted: number }>> {
  return totals;
}
let nextDomain = 1;

/**
 * Registers an allow-list and returns the domain to set on one CURVE server socket. The
 * handler is bound when this resolves, so a socket bound afterwards is never unguarded.
 */
export async function registerZapDomain(purpose: string, allow: (publicKey: string) => boolean): Promise<ZapRegistration> {
  const opening = (handler ??= ZapHandler.open());
  let owner: ZapHandler;
  try {
    owner = await opening;
  } catch (error) {
    if (handler === opening) handler = null;
    throw error;
  }
  const name = `raftlab/${purpose}/${process.pid}/${nextDomain++}`;
  const domain: Domain = { purpose, allow, refused: 0, admitted: 0 };
  totals[purpose] ??= { refused: 0, admitted: 0 };
  owner.domains.set(name, domain);
  return {
    domain: name,
    get refused() {
      return domain.refused;
    },
    get admitted() {
      return domain.admitted;
    },
    release() {
      if (!owner.domains.delete(name)) return;
      // The last socket gone: close the handler so it does not outlive its users (a test
      // worker, a lab that closed its sockets). The next registration binds a new one.
      if (owner.domains.size === 0 && handler === opening) {
        handler = null;
        void owner.close();
      }
    },
  };
}
