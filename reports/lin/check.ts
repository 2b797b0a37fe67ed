// The linearizability checker: split a history into independent partitions (keys), search each
// with PartitionSearch, and interleave them round-robin under one step budget so that a key too
// hard to decide cannot starve a key that fails quickly. The first illegal key decides `fail`;
// a budget that runs out first gives `unknown`, never `pass`.
//
// Where operations say where they took effect in the applied log (`Operation.applied`), each key
// is first tried with the applied-log witness (witness.ts): a linear walk in log order, checked
// against the definition when it passes. A key it cannot place goes to the search, and when the
// history lists every operation that reached the applied log (`appliedLog`), the search leaves
// out the open operations that never did: they never took effect within the history, so a pass
// without them is a pass. A failure without them is only a failure of the run as it happened (a
// read saw a state no order of the applied operations gives); the definition also lets those
// operations take effect, so the key is searched again with them, and its verdict is that search's.
// Only when the budget runs out first is the failure reported as it stands (`whiteBox`).
import { assert } from '../../core/index.ts';
import type { History, OperationInput, OperationOutput } from '../history.ts';
import { HistoryError } from '../history.ts';
import type { Model, Operation, Partition } from './model.ts';
import { PartitionSearch } from './search.ts';
import { appliedLogWitness, staleOperations, verifyLinearization } from './witness.ts';

export interface CheckOptions {
  /** Total search steps over all keys before answering `unknown`. */
  readonly budgetSteps?: number;
  /** Steps a key gets per turn of the round-robin. */
  readonly sliceSteps?: number;
  /** Configurations remembered over all keys before answering `unknown`: the memory bound. */
  readonly maxCacheEntries?: number;
  /** Try the applied-log witness first where operations carry `applied` (default true). */
  readonly witness?: boolean;
  /**
   * Every operation that reached the applied log carries `applied` (History.appliedLog): the
   * search may then leave out the open ones without it. Default false.
   */
  readonly appliedLog?: boolean;
}

/** About a minute of search on a laptop. */
export const DEFAULT_BUDGET_STEPS = 50_000_000;
/** About 20 bytes each plus the window of its set (see cache.ts) and its state. */
export const DEFAULT_MAX_CACHE_ENTRIES = 5_000_000;
export const DEFAULT_SLICE_STEPS = 4096;

export type KeyOutcome = 'linearizable' | 'illegal' | 'undecided';

/** What the applied-log witness did for a key: not tried (no `applied` known), passed, or failed (the search took over). */
export type WitnessVerdict = 'none' | 'passed' | 'failed';

export interface KeyReport {
  readonly key: string;
  readonly operations: number;
  readonly outcome: KeyOutcome;
  /** Search steps (the witness's are in witnessSteps). */
  readonly steps: number;
  readonly witness: WitnessVerdict;
  readonly witnessSteps: number;
  /** Open operations the search left out because they never reached the applied log. */
  readonly leftOut: number;
}

/** Where the witness got stuck on the failing key, before the search took over. */
export interface WitnessFailure<Input = OperationInput, Output = OperationOutput> {
  /** What it placed, in order. */
  readonly placed: readonly Operation<Input, Output>[];
  readonly blocked: Operation<Input, Output>;
  readonly reason: string;
}

/** Why a key is not linearizable: the longest prefix the search could linearize, and the operation it could not place after it. */
export interface LinExplanation<Input = OperationInput, Output = OperationOutput> {
  readonly key: string;
  readonly prefix: readonly Operation<Input, Output>[];
  readonly blocked: Operation<Input, Output>;
  /** The model state after the prefix, as the model describes it. */
  readonly state: string;
  /** Set when the applied-log witness was tried on this key first. */
  readonly witness?: WitnessFailure<Input, Output>;
  /** Operations of the key the search had (leftOut fewer than the key's). */
  readonly searched: number;
  /** Open operations left out of the search because they never reached the applied log. */
  readonly leftOut: number;
  /**
   * True when only the search without the leftOut operations failed, and the search with them ran
   * out of budget: the history as the applied log says it happened is not linearizable.
   */
  readonly whiteBox?: boolean;
}

interface ResultBase {
  readonly keys: readonly KeyReport[];
  readonly steps: number;
  readonly budgetSteps: number;
}

/** Which bound ran out first. */
export type ExhaustedBound = 'steps' | 'memory';

export type LinResult<Input = OperationInput, Output = OperationOutput> =
  | (ResultBase & { readonly verdict: 'pass' })
  | (ResultBase & { readonly verdict: 'fail'; readonly explanation: LinExplanation<Input, Output> })
  | (ResultBase & { readonly verdict: 'unknown'; readonly exhausted: ExhaustedBound; readonly maxCacheEntries: number });

export function checkOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): LinResult<Input, Output> {
  const budgetSteps = options.budgetSteps ?? DEFAULT_BUDGET_STEPS;
  const sliceSteps = options.sliceSteps ?? DEFAULT_SLICE_STEPS;
  assert(budgetSteps >= 0 && sliceSteps >= 1, 'budgetSteps must be >= 0 and sliceSteps >= 1');
  const maxCacheEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
  const partitions = model.partition(operations);
  const stale = options.witness !== false && operations.some((operation) => operation.applied !== undefined) ? staleOperations(operations) : new Set<number>();
  const keys: PreparedKey<Input, Output>[] = partitions.map((partition) => prepareKey(model, partition, options, stale));
  const searches = keys.map((key) => (key.witness === 'passed' ? null : new PartitionSearch(model, key.searched)));
  let active = searches.flatMap((search, index) => (search === null ? [] : [index]));
  let remaining = budgetSteps;
  let cacheEntries = 0;
  // Bounded: every turn of a running search spends at least one step of the budget.
  while (active.length > 0 && remaining > 0 && cacheEntries <= maxCacheEntries) {
    cacheEntries = 0;
    for (const index of active) {
      const search = searches[index];
      const key = keys[index];
      assert(search !== undefined && search !== null && key !== undefined, 'active search exists');
      remaining -= search.run(Math.min(sliceSteps, remaining));
      if (search.status === 'illegal') {
        if (key.searched.length === key.partition.operations.length) return failure(model, keys, searches, index, budgetSteps);
        // Illegal without the operations that never applied: search again with them (see the top).
        keys[index] = { ...key, searched: key.partition.operations, whiteBoxFailure: failure(model, keys, searches, index, budgetSteps), earlierSteps: search.steps };
        search.release();
        searches[index] = new PartitionSearch(model, key.partition.operations);
      } else if (search.status === 'linearizable') {
        search.release();
      }
      cacheEntries += searches[index]?.cacheEntries ?? 0;
      if (remaining <= 0) break;
    }
    active = active.filter((index) => searches[index]?.status === 'running');
  }
  const base = { keys: keyReports(keys, searches), steps: budgetSteps - remaining, budgetSteps };
  if (active.length === 0) return { ...base, verdict: 'pass' };
  // The budget ran out. A key that failed as the applied log says the run happened is a failure.
  const whiteBox = active.map((index) => keys[index]?.whiteBoxFailure).find((found) => found !== null && found !== undefined);
  if (whiteBox !== undefined && whiteBox.verdict === 'fail') {
    return { ...whiteBox, ...base, explanation: { ...whiteBox.explanation, whiteBox: true } };
  }
  return { ...base, verdict: 'unknown', exhausted: remaining <= 0 ? 'steps' : 'memory', maxCacheEntries };
}

/** One key before the search: what the witness made of it, and the operations left for the search. */
interface PreparedKey<Input, Output> {
  readonly partition: Partition<Input, Output>;
  readonly witness: WitnessVerdict;
  readonly witnessSteps: number;
  readonly witnessFailure: WitnessFailure<Input, Output> | null;
  /** The operations the search gets (empty when the witness passed). */
  readonly searched: readonly Operation<Input, Output>[];
  /** The failure of the search without the operations that never applied, once it is searched again with them. */
  readonly whiteBoxFailure?: LinResult<Input, Output> | null;
  /** Steps of that first search. */
  readonly earlierSteps?: number;
}

function prepareKey<State, Input, Output>(
  model: Model<State, Input, Output>,
  partition: Partition<Input, Output>,
  options: CheckOptions,
  stale: ReadonlySet<number>,
): PreparedKey<Input, Output> {
  const operations = partition.operations;
  const appliedLog = options.appliedLog === true;
  const tryWitness = options.witness !== false && (appliedLog || operations.some((operation) => operation.applied !== undefined));
  // Without the witness's knowledge the search gets the key as it is.
  if (!tryWitness) return { partition, witness: 'none', witnessSteps: 0, witnessFailure: null, searched: operations };
  const outcome = appliedLogWitness(model, operations, stale);
  // The walk is built to produce linearizations only; this independent check keeps a mistake in
  // it from ever turning a violation into a pass.
  const verified = outcome.ok && verifyLinearization(model, operations, outcome.order) === null;
  if (verified) return { partition, witness: 'passed', witnessSteps: outcome.steps, witnessFailure: null, searched: [] };
  const at = (position: number): Operation<Input, Output> => {
    const operation = operations[position];
    assert(operation !== undefined, 'the witness names operations of its partition');
    return operation;
  };
  const witnessFailure: WitnessFailure<Input, Output> = outcome.ok
    ? { placed: outcome.order.map(at), blocked: at(outcome.order[outcome.order.length - 1] ?? 0), reason: 'its order failed the independent check' }
    : { placed: outcome.placed.map(at), blocked: at(outcome.blocked), reason: outcome.reason };
  // An open operation that never reached the applied log never took effect within the history:
  // leaving it out drops nothing a linearization needs.
  const searched = appliedLog
    ? operations.filter((operation) => operation.applied !== undefined || operation.return !== Number.POSITIVE_INFINITY)
    : operations;
  return { partition, witness: 'failed', witnessSteps: outcome.steps, witnessFailure, searched };
}

function keyReports<State, Input, Output>(keys: readonly PreparedKey<Input, Output>[], searches: readonly (PartitionSearch<State, Input, Output> | null)[]): KeyReport[] {
  return keys.map((key, index) => {
    const search = searches[index] ?? null;
    const status = search === null ? (key.witness === 'passed' ? 'linearizable' : 'running') : search.status;
    return {
      key: key.partition.key,
      operations: key.partition.operations.length,
      outcome: status === 'running' ? 'undecided' : status,
      steps: (search?.steps ?? 0) + (key.earlierSteps ?? 0),
      witness: key.witness,
      witnessSteps: key.witnessSteps,
      leftOut: key.partition.operations.length - (search === null ? key.partition.operations.length : key.searched.length),
    };
  });
}

function failure<State, Input, Output>(
  model: Model<State, Input, Output>,
  keys: readonly PreparedKey<Input, Output>[],
  searches: readonly (PartitionSearch<State, Input, Output> | null)[],
  index: number,
  budgetSteps: number,
): LinResult<Input, Output> {
  const key = keys[index];
  const deadEnd = searches[index]?.deadEnd();
  assert(key !== undefined && deadEnd !== null && deadEnd !== undefined, 'an illegal key has a dead end');
  const at = (position: number): Operation<Input, Output> => {
    const operation = key.searched[position];
    assert(operation !== undefined, 'dead end names operations of its partition');
    return operation;
  };
  const explanation: LinExplanation<Input, Output> = {
    key: key.partition.key,
    prefix: deadEnd.prefix.map(at),
    blocked: at(deadEnd.blocked),
    state: model.describeState(deadEnd.state),
    searched: key.searched.length,
    leftOut: key.partition.operations.length - key.searched.length,
    ...(key.witnessFailure === null ? {} : { witness: key.witnessFailure }),
  };
  const steps = searches.reduce((sum, search) => sum + (search?.steps ?? 0), 0) + keys.reduce((sum, prepared) => sum + (prepared.earlierSteps ?? 0), 0);
  return { verdict: 'fail', keys: keyReports(keys, searches), steps, budgetSteps, explanation };
}

/**
 * The operations of a history as the search needs them. An operation whose output is unknown,
 * or that never returned, is open until +infinity: it may take effect at any later point, or never.
 */
export function operationsOf(history: History, model: Model<unknown>): Operation[] {
  return history.operations.map((operation) => {
    const output: OperationOutput = operation.output ?? { type: 'unknown' };
    const problem = model.validate(operation.input, output);
    if (problem !== null) throw new HistoryError(0, `operation id ${operation.id}: ${problem}`);
    const open = operation.return === null || output.type === 'unknown';
    return {
      id: operation.id,
      client: operation.client,
      input: operation.input,
      output,
      call: operation.call,
      return: open ? Number.POSITIVE_INFINITY : (operation.return ?? Number.POSITIVE_INFINITY),
      ...(operation.applied === undefined ? {} : { applied: operation.applied }),
    };
  });
}

/** Check a history; what it knows of the applied log (`applied`, `appliedLog`) goes to the witness. */
export function checkHistory(history: History, model: Model<unknown>, options: CheckOptions = {}): LinResult {
  return checkOperations(model, operationsOf(history, model), { appliedLog: history.appliedLog === true, ...options });
}
