/**
 * Tiny TCP programs for `node -e` on a test host (the hosts have Node, being namespaces of
 * this machine, but no ping or netcat): an echo server and a probe, used to show which
 * hosts reach which (partitions, tbf) without relying on ICMP.
 */

/** An echo server on address:port; prints "listening" once it accepts connections. */
export function tcpEchoScript(address: string, port: number): string {
  return `require('net').createServer((s) => { s.on('error', () => s.destroy()); s.pipe(s); })`
    + `.listen(${port}, ${JSON.stringify(address)}, () => console.log('listening'));`;
}

/** Connects, sends "ping", prints "ok" when it comes back, or the error (and exits 1) within timeoutMs. */
export function tcpProbeScript(address: string, port: number, timeoutMs: number): string {
  return `const s = require('net').connect(${port}, ${JSON.stringify(address)});`
    + `const t = setTimeout(() => { console.log('timeout'); process.exit(1); }, ${timeoutMs});`
    + `s.on('connect', () => s.write('ping'));`
    + `s.on('data', (d) => { if (String(d) === 'ping') { clearTimeout(t); console.log('ok'); process.exit(0); } });`
    + `s.on('error', (e) => { clearTimeout(t); console.log(e.code || e.message); process.exit(1); });`;
}

/**
 * A sink on address:port that counts bytes and prints the count when the sender closes; and
 * a sender that writes `bytes` and prints the ms it took until the sink acknowledged (the
 * sink writes one byte back at the end), i.e. the throughput of the path.
 */
export function tcpSinkScript(address: string, port: number): string {
  return `require('net').createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; }); s.on('end', () => s.end(String(n))); s.on('error', () => s.destroy()); })`
    + `.listen(${port}, ${JSON.stringify(address)}, () => console.log('listening'));`;
}

export function tcpSendScript(address: string, port: number, bytes: number, timeoutMs: number): string {
  return `const s = require('net').connect(${port}, ${JSON.stringify(address)});`
    + `const t = setTimeout(() => { console.log(JSON.stringify({ error: 'timeout' })); process.exit(1); }, ${timeoutMs});`
    + `let start; let reply = '';`
    + `s.on('connect', () => { start = process.hrtime.bigint(); s.end(Buffer.alloc(${bytes}, 120)); });`
    + `s.on('data', (d) => { reply += d; });`
    + `s.on('end', () => { clearTimeout(t); console.log(JSON.stringify({ bytes: Number(reply), ms: Number(process.hrtime.bigint() - start) / 1e6 })); process.exit(0); });`
    + `s.on('error', (e) => { clearTimeout(t); console.log(JSON.stringify({ error: e.code || e.message })); process.exit(1); });`;
}
