/**
 * One palette and one legend wording for everything that draws a run: the app's charts
 * and cards (renderer/src/charts/options/palette.ts reads these) and report.html
 * (src/lab/export/report). A role, a node or a fault mark has the same colour and the same
 * words in both, so a screenshot of the app and the report of the same run read alike.
 * Roles are always spelled out in words too: colour is never the only signal.
 */
import type { NodeId } from '../raft/types';

export type ColorScheme = 'light' | 'dark';

/**
 * What a swimlane shows: the Raft role (a pre-candidate apart, and a learner apart from a
 * voting follower, thesis §4.2.1), or why the node has none.
 */
export type LaneState = 'follower' | 'learner' | 'preCandidate' | 'candidate' | 'leader' | 'paused' | 'down';

/** In legend order. */
export const LANE_STATES: readonly LaneState[] = ['follower', 'learner', 'preCandidate', 'candidate', 'leader', 'paused', 'down'];

/** The words for each lane state, in the app's legend, its cards, the report and trace.json. */
export const LANE_LABELS: Readonly<Record<LaneState, string>> = {
  follower: 'follower',
  learner: 'learner (non-voting, catching up)',
  preCandidate: 'pre-candidate (PreVote)',
  candidate: 'candidate',
  leader: 'leader',
  paused: 'paused',
  down: 'down',
};

/** The legend's words for the marks drawn over the lanes and time charts. */
export const MARK_LABELS = {
  /** Shaded band: a fault that lasts until healed. */
  lastingFault: 'fault in force (partition, link, clock or disk fault)',
  /** Thin vertical line: a process fault injected at one instant. */
  instantFault: 'process fault injected (kill, stop, pause, restart)',
  violation: 'safety violation',
} as const;

/** The one caption of the roles-over-time chart (app and report). */
export const ROLE_TIMELINE_CAPTION =
  'One lane per node, coloured by what the node was doing: its Raft role while its process runs ' +
  '(a pre-candidate is a PreVote candidate that has not raised its term; a learner is a new member that ' +
  'receives the log but does not vote until it has caught up), paused or down otherwise. ' +
  `Shaded bands: ${MARK_LABELS.lastingFault}. Thin vertical lines: ${MARK_LABELS.instantFault}.`;

const ROLE_COLOURS: Readonly<Record<ColorScheme, Readonly<Record<LaneState, string>>>> = {
  light: { follower: '#3b6fd8', learner: '#0e7490', preCandidate: '#b45309', candidate: '#d69e00', leader: '#1f8f4e', paused: '#8b5cf6', down: '#9aa0a8' },
  dark: { follower: '#5b8def', learner: '#22d3ee', preCandidate: '#fb923c', candidate: '#f0b429', leader: '#3cc47c', paused: '#a78bfa', down: '#5c6370' },
};

const NODE_COLOURS: Readonly<Record<ColorScheme, readonly string[]>> = {
  light: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'],
  dark: ['#6baed6', '#ff6b6b', '#74c476', '#b39ddb', '#fdae6b', '#4dd0e1', '#c49c94', '#f7a8d8', '#bdbdbd', '#dbdb8d'],
};

export interface MarkColours {
  /** Fill of a lasting fault's band. */
  fault: string;
  /** Line of an instant (process) fault. */
  faultInstant: string;
  violation: string;
}

const MARK_COLOURS: Readonly<Record<ColorScheme, MarkColours>> = {
  // Instant-fault lines are near black (near white when dark): unlike every node colour,
  // so a kill mark is never mistaken for node 2's red series.
  light: { fault: 'rgba(220, 38, 38, 0.12)', faultInstant: '#111827', violation: '#b91c1c' },
  dark: { fault: 'rgba(255, 99, 99, 0.16)', faultInstant: '#f3f4f6', violation: '#f87171' },
};

export function roleColours(scheme: ColorScheme): Readonly<Record<LaneState, string>> {
  return ROLE_COLOURS[scheme];
}

export function nodeColours(scheme: ColorScheme): readonly string[] {
  return NODE_COLOURS[scheme];
}

export function markColours(scheme: ColorScheme): MarkColours {
  return MARK_COLOURS[scheme];
}

/** A stable colour per node id, so node 3 has the same colour in every chart and in the report. */
export function nodeColour(scheme: ColorScheme, node: NodeId): string {
  const c = NODE_COLOURS[scheme];
  return c[(((node - 1) % c.length) + c.length) % c.length];
}

/** The core's peer message types (src/raft/types.ts Message['type']), in legend order. */
export type MessageKind = 'vote' | 'voteResp' | 'append' | 'appendResp' | 'heartbeat' | 'heartbeatResp' | 'snapshot' | 'timeoutNow';

/** The words for each message type in the space-time diagram's legend and lists (issue 10 part 3). */
export const MESSAGE_LABELS: Readonly<Record<MessageKind, string>> = {
  vote: 'RequestVote',
  voteResp: 'RequestVote reply',
  append: 'AppendEntries',
  appendResp: 'AppendEntries reply',
  heartbeat: 'heartbeat',
  heartbeatResp: 'heartbeat reply',
  snapshot: 'InstallSnapshot',
  timeoutNow: 'TimeoutNow',
};

// A request and its reply share a hue, the reply lighter (darker when dark); votes take the
// candidate's amber, appends the leader's green, heartbeats a grey that recedes.
const MESSAGE_COLOURS: Readonly<Record<ColorScheme, Readonly<Record<MessageKind, string>>>> = {
  light: { vote: '#b7791f', voteResp: '#d69e2e', append: '#1f8f4e', appendResp: '#48bb78', heartbeat: '#6b7280', heartbeatResp: '#9ca3af', snapshot: '#7c3aed', timeoutNow: '#c026d3' },
  dark: { vote: '#f6ad55', voteResp: '#fbd38d', append: '#3cc47c', appendResp: '#9ae6b4', heartbeat: '#9ca3af', heartbeatResp: '#6b7280', snapshot: '#a78bfa', timeoutNow: '#e879f9' },
};

export function messageColours(scheme: ColorScheme): Readonly<Record<MessageKind, string>> {
  return MESSAGE_COLOURS[scheme];
}

/** Colours for log entries by term, cycled (RaftScope colours entries by term too). */
const TERM_COLOURS: readonly string[] = ['#60a5fa', '#f87171', '#34d399', '#fbbf24', '#a78bfa', '#f472b6', '#22d3ee', '#fb923c'];

export function termColour(term: number): string {
  return TERM_COLOURS[((term % TERM_COLOURS.length) + TERM_COLOURS.length) % TERM_COLOURS.length];
}
