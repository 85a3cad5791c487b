import { describe, expect, it } from 'vitest';
import { withGaps } from '../../../renderer/src/charts/options/common';

describe('withGaps (down nodes break their lines instead of running on flat)', () => {
  const term: Array<[number, number]> = [[0, 1], [100, 1], [500, 2], [900, 3]];

  it('drops the points inside a gap, puts a null at its start and the last value back at its end (step series)', () => {
    expect(withGaps(term, [[200, 700]], true)).toEqual([[0, 1], [100, 1], [200, null], [700, 2], [900, 3]]);
  });

  it('a gap still open at the end leaves the line broken to the right edge', () => {
    expect(withGaps(term, [[600, Infinity]], true)).toEqual([[0, 1], [100, 1], [500, 2], [600, null]]);
  });

  it('a gap with no point inside it still breaks the line; sampled series do not repeat a value', () => {
    expect(withGaps([[0, 5], [1000, 9]], [[300, 400]], false)).toEqual([[0, 5], [300, null], [1000, 9]]);
  });

  it('leaves a series without gaps as it is', () => {
    expect(withGaps(term, [], true)).toEqual(term);
  });
});

describe('withGaps with overlapping stretches', () => {
  it('merges a down stretch inside a removal into one gap', () => {
    expect(withGaps([[0, 1], [500, 1], [900, 1]], [[400, Infinity], [600, 800]], true)).toEqual([[0, 1], [400, null]]);
  });
});
