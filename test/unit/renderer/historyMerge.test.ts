import { describe, expect, it } from 'vitest';
import { eventsNotRecorded } from '../../../renderer/src/stores/historyMerge';
import { proc, role, run } from './events';

describe('eventsNotRecorded (joining run:history with live pushes)', () => {
  const history = [run(0), proc(5, 1, 'started'), role(1700, 1, 'leader', 1), role(1800, 2, 'follower', 1, 1)];

  it('drops live events the history already has, keeps the rest in their order', () => {
    // Copies arrive through JSON, not as the same objects.
    const copy = JSON.parse(JSON.stringify(history[3])) as (typeof history)[number];
    const later = role(1900, 3, 'follower', 1, 1);
    expect(eventsNotRecorded([copy, later], history)).toEqual([later]);
  });

  it('is a multiset difference: two equal live events and one recorded copy leave one', () => {
    const e = role(2000, 4, 'candidate', 2);
    expect(eventsNotRecorded([e, e], [...history, e])).toEqual([e]);
  });

  it('keeps everything when the history is empty, and nothing comes from nothing', () => {
    expect(eventsNotRecorded(history, [])).toEqual(history);
    expect(eventsNotRecorded([], history)).toEqual([]);
  });
});
