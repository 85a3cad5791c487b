/**
 * Runtime checks for the lab <-> node control protocol (src/contract/control.ts).
 * No Node imports: src/contract is shared with the renderer.
 */
import type { ControlCommand, ControlReply, ControlRequest, LinkRule, NodeStatusReport } from './control';
import {
  arrayOf,
  bool,
  clusterConfig,
  fail,
  isPlainObject,
  describe,
  literal,
  LIMITS,
  nodeId,
  nullable,
  numberIn,
  object,
  positiveNumber,
  probability,
  role,
  str,
  tagged,
  uint,
  validate,
  type Check,
  type ValidationResult,
} from './validateCore';

const delayMs = numberIn(0, LIMITS.maxDelayMs);
const address = str(LIMITS.addressLength, 1);
/** A CURVE public key in Z85: 40 characters (the node checks the alphabet when it uses it). */
const curveKey = str(40, 40);

export const checkLinkRule: Check<LinkRule> = object(
  { peer: nodeId, direction: literal('in', 'out') },
  { block: bool, drop: probability, delayMs, jitterMs: delayMs, duplicate: probability },
);

export const checkLinkRules: Check<LinkRule[]> = arrayOf(checkLinkRule, LIMITS.linkRules);

export const checkControlCommand: Check<ControlCommand> = tagged('cmd', {
  ping: object({ cmd: literal('ping') }),
  status: object({ cmd: literal('status') }),
  setLinkRules: object({ cmd: literal('setLinkRules'), rules: checkLinkRules }),
  setTimerRate: object({ cmd: literal('setTimerRate'), factor: positiveNumber(LIMITS.maxTimerRate) }),
  setFsyncDelay: object({ cmd: literal('setFsyncDelay'), ms: delayMs }),
  setPeer: object(
    { cmd: literal('setPeer'), id: nodeId, address: nullable(address) },
    { clientAddress: nullable(address), publicKey: nullable(curveKey) },
  ),
  transferLeader: object({ cmd: literal('transferLeader'), to: nodeId }),
  changeMembership: object(
    { cmd: literal('changeMembership'), voters: arrayOf(nodeId, LIMITS.idsPerConfig) },
    { learners: arrayOf(nodeId, LIMITS.idsPerConfig) },
  ),
  snapshot: object({ cmd: literal('snapshot') }),
  stop: object({ cmd: literal('stop') }),
});

export const checkControlRequest: Check<ControlRequest> = object({ id: uint, command: checkControlCommand });

export const checkNodeStatusReport: Check<NodeStatusReport> = object({
  id: nodeId,
  role,
  term: uint,
  leader: nullable(nodeId),
  commit: uint,
  applied: uint,
  lastIndex: uint,
  snapshotIndex: uint,
  config: clusterConfig,
});

const okReply = object({ id: uint, ok: literal(true) }, { result: nullable(checkNodeStatusReport) });
const errorReply = object({ id: uint, ok: literal(false), error: str(LIMITS.textLength) });

/** A reply is discriminated by the boolean `ok`. */
export const checkControlReply: Check<ControlReply> = (v) => {
  if (!isPlainObject(v)) fail(`expected an object, got ${describe(v)}`);
  return v.ok === false ? errorReply(v) : okReply(v);
};

export function validateControlRequest(v: unknown): ValidationResult<ControlRequest> {
  return validate(checkControlRequest, v);
}

export function validateControlReply(v: unknown): ValidationResult<ControlReply> {
  return validate(checkControlReply, v);
}

export function validateLinkRules(v: unknown): ValidationResult<LinkRule[]> {
  return validate(checkLinkRules, v);
}
