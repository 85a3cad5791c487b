/**
 * Runtime checks for what crosses the lab API boundary (Electron IPC, the browser-mode
 * WebSocket). The requests are declared once in labApiRequests.ts (the types of labApi.ts
 * are inferred from them); this module decodes with them and checks pushes.
 *
 * Errors are sentences naming the field, so the renderer can show them as they are.
 * Plain TypeScript with no Node imports: main/, the browser-mode server and the renderer
 * all share it.
 */
import * as v from 'valibot';
import { LAB_CHANNELS, LAB_PUSH_CHANNELS } from './labApi';
import type { LabChannel, LabPush, LabPushChannel, LabRequest } from './labApi';
import { fields, nodeId, plain, say } from './labApiFields';
import { LAB_REQUEST_SCHEMAS } from './labApiRequests';
import { fillSentence, FIELD, KEY, PARENT } from './schemaKit';

// Names the renderer's forms already import (declared in labApiFields.ts).
export { CLOCK_RATE_RANGE, MAX_FILE_NAME_LENGTH, MAX_FSYNC_DELAY_MS, MAX_LINK_DELAY_MS, MAX_NODE_ID, MAX_PARTITION_GROUPS, MAX_PARTITION_NODES, MAX_PATH_LENGTH } from './labApiFields';

/** A request that passed validation, typed by its channel. */
export type ValidatedRequest = { [C in LabChannel]: { ok: true; channel: C; request: LabRequest<C> } }[LabChannel];
export type RequestValidation = ValidatedRequest | { ok: false; error: string };

/** A push that passed validation, typed by its channel. */
export type ValidatedPush = { [P in LabPushChannel]: { ok: true; channel: P; payload: LabPush[P] } }[LabPushChannel];
export type PushValidation = ValidatedPush | { ok: false; error: string };

/** Quotes user-provided text in an error message without letting it grow the message unboundedly. */
function bounded(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

// Every channel has a declaration, and the time-travel channels' hand-written request types
// (labApiTimeTravel.ts, kept as issue 10 wrote them) agree with theirs; the others are inferred.
LAB_REQUEST_SCHEMAS satisfies { [C in LabChannel]: v.GenericSchema<unknown, LabRequest<C>> };

/** True when `channel` names a request channel of the lab API. */
export function isLabChannel(channel: unknown): channel is LabChannel {
  return typeof channel === 'string' && (LAB_CHANNELS as readonly string[]).includes(channel);
}

/** True when `channel` names a push channel of the lab API. */
export function isLabPushChannel(channel: unknown): channel is LabPushChannel {
  return typeof channel === 'string' && (LAB_PUSH_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Checks a request arriving from the renderer: the channel must be one of LAB_CHANNELS and
 * the payload exactly that channel's shape. Never throws.
 */
export function validateRequest(channel: string, payload: unknown): RequestValidation {
  if (!isLabChannel(channel)) {
    return { ok: false, error: `unknown channel "${typeof channel === 'string' ? bounded(channel) : String(channel)}"` };
  }
  try {
    const r = v.safeParse(LAB_REQUEST_SCHEMAS[channel] as v.GenericSchema, payload, { abortEarly: true });
    if (r.success) return { ok: true, channel, request: r.output } as ValidatedRequest;
    return { ok: false, error: requestError(r.issues[0], `${channel} request`) };
  } catch (err) {
    return { ok: false, error: `${channel} request could not be checked: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The first issue in words. Sentences written for the lab API name their field (FIELD); those
 * of declarations shared with the node's sockets (schemaKit blocks, e.g. a breakpoint's message
 * match) do not, so their field is put in front.
 */
function requestError(issue: v.BaseIssue<unknown>, root: string): string {
  if (issue.message.includes(FIELD) || issue.message.includes(PARENT) || issue.message.includes(KEY) || !issue.path?.length) return fillSentence(issue, root);
  const field = fillSentence({ ...issue, message: FIELD }, root);
  return `${field}: ${issue.message}`;
}

const PHASES = ['idle', 'starting', 'running', 'stopping', 'viewing'] as const;

/**
 * Pushes, checked structurally, not exhaustively: the lab produces them, so this guards
 * against a wrong or truncated message (a server of another version, a bug) rather than
 * re-validating every field of every event, which at thousands of events a second would
 * cost more than it protects.
 */
const PUSHES = {
  'lab:events': fields({
    events: v.array(
      plain(v.looseObject({ type: v.string(), t: v.pipe(v.number(), v.finite()) }, say(`${FIELD} must be an event with a type and a time t`))),
      say(`${FIELD} must be a list`),
    ),
  }),
  'lab:state': plain(
    v.looseObject({
      phase: v.picklist(PHASES, say(`${FIELD} must be one of ${PHASES.join(', ')}`)),
      nodes: v.array(plain(v.looseObject({ id: nodeId() })), say(`${FIELD} must be a list`)),
      blocked: v.array(v.unknown(), say(`${FIELD} must be a list`)),
      links: v.array(v.unknown(), say(`${FIELD} must be a list`)),
    }),
  ),
};

/** Checks a push before the renderer acts on it. Never throws. */
export function validatePush(channel: string, payload: unknown): PushValidation {
  if (!isLabPushChannel(channel)) {
    return { ok: false, error: `unknown push channel "${typeof channel === 'string' ? bounded(channel) : String(channel)}"` };
  }
  const r = v.safeParse(PUSHES[channel] as v.GenericSchema, payload, { abortEarly: true });
  if (!r.success) return { ok: false, error: fillSentence(r.issues[0], `${channel} push`) };
  // The payload itself (not the parsed copy): loose objects would keep every field anyway,
  // and the renderer keeps the object it was handed.
  return { ok: true, channel, payload } as ValidatedPush;
}
