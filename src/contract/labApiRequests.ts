/**
 * The requests of the lab API, one declaration per channel (valibot, docs/contracts.md): a
 * misbehaving or hostile page cannot hand the lab anything else. Every channel has exactly
 * its fields, numbers are integral where they count things, node ids are positive, strings
 * are bounded, and cluster options go through the one cluster options declaration
 * (clusterOptions.ts). The request types of labApi.ts are inferred from these.
 *
 * Imports neither labApi.ts nor labApiValidate.ts (both import this one). Plain TypeScript
 * with no Node imports: main/, the browser-mode server and the renderer all share it.
 */
import * as v from 'valibot';
import { CLUSTER_OPTION_ENTRIES, CLUSTER_OPTION_KEYS, ClusterOptionsSchema, WORKLOAD_OPTION_KEYS, WorkloadOptionsSchema } from './clusterOptions';
import { FaultSpecSchema, PARTITION_ENTRIES, partitionProblem, SAME_NODES } from './faults';
import { fields, filePath, fileName, MAX_LINK_DELAY_MS, nodeId, numberFrom, probability, say, trueOrFalse, wholeNumber } from './labApiFields';
import { DEBUG_REQUEST_SCHEMAS } from './debug';
import { EXPERIMENT_REQUEST_SCHEMAS } from './labApiExperiments';
import { MAX_MESSAGE_ITEMS, MAX_RUN_MS } from './labApiTimeTravel';
import { FIELD, type Decoded } from './schemaKit';
import { LIMITS } from './limits';
import { isPlainObject } from './validateCore';

const empty = fields({});
const nodeRequest = fields({ node: nodeId() });

/** The fields an object must carry, and those of its nested objects. */
interface Required {
  keys: readonly string[];
  nested?: Record<string, Required>;
}
const MIX: Required = { keys: ['get', 'put', 'cas', 'append'] };
const WORKLOAD_FIELDS: Required = { keys: WORKLOAD_OPTION_KEYS, nested: { mix: MIX } };
// Options with a default are always sent; those without one (tickMs, networkDelay) mean "not set" when absent.
const SENT_OPTION_KEYS = CLUSTER_OPTION_KEYS.filter((k) => CLUSTER_OPTION_ENTRIES[k].default !== undefined);
const OPTION_FIELDS: Required = { keys: SENT_OPTION_KEYS, nested: { workload: WORKLOAD_FIELDS } };

/** Names the first field missing at any depth ("workload.mix.put"), if one is. */
function missingField(value: Record<string, unknown>, required: Required): string | undefined {
  for (const key of required.keys) {
    if (value[key] === undefined) return key;
    const inner = required.nested?.[key];
    const field = value[key];
    if (inner && isPlainObject(field)) {
      const deeper = missingField(field, inner);
      if (deeper) return `${key}.${deeper}`;
    }
  }
  return undefined;
}

/**
 * Every field present, at every depth: the start panel always sends them all, so a missing
 * one is a bug or a hostile page (defaults are for files and flags, clusterOptions.ts).
 */
function allOf(required: Required) {
  return v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
    const missing = dataset.typed ? missingField(dataset.value, required) : undefined;
    if (missing) addIssue({ message: `${FIELD}.${missing} is required` });
  });
}
const anObject = v.custom<Record<string, unknown>>(isPlainObject, say(`${FIELD} must be an object`));
const clusterOptions = v.pipe(anObject, allOf(OPTION_FIELDS), ClusterOptionsSchema);
const workload = v.pipe(anObject, allOf(WORKLOAD_FIELDS), WorkloadOptionsSchema);

/** The ids LabState.faults uses (see ActiveFault in labApi.ts). */
const ACTIVE_FAULT_ID = /^(partition|flaky|link:[1-9]\d{0,5}-[1-9]\d{0,5}|clock:[1-9]\d{0,5}|disk:[1-9]\d{0,5}|aimed:[1-9]\d{0,5}>[1-9]\d{0,5})$/;
const activeFaultId = v.pipe(
  v.string(say(`${FIELD} must name a fault in force: 'partition', 'flaky', 'link:A-B', 'clock:N', 'disk:N' or 'aimed:A>B'`)),
  v.regex(ACTIVE_FAULT_ID, say(`${FIELD} must name a fault in force: 'partition', 'flaky', 'link:A-B', 'clock:N', 'disk:N' or 'aimed:A>B'`)),
);

/**
 * Each channel's request, declared once: labApi.ts infers `LabChannels[C]['request']` from
 * these (`LabRequestOf<C>`), and `validateRequest` (labApiValidate.ts) decodes with them.
 */
export const LAB_REQUEST_SCHEMAS = {
  'lab:state': empty,
  'cluster:start': fields({ options: clusterOptions }),
  'cluster:stop': empty,
  /** Slow motion (docs/aimed-faults.md): the running cluster's speed, 0.01 to 1. */
  'cluster:speed': fields({ speed: numberFrom(LIMITS.speed.min, LIMITS.speed.max) }),
  'node:kill': nodeRequest,
  'node:stop': nodeRequest,
  'node:pause': nodeRequest,
  'node:resume': nodeRequest,
  'node:restart': nodeRequest,
  'node:transferLeader': nodeRequest,
  'node:remove': nodeRequest,
  'node:add': empty,
  'fault:partition': v.pipe(
    fields(PARTITION_ENTRIES),
    v.rawCheck(({ dataset, addIssue }) => {
      const problem = dataset.typed ? partitionProblem(dataset.value) : undefined;
      if (problem) addIssue({ message: problem });
    }),
  ),
  'fault:link': v.pipe(
    fields({ from: nodeId(), to: nodeId(), drop: probability, delayMs: wholeNumber(0, MAX_LINK_DELAY_MS), symmetric: trueOrFalse }),
    v.check((l) => l.from !== l.to, say(SAME_NODES)),
  ),
  'fault:apply': fields({ fault: FaultSpecSchema }),
  'fault:heal': empty,
  'fault:remove': fields({ id: activeFaultId }),
  'workload:set': fields({ workload }),
  'run:export': fields({ runDir: v.optional(filePath) }),
  'run:list': empty,
  'run:open': fields({ path: filePath }),
  'run:history': empty,
  'run:file': fields({ runDir: filePath, name: fileName }),
  'run:stateAt': fields({ runDir: v.optional(filePath), atMs: numberFrom(-MAX_RUN_MS, MAX_RUN_MS) }),
  'run:messages': v.pipe(
    fields({ runDir: v.optional(filePath), fromMs: numberFrom(-MAX_RUN_MS, MAX_RUN_MS), toMs: numberFrom(-MAX_RUN_MS, MAX_RUN_MS), maxItems: wholeNumber(1, MAX_MESSAGE_ITEMS) }),
    v.forward(
      v.partialCheck([['fromMs'], ['toMs']], (r) => r.toMs >= r.fromMs, say(`${FIELD} must not be before fromMs`)),
      ['toMs'],
    ),
  ),
  ...EXPERIMENT_REQUEST_SCHEMAS,
  ...DEBUG_REQUEST_SCHEMAS,
};

/** The request a channel's declaration decodes to. */
export type LabRequestOf<C extends keyof typeof LAB_REQUEST_SCHEMAS> = Decoded<(typeof LAB_REQUEST_SCHEMAS)[C]>;

