import { describe, expect, it } from 'vitest';
import { roleTimelineData, roleTimelineOption } from '../../../renderer/src/charts/options/roleTimeline';
import { electionCountText, electionOption } from '../../../renderer/src/charts/options/elections';
import { linkRuleText, trafficOption } from '../../../renderer/src/charts/options/traffic';
import { termOption } from '../../../renderer/src/charts/options/term';
import { escapeHtml, extendTo, toSeconds } from '../../../renderer/src/charts/options/common';
import { nodeColor, palette } from '../../../renderer/src/charts/options/palette';

const p = palette('light');

describe('chart options', () => {
  it('role timeline rows carry lane, seconds, state and term; open segments end now', () => {
    const lanes = [
      { node: 1, segments: [{ state: 'leader' as const, term: 2, start: 1000, end: null }] },
      { node: 3, segments: [{ state: 'down' as const, term: 1, start: 0, end: 500 }] },
    ];
    // State indices follow LANE_STATES: follower, learner, preCandidate, candidate, leader, paused, down.
    expect(roleTimelineData(lanes, 2500)).toEqual([[0, 1, 2.5, 4, 2], [1, 0, 0.5, 6, 1]]);
    const option = roleTimelineOption({ lanes, faults: [{ start: 0, end: null, kind: 'partition', key: 'partition', description: 'x', instant: false }], now: 2500, palette: p });
    expect(option.animation).toBe(false);
    expect((option.yAxis as { data: string[] }).data).toEqual(['Node 1', 'Node 3']);
    expect((option.series as Array<{ id: string }>).map((s) => s.id)).toEqual(['faults', 'roles']);
  });

  it('role timeline: a remote node carries its clock bound in its label and tooltip (issue 13), a local one none', () => {
    const lanes = [
      { node: 1, segments: [{ state: 'leader' as const, term: 2, start: 1000, end: null }], clock: { boundMs: 0.894, host: 'h<1>' } },
      { node: 2, segments: [{ state: 'follower' as const, term: 2, start: 0, end: null }] },
    ];
    const option = roleTimelineOption({ lanes, faults: [], now: 2500, palette: p });
    expect((option.yAxis as { data: string[] }).data).toEqual(['Node 1 ±0.9', 'Node 2']);
    const roles = (option.series as Array<{ id: string; tooltip?: { formatter: (i: unknown) => string } }>).find((s) => s.id === 'roles')!;
    expect(roles.tooltip!.formatter({ value: [0, 1, 2.5, 4, 2] })).toContain('times ± 0.89 ms: this node\'s clock (h&lt;1&gt;) is re-based');
    expect(roles.tooltip!.formatter({ value: [1, 0, 2.5, 0, 2] })).not.toContain('±');
  });

  it('election chart says how many elections there were', () => {
    expect(electionCountText(0)).toBe('0 elections');
    expect(electionCountText(1)).toBe('1 election');
    const option = electionOption({ samples: [150, 210, 400], total: 7, palette: p });
    expect((option.title as { text: string }).text).toBe('7 elections');
    const [hist, cdf] = option.series as Array<{ data: unknown[] }>;
    expect((hist.data as number[]).reduce((a, b) => a + b, 0)).toBe(3);
    expect(cdf.data[0]).toEqual([150, 0]);
    expect(cdf.data.at(-1)).toEqual([400, 1]);
  });

  it('term lines have no symbols and reach the current time', () => {
    const option = termOption({ nodes: [{ node: 2, points: [[0, 1], [1500, 2]] }], faults: [], now: 4000, palette: p });
    const line = (option.series as Array<{ id: string; showSymbol?: boolean; data?: unknown[] }>).find((s) => s.id === 'term-2')!;
    expect(line.showSymbol).toBe(false);
    expect(line.data).toEqual([[0, 1], [1.5, 2], [4, 2]]);
    // Offsets lift term-0 lines below 0; the axis then reaches -1, which is no term.
    const tick = (option.yAxis as { axisLabel: { formatter: (v: number) => string } }).axisLabel.formatter;
    expect([-1, 0, 1, 3].map(tick)).toEqual(['', '0', '1', '3']);
  });

  it('traffic matrix marks blocked and degraded links', () => {
    const option = trafficOption({
      nodes: [1, 2, 3],
      rates: [[0, 10, 20], [5, 0, 0], [0, 0, 0]],
      blocked: [[2, 3], [3, 2]],
      links: [{ from: 1, to: 3, drop: 0.25, delayMs: 40 }],
      palette: p,
    });
    const [heat, marks] = option.series as Array<{ data: unknown[] }>;
    expect(heat.data).toContainEqual({ value: [2, 0, 20], label: { show: false } }); // [to index, from index, rate], marked
    expect(heat.data).toContainEqual({ value: [1, 0, 10] });
    expect(heat.data).toHaveLength(6); // no diagonal
    expect(marks.data).toEqual([[2, 1, 'blocked', 1], [1, 2, 'blocked', 1], [2, 0, 'drop 25% +40 ms', 0]]);
    expect(linkRuleText({ drop: 0, delayMs: 0 })).toBe('');
  });

  it('helpers', () => {
    expect(escapeHtml('<b>"x" & \'y\'</b>')).toBe('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
    expect(toSeconds([[1500, 3]])).toEqual([[1.5, 3]]);
    expect(extendTo([[1, 3]], 1)).toEqual([[1, 3]]);
    expect(nodeColor(p, 1)).toBe(nodeColor(p, 11));
    expect(palette('dark').roles.leader).not.toBe(p.roles.leader);
  });
});
