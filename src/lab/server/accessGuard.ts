/**
 * Who may talk to the browser-mode server. It binds 127.0.0.1 only, but every local user
 * and every web page open in any local browser can reach loopback, so:
 *
 * - the API needs a secret token (32 random bytes, hex) that only the URL printed to the
 *   person who started the server carries; compared in constant time;
 * - WebSocket upgrades must come from the server's own origin, so a page on another site
 *   cannot drive the lab even if it guessed the port (browsers always send Origin on
 *   WebSocket handshakes and scripts cannot forge it);
 * - the Host header must name the loopback address, which defeats DNS rebinding (a foreign
 *   domain re-pointed at 127.0.0.1 would send its own name as Host).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh API token: 32 random bytes as 64 hex characters. */
export function createToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time token comparison; null/absent never matches. */
export function tokenMatches(expected: string, presented: string | null | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  // timingSafeEqual needs equal lengths; the length of the token is not a secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The host[:port] spellings that address this server: 127.0.0.1 (what the printed URL uses)
 * and localhost (what people type), both at the bound port.
 */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** True when a Host header names this server on loopback. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && loopbackHosts(port).includes(host.toLowerCase());
}

/** True when an Origin header is one of this server's own http origins. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin !== undefined && loopbackHosts(port).some((host) => origin.toLowerCase() === `http://${host}`);
}
