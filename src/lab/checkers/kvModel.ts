/**
 * The sequential specification the linearizability checker tests against: one register per
 * key holding a string or nothing (null), with the operations of src/contract/client.ts.
 *
 * - get: legal when the value read equals the register.
 * - put v: sets v. delete: makes the key absent.
 * - cas e v: legal when the register equals e (null: absent); sets v.
 * - append v: concatenates v to the value ('' when absent).
 * An acknowledged ('ok') write reports the value after it; when that value is known it must
 * match what the model computes. Writes of unknown outcome ('info') carry no output.
 */
import type { HistoryOp } from '../../contract/runEvents';

/** The register: a value, or null for an absent key. */
export type RegisterState = string | null;

/**
 * Applies `op` to `state`. Returns the new state, or undefined when the operation (with the
 * result it returned) is impossible in that state.
 */
export function stepRegister(state: RegisterState, op: HistoryOp): RegisterState | undefined {
  const known = op.status === 'ok';
  switch (op.op) {
    case 'get':
      return op.output === state ? state : undefined;
    case 'put':
      return afterWrite(op.value, known, op.output);
    case 'delete':
      return afterWrite(null, known, op.output, true);
    case 'cas':
      return state === (op.expect ?? null) ? afterWrite(op.value, known, op.output) : undefined;
    case 'append':
      return afterWrite((state ?? '') + (op.value ?? ''), known, op.output);
    default:
      return undefined;
  }
}

/**
 * The state after a write, checked against the reported value after it. A delete reports
 * null, which is also what "unknown" looks like, so a delete's output constrains nothing.
 */
function afterWrite(next: RegisterState, known: boolean, output: string | null, isDelete = false): RegisterState | undefined {
  if (!known || isDelete || output === null) return next;
  return output === next ? next : undefined;
}

/** True for operations that never change the register. */
export function isRead(op: HistoryOp): boolean {
  return op.op === 'get';
}
