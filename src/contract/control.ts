/**
 * Commands the lab sends to a node over its control socket, each acknowledged by a reply
 * with the same id once it has taken effect. Declared once (docs/contracts.md): each
 * schema gives the type (inferred), the validator and, through valibot, a JSON Schema.
 */
import { AimedRulesSchema } from './aimedRules';
import { DEBUG_COMMAND_CASES, NodeDebugStateSchema } from './debug';
import { LIMITS } from './limits';
import * as v from 'valibot';
import { arrayOf, bool, checker, clusterConfig, decoder, literal, nodeId, nonNegative, numberIn, object, probability, role, str, tagged, uint, variantCase, type Decoded } from './schemaKit';

const delayMs = numberIn(LIMITS.linkDelayMs.min, LIMITS.linkDelayMs.max);
const address = str(LIMITS.addressLength, 1);
/** A CURVE public key in Z85: 40 characters (the node checks the alphabet when it uses it). */
const curveKey = str(40, 40);

/**
 * A fault rule for the link between this node and `peer`, in one direction. Rules on
 * `out` apply to messages this node sends to `peer`; rules on `in` to messages it receives
 * from `peer`. A partition blocks both directions on both sides; asymmetric faults set one.
 */
export const LinkRuleSchema = object({
  peer: nodeId,
  direction: literal('in', 'out'),
  /** Drop everything: a partition. */
  block: v.optional(bool),
  /** Probability in [0, 1] of dropping each message. */
  drop: v.optional(probability),
  /** Fixed delay in ms added to each message. */
  delayMs: v.optional(delayMs),
  /** Uniform extra delay in [0, jitterMs) ms. */
  jitterMs: v.optional(delayMs),
  /** Probability in [0, 1] of delivering a message twice. */
  duplicate: v.optional(probability),
});
export type LinkRule = Decoded<typeof LinkRuleSchema>;

export const LinkRulesSchema = arrayOf(LinkRuleSchema, LIMITS.linkRules);

export const ControlCommandSchema = tagged('cmd', [
  variantCase({ cmd: v.literal('ping') }),
  variantCase({ cmd: v.literal('status') }),
  /** Replace every link rule of this node with `rules` (empty: heal). */
  variantCase({ cmd: v.literal('setLinkRules'), rules: LinkRulesSchema }),
  /** Make this node's clock run `factor` times as fast (ticks fire factor× as often). */
  variantCase({ cmd: v.literal('setTimerRate'), factor: numberIn(LIMITS.timerRate.min, LIMITS.timerRate.max) }),
  /** Add `ms` to every durable write, to model a slow disk. */
  variantCase({ cmd: v.literal('setFsyncDelay'), ms: numberIn(LIMITS.fsyncDelayMs.min, LIMITS.fsyncDelayMs.max) }),
  /** Replace every aimed rule of this node (src/contract/aimedRules.ts; empty: clear), restarting their counts. */
  variantCase({ cmd: v.literal('setAimedRules'), rules: AimedRulesSchema }),
  /**
   * Slow motion (docs/aimed-faults.md): ticks come every tickMs / (timerRate × speed) and every
   * injected delay is stretched by 1/speed. 1: real time.
   */
  variantCase({ cmd: v.literal('setSpeed'), speed: numberIn(LIMITS.speed.min, LIMITS.speed.max) }),
  /**
   * Learn (or forget, with address null) a peer's address, before a membership change;
   * with CURVE also its public key (the peer socket admits only known members' keys).
   */
  variantCase({
    cmd: v.literal('setPeer'),
    id: nodeId,
    address: v.nullable(address),
    clientAddress: v.optional(v.nullable(address)),
    publicKey: v.optional(v.nullable(curveKey)),
  }),
  variantCase({ cmd: v.literal('transferLeader'), to: nodeId }),
  /** New voters (joint consensus, §6) and learners (thesis §4.2.1; absent: keep the current ones). */
  variantCase({ cmd: v.literal('changeMembership'), voters: arrayOf(nodeId, LIMITS.idsPerConfig), learners: v.optional(arrayOf(nodeId, LIMITS.idsPerConfig)) }),
  variantCase({ cmd: v.literal('snapshot') }),
  /**
   * The node's wall clock when the command arrived and when it answered (ClockReading), one
   * NTP-style sample for the lab's offset estimate (src/analysis/clockOffset.ts).
   */
  variantCase({ cmd: v.literal('clock') }),
  /** Graceful stop: flush, close sockets, exit 0. */
  variantCase({ cmd: v.literal('stop') }),
  /** The debugger's commands (src/contract/debug.ts, docs/debugger.md). */
  ...DEBUG_COMMAND_CASES,
]);
export type ControlCommand = Decoded<typeof ControlCommandSchema>;
export type ControlCommandName = ControlCommand['cmd'];

export const ControlRequestSchema = object({ id: uint, command: ControlCommandSchema });
export type ControlRequest = Decoded<typeof ControlRequestSchema>;

export const NodeStatusReportSchema = object({
  id: nodeId,
  role,
  term: uint,
  leader: v.nullable(nodeId),
  commit: uint,
  applied: uint,
  lastIndex: uint,
  snapshotIndex: uint,
  config: clusterConfig,
});
export type NodeStatusReport = Decoded<typeof NodeStatusReportSchema>;

/** The `clock` command's result: the node's wall clock (ms, performance.timeOrigin-based) at t1 and t2. */
export const ClockReadingSchema = object({ receivedMs: nonNegative, repliedMs: nonNegative });
export type ClockReading = Decoded<typeof ClockReadingSchema>;

/** A reply is discriminated by the boolean `ok`. */
export const ControlReplySchema = tagged('ok', [
  variantCase({ id: uint, ok: v.literal(true), result: v.optional(v.nullable(v.union([NodeStatusReportSchema, NodeDebugStateSchema, ClockReadingSchema]))) }),
  variantCase({ id: uint, ok: v.literal(false), error: str(LIMITS.textLength) }),
]);
export type ControlReply = Decoded<typeof ControlReplySchema>;

export const checkLinkRule = checker(LinkRuleSchema);
export const checkLinkRules = checker(LinkRulesSchema);
export const checkControlCommand = checker(ControlCommandSchema);
export const checkControlRequest = checker(ControlRequestSchema);
export const checkNodeStatusReport = checker(NodeStatusReportSchema);
export const checkControlReply = checker(ControlReplySchema);
export const validateControlRequest = decoder(ControlRequestSchema);
export const validateControlReply = decoder(ControlReplySchema);
export const validateLinkRules = decoder(LinkRulesSchema);
