// The applied-log witness: a white-box shortcut for histories that say where each write took
// effect (`Operation.applied`, a log index). The log gives the order of the writes; the reads
// (not in the log) go in greedily. Linear in the history, against a search that can take
// exponential time on many open writes.
//
// With the writes' order fixed, the only choices left are where the reads go, and Lowe's
// just-in-time argument decides them: walking the calls and returns in time order, a read whose
// call has been passed and that is legal in the current state can be taken at once (it changes
// nothing and every operation not yet placed returns after its call), and a write is placed as
// late as possible: only when a return forces it, that is when the returning operation is not
// placed yet. So the walk finds a linearization in this write order whenever one exists.
//
// Soundness does not rest on that argument, nor on the log being right (a buggy core's log order
// can be wrong, and it can apply a command twice): a witness that passes is checked again by
// `verifyLinearization`, on its own, against the definition. An operation left out of it is an
// open one (no return, or an unknown output), which the definition allows to never take effect.
// A witness that fails proves nothing: the caller falls back to the search.
import type { Model, Operation } from './model.ts';

export type WitnessOutcome<State> =
  | {
    readonly ok: true;
    /** Indexes into the operations, in linearization order; the open operations not in it never took effect. */
    readonly order: readonly number[];
    readonly steps: number;
  }
  | {
    readonly ok: false;
    /** What the witness placed, in order, before it got stuck. */
    readonly placed: readonly number[];
    /** The operation it could not place. */
    readonly blocked: number;
    /** Why, in words, naming operations by id. */
    readonly reason: string;
    readonly state: State;
    readonly steps: number;
  };

const OMIT = 0;
const LOGGED = 1;
const READ = 2;

/**
 * The open operations a later operation of the same client overtook in the applied log, by id. A
 * closed-loop client moves on only after an answer or giving up; a given-up command applied after
 * a later one of the same client is stale, and client sessions skip it. Open ones only: an
 * answered command took effect where it first applied. Sessions span keys, so this looks at the
 * whole history, not one partition.
 */
export function staleOperations<Input, Output>(operations: readonly Operation<Input, Output>[]): Set<number> {
  const byClient = new Map<number, Operation<Input, Output>[]>();
  for (const operation of operations) {
    if (operation.applied === undefined) continue;
    const list = byClient.get(operation.client);
    if (list === undefined) byClient.set(operation.client, [operation]);
    else list.push(operation);
  }
  const stale = new Set<number>();
  for (const list of byClient.values()) {
    list.sort((a, b) => a.call - b.call || a.id - b.id);
    let earliestLater = Number.POSITIVE_INFINITY;
    for (let position = list.length - 1; position >= 0; position--) {
      const operation = list[position]!;
      const applied = operation.applied!;
      if (operation.return === Number.POSITIVE_INFINITY && applied > earliestLater) stale.add(operation.id);
      earliestLater = Math.min(earliestLater, applied);
    }
  }
  return stale;
}

/**
 * Linearize the operations of one partition in the order of the applied log. Operations with
 * `applied` are taken in that order, completed read-only operations where they are legal, open
 * operations without `applied` never (they never took effect), nor the stale ones (see
 * staleOperations; computed from `operations` when not given).
 */
export function appliedLogWitness<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  stale: ReadonlySet<number> = staleOperations(operations),
): WitnessOutcome<State> {
  const count = operations.length;
  const kind = new Uint8Array(count);
  for (let index = 0; index < count; index++) {
    const operation = operations[index]!;
    const open = operation.return === Number.POSITIVE_INFINITY;
    if (operation.applied !== undefined) {
      kind[index] = open && stale.has(operation.id) ? OMIT : LOGGED;
    } else if (open) {
      kind[index] = OMIT;
    } else if (model.isReadOnly?.(operation.input, operation.output) === true) {
      kind[index] = READ;
    } else {
      return { ok: false, placed: [], blocked: index, reason: `#${operation.id} returned but never reached the applied log`, state: model.init(), steps: 0 };
    }
  }
  const logged: number[] = [];
  for (let index = 0; index < count; index++) if (kind[index] === LOGGED) logged.push(index);
  logged.sort((a, b) => operations[a]!.applied! - operations[b]!.applied! || operations[a]!.call - operations[b]!.call || a - b);

  // Calls and returns in time order, calls first at equal times (touching operations are concurrent).
  const events: number[] = [];
  for (let index = 0; index < count; index++) {
    if (kind[index] === OMIT) continue;
    events.push(2 * index);
    if (operations[index]!.return !== Number.POSITIVE_INFINITY) events.push(2 * index + 1);
  }
  const timeOf = (event: number): number => {
    const operation = operations[event >> 1]!;
    return (event & 1) === 0 ? operation.call : operation.return;
  };
  events.sort((a, b) => timeOf(a) - timeOf(b) || (a & 1) - (b & 1) || a - b);

  const called = new Uint8Array(count);
  const placed = new Uint8Array(count);
  const order: number[] = [];
  let pending: number[] = [];
  let state = model.init();
  let next = 0;
  let steps = 0;
  const place = (index: number, after: State): void => {
    placed[index] = 1;
    order.push(index);
    state = after;
  };
  const tryPending = (): void => {
    if (pending.length === 0) return;
    const kept: number[] = [];
    for (const index of pending) {
      const operation = operations[index]!;
      steps++;
      const result = model.step(state, operation.input, operation.output);
      if (result.ok) place(index, result.next);
      else kept.push(index);
    }
    pending = kept;
  };
  const stuck = (blocked: number, reason: string): WitnessOutcome<State> => ({ ok: false, placed: order, blocked, reason, state, steps });

  for (const event of events) {
    const index = event >> 1;
    const operation = operations[index]!;
    if ((event & 1) === 0) {
      called[index] = 1;
      if (kind[index] !== READ) continue;
      steps++;
      const result = model.step(state, operation.input, operation.output);
      if (result.ok) place(index, result.next);
      else pending.push(index);
      continue;
    }
    // A return: the operation must be placed before time passes it. Place writes in log order
    // until it is, taking every read that becomes legal on the way.
    while (placed[index] === 0) {
      const write = logged[next];
      if (write === undefined) {
        return stuck(index, `no state of the applied log from its call to its return matches #${operation.id}`);
      }
      const writeOperation = operations[write]!;
      if (called[write] === 0) {
        return stuck(index, `#${operation.id} returned before #${writeOperation.id}, next in the applied log, was called`);
      }
      steps++;
      const result = model.step(state, writeOperation.input, writeOperation.output);
      if (!result.ok) return stuck(write, `#${writeOperation.id}'s output does not match the state the applied log gives it`);
      place(write, result.next);
      next++;
      tryPending();
    }
  }
  return { ok: true, order, steps };
}

/**
 * Whether `order` is a linearization of the operations, checked from the definition alone: every
 * operation with a return appears once (open ones at most once: left out, they never took
 * effect), no operation comes before one that returned before it was called, and every step is
 * legal in the model with the output the client saw. Null when it is; else what is wrong.
 */
export function verifyLinearization<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  order: readonly number[],
): string | null {
  const seen = new Uint8Array(operations.length);
  for (const index of order) {
    const operation = operations[index];
    if (operation === undefined) return `no operation at position ${index}`;
    if (seen[index] === 1) return `#${operation.id} is placed twice`;
    seen[index] = 1;
  }
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    if (seen[index] === 0 && operation.return !== Number.POSITIVE_INFINITY) return `#${operation.id} returned but is not placed`;
  }
  let earliestReturnAfter = Number.POSITIVE_INFINITY;
  let earliestId = -1;
  for (let position = order.length - 1; position >= 0; position--) {
    const operation = operations[order[position]!]!;
    if (earliestReturnAfter < operation.call) return `#${operation.id} is placed before #${earliestId}, which returned before it was called`;
    if (operation.return < earliestReturnAfter) {
      earliestReturnAfter = operation.return;
      earliestId = operation.id;
    }
  }
  let state = model.init();
  for (const index of order) {
    const operation = operations[index]!;
    const result = model.step(state, operation.input, operation.output);
    if (!result.ok) return `#${operation.id} is not legal in state ${model.describeState(state)}`;
    state = result.next;
  }
  return null;
}
