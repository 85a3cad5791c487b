import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../renderer/src/model/eventLog';
import { asShownEvents } from '../../../renderer/src/model/events';
import { metrics, proc, role } from './events';

function logOf(...events: Parameters<typeof asShownEvents>[0]): EventLog {
  const log = new EventLog();
  for (const e of asShownEvents(events)) log.append(e);
  return log;
}

describe('event log search (its own placeholder examples must find rows)', () => {
  const log = logOf(role(100, 3, 'candidate', 2), role(120, 30, 'follower', 2, 3), proc(50, 1, 'started'), metrics(130, 3, { term: 2 }), role(140, 1, 'follower', 1, null));

  it('"node 3" finds node 3 rows and not node 30 ones', () => {
    const rows = log.query({ text: 'node 3', limit: 50 });
    expect(rows.length).toBeGreaterThan(0);
    // Node 30's row names node 3 as its leader, so it matches too; no other node 30 row does.
    expect(rows.every((r) => r.event.node === 3 || (r.event.type === 'role' && r.event.leader === 3))).toBe(true);
    expect(log.query({ text: 'node 30', limit: 50 }).map((r) => r.event.node)).toEqual([30]);
  });

  it('"term 2" finds rows in term 2, and only those', () => {
    const rows = log.query({ text: 'term 2', limit: 50 });
    expect(rows.map((r) => r.event.node).sort()).toEqual([3, 3, 30]);
  });

  it('rows come newest first by event time, even when they arrived out of order', () => {
    const late = logOf(role(500, 1, 'leader', 3), proc(400, 2, 'killed'), role(450, 3, 'follower', 3, 1));
    expect(late.query({ limit: 10 }).map((r) => r.event.t)).toEqual([500, 450, 400]);
  });
});
