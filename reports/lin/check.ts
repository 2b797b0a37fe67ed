// The linearizability checker: split a history into independent partitions (keys), search each
// with PartitionSearch, and interleave them round-robin under one step budget so that a key too
// hard to decide cannot starve a key that fails quickly. The first illegal key decides `fail`;
// a budget that runs out first gives `unknown`, never `pass`.
import { assert } from '../../core/index.ts';
import type { History, OperationInput, OperationOutput } from '../history.ts';
import { HistoryError } from '../history.ts';
import type { Model, Operation, Partition } from './model.ts';
import { PartitionSearch } from './search.ts';

export interface CheckOptions {
  /** Total search steps over all keys before answering `unknown`. */
  readonly budgetSteps?: number;
  /** Steps a key gets per turn of the round-robin. */
  readonly sliceSteps?: number;
  /** Configurations remembered over all keys before answering `unknown`: the memory bound. */
  readonly maxCacheEntries?: number;
}

/** About a minute of search on a laptop. */
export const DEFAULT_BUDGET_STEPS = 50_000_000;
/** About 20 bytes each plus the window of its set (see cache.ts) and its state. */
export const DEFAULT_MAX_CACHE_ENTRIES = 5_000_000;
export const DEFAULT_SLICE_STEPS = 4096;

export type KeyOutcome = 'linearizable' | 'illegal' | 'undecided';

export interface KeyReport {
  readonly key: string;
  readonly operations: number;
  readonly outcome: KeyOutcome;
  readonly steps: number;
}

/** Why a key is not linearizable: the longest prefix the search could linearize, and the operation it could not place after it. */
export interface LinExplanation<Input = OperationInput, Output = OperationOutput> {
  readonly key: string;
  readonly prefix: readonly Operation<Input, Output>[];
  readonly blocked: Operation<Input, Output>;
  /** The model state after the prefix, as the model describes it. */
  readonly state: string;
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
  const searches = partitions.map((partition) => new PartitionSearch(model, partition.operations));
  let active = searches.map((_, index) => index);
  let remaining = budgetSteps;
  let cacheEntries = 0;
  // Bounded: every turn of a running search spends at least one step of the budget.
  while (active.length > 0 && remaining > 0 && cacheEntries <= maxCacheEntries) {
    cacheEntries = 0;
    for (const index of active) {
      const search = searches[index];
      assert(search !== undefined, 'active search exists');
      remaining -= search.run(Math.min(sliceSteps, remaining));
      if (search.status === 'illegal') {
        return failure(model, partitions, searches, index, budgetSteps);
      }
      if (search.status === 'linearizable') search.release();
      cacheEntries += search.cacheEntries;
      if (remaining <= 0) break;
    }
    active = active.filter((index) => searches[index]?.status === 'running');
  }
  const base = { keys: keyReports(partitions, searches), steps: budgetSteps - remaining, budgetSteps };
  if (active.length === 0) return { ...base, verdict: 'pass' };
  return { ...base, verdict: 'unknown', exhausted: remaining <= 0 ? 'steps' : 'memory', maxCacheEntries };
}

function keyReports<State, Input, Output>(partitions: readonly Partition<Input, Output>[], searches: readonly PartitionSearch<State, Input, Output>[]): KeyReport[] {
  return partitions.map((partition, index) => {
    const search = searches[index];
    const status = search?.status ?? 'running';
    return {
      key: partition.key,
      operations: partition.operations.length,
      outcome: status === 'running' ? 'undecided' : status,
      steps: search?.steps ?? 0,
    };
  });
}

function failure<State, Input, Output>(
  model: Model<State, Input, Output>,
  partitions: readonly Partition<Input, Output>[],
  searches: readonly PartitionSearch<State, Input, Output>[],
  index: number,
  budgetSteps: number,
): LinResult<Input, Output> {
  const partition = partitions[index];
  const deadEnd = searches[index]?.deadEnd();
  assert(partition !== undefined && deadEnd !== null && deadEnd !== undefined, 'an illegal key has a dead end');
  const at = (position: number): Operation<Input, Output> => {
    const operation = partition.operations[position];
    assert(operation !== undefined, 'dead end names operations of its partition');
    return operation;
  };
  const explanation = {
    key: partition.key,
    prefix: deadEnd.prefix.map(at),
    blocked: at(deadEnd.blocked),
    state: model.describeState(deadEnd.state),
  };
  const steps = searches.reduce((sum, search) => sum + search.steps, 0);
  return { verdict: 'fail', keys: keyReports(partitions, searches), steps, budgetSteps, explanation };
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
    };
  });
}

export function checkHistory(history: History, model: Model<unknown>, options: CheckOptions = {}): LinResult {
  return checkOperations(model, operationsOf(history, model), options);
}
