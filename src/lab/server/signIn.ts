/**
 * How a browser gets the browser-mode API secret without it ever sitting in a command line
 * or an address bar (docs/security.md#browser-mode-token).
 *
 * The server prints (and `npm start` opens, through a 0600 file: scripts/start.mjs) an
 * address with a ONE-TIME code, not the secret. Loading it exchanges the code for the secret
 * in a cookie and redirects to `/`, so the address bar, the history and anything that later
 * reads the address keep only a spent code:
 *
 * - `HttpOnly`: no script in the page (nor an injected one) can read the secret;
 * - `SameSite=Strict`: no other site's page can make the browser send it, so a foreign page
 *   cannot drive the API even with the cookie present (the Origin check stands as well);
 * - named after the port: cookies are per host, not per port, and two servers on loopback
 *   must not overwrite each other's.
 *
 * A code works once. Someone who read it from the terminal before the browser used it gets
 * in instead, and the browser's attempt then fails visibly ("already used"), which is the
 * signal to restart the server.
 */
import { randomBytes } from 'node:crypto';
import { tokenMatches } from './accessGuard';

/** At most this many unused codes at once: each `url` read mints one. */
const MAX_OPEN_CODES = 16;

export class SignIn {
  private readonly codes = new Set<string>();

  constructor(
    private readonly secret: string,
    readonly port: number,
  ) {}

  /** The cookie carrying the secret; per port (see the module comment). */
  get cookieName(): string {
    return `raftlab_session_${this.port}`;
  }

  /** A fresh one-time code (16 random bytes, hex). The oldest unused one lapses beyond the cap. */
  issueCode(): string {
    const code = randomBytes(16).toString('hex');
    this.codes.add(code);
    if (this.codes.size > MAX_OPEN_CODES) this.codes.delete(this.codes.values().next().value as string);
    return code;
  }

  /** True, once, for a code this server issued; the code is spent either way it matched. */
  redeem(code: string | null): boolean {
    if (code === null) return false;
    for (const open of this.codes) {
      if (tokenMatches(open, code)) {
        this.codes.delete(open);
        return true;
      }
    }
    return false;
  }

  /** The Set-Cookie header value that hands the browser the secret. */
  sessionCookie(): string {
    return `${this.cookieName}=${this.secret}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** True when a Cookie header carries this server's secret. */
  hasSession(cookieHeader: string | undefined): boolean {
    if (cookieHeader === undefined) return false;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === this.cookieName && tokenMatches(this.secret, part.slice(eq + 1).trim())) return true;
    }
    return false;
  }
}
