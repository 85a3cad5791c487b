/**
 * The faults in force as a list a person can read and undo one by one (LabState.faults),
 * derived from the FaultPlan the nodes' rules come from, so the list can never claim a
 * fault the nodes do not have. Link rules are directed in the plan; here each unordered
 * pair is one entry ("degraded" is counted once per pair, everywhere in the app).
 */
import type { NodeId } from '../raft/types';
import type { ActiveFault } from '../contract/labApi';
import { aimedKey, linkKey } from '../contract/faultKeys';
import { FaultPlan, type AimedFault, type BandwidthLimit, type LinkFault } from './faultPlan';
import type { AimedRuleState } from '../contract/aimedRules';

/** When each keyed fault was applied (run ms) and how the lab described the partition. */
export interface FaultHistory {
  since: ReadonlyMap<string, number>;
  partitionDescription: string | null;
  /**
   * Each node's aimed rules as it last reported them (the `faultRules` telemetry event), in
   * the order the lab sent them, to say how often each aimed fault has acted so far.
   */
  aimedStates?: ReadonlyMap<NodeId, readonly AimedRuleState[]>;
}

/** One link rule in words ("drop 20%, +50 ms, ±30 ms jitter, duplicate 10%"): the event log,
 * the timeline caption and the Faults panel all describe a rule with this. */
export function linkRuleText(f: Pick<LinkFault, 'drop' | 'delayMs' | 'jitterMs' | 'duplicate'>): string {
  const parts: string[] = [];
  if (f.drop > 0) parts.push(`drop ${Math.round(f.drop * 100)}%`);
  if (f.delayMs > 0) parts.push(`+${f.delayMs} ms`);
  if (f.jitterMs > 0) parts.push(`±${f.jitterMs} ms jitter`);
  if (f.duplicate > 0) parts.push(`duplicate ${Math.round(f.duplicate * 100)}%`);
  return parts.length > 0 ? parts.join(', ') : 'no loss, no delay';
}

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/**
 * An aimed fault in words ("1 → 2 at the sender: drop the 3rd append, term 2..4"): the event
 * log, the active-faults list and the Faults panel all describe one with this.
 */
export function aimedFaultText(f: AimedFault): string {
  const m = f.match;
  const kinds = m.types ? m.types.join('/') : 'message';
  const what = m.hasEntries === undefined ? kinds : `${kinds} ${m.hasEntries ? 'with' : 'without'} entries`;
  const o = f.occurrence;
  const which = !o ? `every ${what}` : o.kind === 'nth' ? `the ${ordinal(o.n)} ${what}` : o.kind === 'every' ? `every ${ordinal(o.k)} ${what}` : o.k === 1 ? `the first ${what}` : `the first ${o.k} ${what}`;
  const range = (name: string, lo?: number, hi?: number) => (lo === undefined && hi === undefined ? [] : [`${name} ${lo ?? 0}..${hi ?? '∞'}`]);
  const ranges = [...range('term', m.termMin, m.termMax), ...range('index', m.indexMin, m.indexMax)];
  const act = f.action.kind === 'delay' ? `delay ${which} by ${f.action.ms} ms` : `${f.action.kind} ${which}`;
  return `${f.from} → ${f.to} at the ${f.side}: ${act}${ranges.length > 0 ? `, ${ranges.join(', ')}` : ''}`;
}

/** A bandwidth limit in words ("h2 (nodes 2, 5) sends at most 256 kbit/s: tc tbf on eth0, burst 1600 B, latency 200 ms"). */
export function bandwidthText(b: BandwidthLimit): string {
  const nodes = `${b.nodes.length === 1 ? 'node' : 'nodes'} ${b.nodes.join(', ')}`;
  return `${b.host} (${nodes}) sends at most ${b.rateKbit} kbit/s: tc tbf on ${b.devices.join(', ')}, burst ${b.burstBytes} B, latency ${b.latencyMs} ms`;
}

const sameRule = (a: LinkFault, b: LinkFault) => a.drop === b.drop && a.delayMs === b.delayMs && a.jitterMs === b.jitterMs && a.duplicate === b.duplicate;

export function activeFaults(plan: FaultPlan, nodes: readonly NodeId[], history: FaultHistory): ActiveFault[] {
  const out: ActiveFault[] = [];
  const since = (id: string) => history.since.get(id) ?? null;
  if (plan.blocked.length > 0) {
    const cut = [...new Set(plan.blocked.flat())].sort((a, b) => a - b);
    out.push({ id: 'partition', kind: 'partition', description: history.partitionDescription ?? `partition cutting ${plan.blocked.length / 2} links`, since: since('partition'), nodes: cut });
  }
  const links = plan.linkFaults();
  const pairs = nodes.length * (nodes.length - 1);
  // "Flaky network": the same rule on every directed link of the cluster is one fault.
  if (history.since.has('flaky') && pairs > 0 && links.length === pairs && links.every((l) => sameRule(l, links[0]))) {
    out.push({ id: 'flaky', kind: 'flaky', description: `every link: ${linkRuleText(links[0])}`, since: since('flaky'), nodes: [...nodes] });
  } else {
    const byPair = new Map<string, LinkFault[]>();
    for (const l of links) {
      const key = linkKey(l.from, l.to);
      byPair.set(key, [...(byPair.get(key) ?? []), l]);
    }
    for (const [id, rules] of [...byPair].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
      const [a, b] = id.slice('link:'.length).split('-').map(Number);
      const both = rules.length === 2;
      const description = both && sameRule(rules[0], rules[1])
        ? `link ${a} ↔ ${b}: ${linkRuleText(rules[0])}`
        : rules.map((r) => `link ${r.from} → ${r.to}: ${linkRuleText(r)}`).join('; ');
      out.push({ id, kind: 'link', description, since: since(id) ?? since('flaky'), nodes: [a, b] });
    }
  }
  for (const [node, rate] of [...plan.timerRates].sort(([a], [b]) => a - b)) {
    if (rate === 1) continue;
    out.push({ id: `clock:${node}`, kind: 'clock', description: `node ${node}'s clock runs at ${rate}× speed`, since: since(`clock:${node}`), nodes: [node] });
  }
  const aimedByLink = new Map<string, AimedFault[]>();
  for (const f of plan.aimed) aimedByLink.set(aimedKey(f.from, f.to), [...(aimedByLink.get(aimedKey(f.from, f.to)) ?? []), f]);
  const hits = aimedHits(plan, history.aimedStates);
  const withHits = (f: AimedFault) => {
    const n = hits.get(f);
    return n === undefined ? aimedFaultText(f) : `${aimedFaultText(f)} (acted ${n}×)`;
  };
  for (const [id, list] of aimedByLink) {
    out.push({ id, kind: 'aimed', description: `aimed ${list.map(withHits).join('; ')}`, since: since(id), nodes: [list[0].from, list[0].to] });
  }
  for (const [node, ms] of [...plan.fsyncDelays].sort(([a], [b]) => a - b)) {
    if (ms === 0) continue;
    out.push({ id: `disk:${node}`, kind: 'disk', description: `node ${node}'s fsync takes ${ms} ms longer`, since: since(`disk:${node}`), nodes: [node] });
  }
  for (const [node, b] of [...plan.bandwidth].sort(([a], [c]) => a - c)) {
    out.push({ id: `bandwidth:${node}`, kind: 'bandwidth', description: bandwidthText(b), since: since(`bandwidth:${node}`), nodes: [...b.nodes] });
  }
  return out;
}

/**
 * How many messages each aimed fault acted on, from its node's last report. A node holds its
 * rules in the plan's order (FaultPlan.aimedRulesFor), so the kth report is the kth fault;
 * a report of another length is from before the last change and is not used.
 */
function aimedHits(plan: FaultPlan, states: FaultHistory['aimedStates']): Map<AimedFault, number> {
  const out = new Map<AimedFault, number>();
  if (!states) return out;
  const byHolder = new Map<NodeId, AimedFault[]>();
  for (const f of plan.aimed) byHolder.set(FaultPlan.aimedHolder(f), [...(byHolder.get(FaultPlan.aimedHolder(f)) ?? []), f]);
  for (const [node, faults] of byHolder) {
    const reported = states.get(node);
    if (!reported || reported.length !== faults.length) continue;
    faults.forEach((f, i) => out.set(f, reported[i].hits));
  }
  return out;
}
