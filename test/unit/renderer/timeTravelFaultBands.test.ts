/** Lasting faults as bands on the space-time diagram's lanes (issue 10 part 3). */
import { describe, expect, it } from 'vitest';
import { bandsInWindow, faultBands, witnessBars } from '../../../renderer/src/components/timeTravel/faultBands';
import type { HistoryOp } from '../../../src/contract/runEvents';
import type { FaultPeriod } from '../../../renderer/src/model/runModel';
import type { Segment } from '../../../renderer/src/model/roleTimeline';

const period = (key: string | null, start: number, end: number | null, kind = 'link', instant = false): FaultPeriod => ({ start, end, kind, key, description: `${kind} ${key}`, instant });

describe('faultBands', () => {
  it('maps each lasting fault key to the lanes it touches; instants make no band', () => {
    const bands = faultBands(
      [period('partition', 100, 900, 'partition'), period('link:1-3', 200, null), period('disk:2', 300, 400, 'disk'), period(null, 50, 50, 'kill', true)],
      new Map(),
    );
    expect(bands.map((b) => [b.kind, b.nodes, b.start, b.end])).toEqual([
      ['partition', null, 100, 900],
      ['link', [1, 3], 200, null],
      ['disk', [2], 300, 400],
    ]);
  });
  it('paused and down spans of the role timeline become bands on that node only', () => {
    const lanes = new Map<number, Segment[]>([
      [1, [{ state: 'leader', term: 1, start: 0, end: 500 }, { state: 'down', term: 1, start: 500, end: 1500 }, { state: 'follower', term: 2, start: 1500, end: null }]],
      [2, [{ state: 'paused', term: 1, start: 700, end: null }]],
    ]);
    const bands = faultBands([], lanes);
    expect(bands.map((b) => [b.kind, b.nodes, b.start, b.end, b.label])).toEqual([
      ['down', [1], 500, 1500, 'node 1 down'],
      ['paused', [2], 700, null, 'node 2 paused'],
    ]);
  });
  it('keeps the bands that overlap a window, open ones included', () => {
    const bands = faultBands([period('link:1-2', 100, 200), period('link:2-3', 300, null)], new Map());
    expect(bandsInWindow(bands, 250, 260)).toHaveLength(0);
    expect(bandsInWindow(bands, 150, 160).map((b) => b.nodes)).toEqual([[1, 2]]);
    expect(bandsInWindow(bands, 5000, 6000).map((b) => b.nodes)).toEqual([[2, 3]]);
  });
});

describe('witnessBars', () => {
  it('draws the linearized tail, then the operation that cannot be ordered, named', () => {
    const op = (o: Partial<HistoryOp>): HistoryOp => ({ client: 1, op: 'put', key: 'k', value: 'a', output: null, call: 0, return: 1, status: 'ok', ...o });
    const bars = witnessBars({ key: 'k', valueBefore: 'a', linearizedTail: [op({ call: 100, return: 150 })], op: op({ client: 2, op: 'get', value: null, output: 'b', call: 200, return: 260 }) });
    expect(bars).toEqual([
      { call: 100, return: 150, unplaceable: false, label: 'client 1 put k a' },
      { call: 200, return: 260, unplaceable: true, label: 'client 2 get k → b (cannot be ordered)' },
    ]);
    expect(witnessBars(undefined)).toEqual([]);
  });
});
