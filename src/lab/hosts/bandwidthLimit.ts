/**
 * Bandwidth limits made by a host's kernel with `tc tbf` (the `bandwidth` fault; issue 13
 * part 5; docs/multi-host.md, "Bandwidth limits"). A token bucket filter as the root qdisc of
 * the device the host routes its peers through limits everything that host sends to the other
 * hosts and to the lab, so every node on it is limited (tc shapes egress: what the host
 * receives is limited by the senders' own limits, if any).
 *
 * raftlab only ever touches a root qdisc it put there itself:
 * - before replacing a device's root qdisc the script checks that it is a kernel default
 *   (noqueue, pfifo_fast, fq_codel, mq, ...) or a tbf raftlab recorded, and refuses otherwise;
 * - each device it limits is recorded on the host in `~/.cache/raftlab/tbf/<host address>`
 *   (the address, not the host name: test hosts share one $HOME), after tc took the qdisc;
 * - removal deletes the root qdisc only of recorded devices, and only while it is a tbf;
 *   the cleanup after a dead lab (CLEANUP_SNIPPET, run in remoteHost.ts PREPARE_PROBE) does the same.
 *
 * tc needs CAP_NET_ADMIN: as root `tc`, else `sudo -n tc` (never a password prompt).
 *
 * Pure: scripts are strings; remoteHost.ts runs them over the host's ssh connection.
 */
import { LIMITS } from '../../contract/limits';
import { quoteArg } from './shellQuote';

export interface BandwidthSpec {
  rateKbit: number;
  burstBytes?: number;
  latencyMs?: number;
}

/** How long a packet may wait in the bucket's queue before tbf drops it, when the fault does not say. */
export const DEFAULT_TBF_LATENCY_MS = 200;

/**
 * The bucket when the fault does not say: 10 ms of the rate (the kernel's timer granularity at
 * HZ=100, below which tbf cannot keep the rate), and at least one full packet (LIMITS).
 */
export function defaultBurstBytes(rateKbit: number): number {
  return Math.min(LIMITS.bandwidthBurstBytes.max, Math.max(LIMITS.bandwidthBurstBytes.min, Math.ceil((rateKbit * 1000) / 8 / 100)));
}

/** The spec with its defaults filled in, as the tc command takes it. */
export function tbfParams(spec: BandwidthSpec): Required<BandwidthSpec> {
  return { rateKbit: spec.rateKbit, burstBytes: spec.burstBytes ?? defaultBurstBytes(spec.rateKbit), latencyMs: spec.latencyMs ?? DEFAULT_TBF_LATENCY_MS };
}

/** Linux interface names: at most 15 bytes (IFNAMSIZ 16), no slash, no space. */
const DEVICE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** A non-root ssh session's PATH often lacks the sbin folders where Debian keeps ip and tc. */
const SBIN_PATH = 'PATH="$PATH:/usr/sbin:/sbin"';

/** The shell line that prints the route to each address (`ip -o route get`), one line each; argv after `sh -c ... sh`. */
export const ROUTE_PROBE = `${SBIN_PATH}; for a; do ip -o route get "$a" || exit 1; done`;

/**
 * The devices in `ip -o route get` output, one per route, without duplicates. Loopback routes
 * (a peer on the host itself) are left out: limiting `lo` would limit the host's own traffic.
 * A device name that is not one throws (the output is the host's, not ours).
 */
export function devicesOfRoutes(output: string): string[] {
  const devices: string[] = [];
  for (const line of output.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('local ')) continue;
    const m = /(?:^|\s)dev\s+(\S+)/.exec(line);
    if (!m) throw new Error(`no device in the route ${JSON.stringify(line.slice(0, 200))}`);
    const dev = m[1];
    if (!DEVICE_NAME.test(dev)) throw new Error(`not a device name in the route: ${JSON.stringify(dev.slice(0, 40))}`);
    if (dev !== 'lo' && !devices.includes(dev)) devices.push(dev);
  }
  return devices;
}

/** Where the host records the devices raftlab limited, relative to $HOME (module comment). */
export function tbfRecordPath(address: string): string {
  if (!/^\d{1,3}(?:\.\d{1,3}){3}$/.test(address)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return `.cache/raftlab/tbf/${address}`;
}

/** The tc command that limits `device` (one line, as recorded in the fault event). */
export function tbfCommand(device: string, spec: BandwidthSpec): string {
  const p = tbfParams(spec);
  return `tc qdisc replace dev ${quoteArg(device)} root tbf rate ${p.rateKbit}kbit burst ${p.burstBytes} latency ${p.latencyMs}ms`;
}

/** The tc command that removes raftlab's limit from `device` (the kernel puts its default root qdisc back). */
export function tbfRemoveCommand(device: string): string {
  return `tc qdisc del dev ${quoteArg(device)} root`;
}

/**
 * Shell functions the scripts share: `tc` runs as root or through `sudo -n`; `ours D` says
 * whether D is recorded; `note D` records it; `istbf D` whether D's root qdisc is a tbf.
 * `$f` is the record file.
 */
function preamble(address: string): string[] {
  return [
    `f="$HOME/${tbfRecordPath(address)}"`,
    SBIN_PATH,
    // Checked before `tc` names the function below (command -v would find the function).
    'command -v tc >/dev/null 2>&1 || { echo "tc not found on the PATH (iproute2)" >&2; exit 127; }',
    'if [ "$(id -u)" = 0 ]; then tc() { command tc "$@"; }; else tc() { sudo -n tc "$@"; }; fi',
    'ours() { grep -qxF -- "$1" "$f" 2>/dev/null; }',
    'note() { ours "$1" || printf "%s\\n" "$1" >> "$f"; }',
    'istbf() { tc qdisc show dev "$1" root 2>/dev/null | grep -q "^qdisc tbf "; }',
  ];
}

/** The root qdiscs a kernel puts on a device by itself: replacing one of these takes nothing from anyone. */
const KERNEL_DEFAULT_QDISCS = ['noqueue', 'pfifo_fast', 'fq_codel', 'mq', 'fq', 'pfifo', 'sfq', 'cake'];

/**
 * The script (for `sh -c`) that limits each of `devices` on the host at `address`: refuses a
 * device whose root qdisc is neither a kernel default nor raftlab's (exit 3, naming it),
 * replaces the root qdisc with the tbf, records the device. `commands` are the tc lines it
 * runs, for the fault event.
 */
export function tbfApplyScript(address: string, devices: readonly string[], spec: BandwidthSpec): { script: string; commands: string[] } {
  if (devices.length === 0) throw new Error('no device to limit');
  const commands = devices.map((d) => tbfCommand(d, spec));
  const defaults = KERNEL_DEFAULT_QDISCS.map((q) => `"qdisc ${q} "*`).join('|');
  const lines = [
    ...preamble(address),
    'mkdir -p "${f%/*}" || exit 1',
    // Refuse before changing anything, so a refusal leaves every device as it was.
    'for d in ' + devices.map(quoteArg).join(' ') + '; do',
    '  q="$(tc qdisc show dev "$d" root)" || exit 1',
    '  case "$q" in',
    `    ${defaults}) ;;`,
    '    "qdisc tbf "*) ours "$d" || { echo "dev $d has a tbf raftlab did not put there: not replaced ($q)" >&2; exit 3; } ;;',
    '    *) echo "dev $d has a root qdisc raftlab did not put there: not replaced ($q)" >&2; exit 3 ;;',
    '  esac',
    'done',
    ...devices.flatMap((d, i) => [`${commands[i]} || exit 1`, `note ${quoteArg(d)}`]),
  ];
  return { script: `${lines.join('\n')}\n`, commands };
}

/**
 * The script that removes raftlab's limits from `devices` on the host at `address` (a heal,
 * the stop): only a recorded device whose root is still a tbf, then those devices leave the record.
 */
export function tbfRemoveScript(address: string, devices: readonly string[]): { script: string; commands: string[] } {
  if (devices.length === 0) throw new Error('no device to remove a limit from');
  const commands = devices.map(tbfRemoveCommand);
  const lines = [
    ...preamble(address),
    'rc=0',
    ...devices.map((d, i) => `if ours ${quoteArg(d)} && istbf ${quoteArg(d)}; then ${commands[i]} || rc=1; fi`),
    // The record keeps the devices not removed here (another device of the host, still limited).
    `if [ "$rc" = 0 ]; then { grep -vxF ${devices.map((d) => `-e ${quoteArg(d)}`).join(' ')} "$f" > "$f.new"; } 2>/dev/null; if [ -s "$f.new" ]; then mv "$f.new" "$f"; else rm -f "$f" "$f.new"; fi; fi`,
    'exit "$rc"',
  ];
  return { script: `${lines.join('\n')}\n`, commands };
}

/**
 * The cleanup after a lab that died with limits in place, for the host-preparing probe
 * (remoteHost.ts PREPARE_PROBE; `$1` there is the host's address): every device in the
 * record that still has a tbf root loses it; a line on stderr says what was removed or
 * could not be. Never fails the probe: a start is not refused for a cleanup, it is said.
 */
export const CLEANUP_SNIPPET = [
  'tbf_cleanup() {',
  '  f="$HOME/.cache/raftlab/tbf/$1"; test -n "$1" && test -f "$f" && test -s "$f" || return 0',
  `  ${SBIN_PATH}; if [ "$(id -u)" = 0 ]; then T=tc; else T="sudo -n tc"; fi`,
  '  ok=0',
  '  while read -r d; do',
  '    $T qdisc show dev "$d" root 2>/dev/null | grep -q "^qdisc tbf " || continue',
  '    if $T qdisc del dev "$d" root; then echo "removed tbf on $d" >&2; else echo "could not remove tbf on $d" >&2; ok=1; fi',
  '  done < "$f"',
  '  [ "$ok" = 0 ] && rm -f "$f"',
  '  return 0',
  '}',
].join('\n');
