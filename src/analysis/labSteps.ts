/**
 * What the lab did to a run besides its faults, as periods and instants on the run's time
 * axis: the debugger's actions (issue 11, docs/debugger.md: `debug` run events) and slow
 * motion (docs/aimed-faults.md: `speed` run events). The report (src/lab/export/report) and
 * trace.json (src/lab/export/traceJson.ts) draw them from here, so both say the same.
 *
 * A frozen period runs from a `freeze` action to the next `resume` (or the end of the run); a
 * slow-motion period from a speed change below 1x to the next change. Every other debugger
 * action (release, advance, time out now, breakpoints, break) is an instant.
 */
import type { RunEvent } from '../contract/runEvents';

export interface LabPeriod {
  start: number;
  /** null: still in force when the events end. */
  end: number | null;
  description: string;
  /** A slow-motion period's speed. */
  speed?: number;
}

export interface LabInstant {
  t: number;
  description: string;
}

export interface LabSteps {
  frozen: LabPeriod[];
  slowMotion: LabPeriod[];
  /** Debugger actions other than freeze and resume, in time order. */
  actions: LabInstant[];
  /** Every debugger action, freeze and resume included. */
  actionCount: number;
}

/** `0.1x`, `0.01x`. */
export function speedText(speed: number): string {
  return `${Number(speed.toPrecision(3))}x`;
}

/** The run's debugger actions and slow-motion periods; `events` in time order. */
export function labSteps(events: readonly RunEvent[]): LabSteps {
  const steps: LabSteps = { frozen: [], slowMotion: [], actions: [], actionCount: 0 };
  let frozen: LabPeriod | null = null;
  let slow: LabPeriod | null = null;
  for (const ev of events) {
    if (ev.type === 'debug') {
      steps.actionCount++;
      if (ev.action === 'freeze') {
        if (!frozen) steps.frozen.push((frozen = { start: ev.t, end: null, description: `cluster frozen (debugger): ${ev.description}` }));
      } else if (ev.action === 'resume') {
        if (frozen) frozen.end = ev.t;
        frozen = null;
      } else {
        steps.actions.push({ t: ev.t, description: `debugger: ${ev.description}` });
      }
    } else if (ev.type === 'speed') {
      if (slow) slow.end = ev.t;
      slow = null;
      if (ev.speed < 1) steps.slowMotion.push((slow = { start: ev.t, end: null, speed: ev.speed, description: `slow motion at ${speedText(ev.speed)}: lab time runs ${Math.round(1 / ev.speed)}x slower than these real-time axes` }));
    }
  }
  return steps;
}
