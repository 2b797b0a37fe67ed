// The linearizability checker's public surface.
export type { CheckOptions, ExhaustedBound, KeyOutcome, KeyReport, LinExplanation, LinResult, WitnessFailure, WitnessVerdict } from './check.ts';
export { checkHistory, checkOperations, DEFAULT_BUDGET_STEPS, DEFAULT_MAX_CACHE_ENTRIES, DEFAULT_SLICE_STEPS, operationsOf } from './check.ts';
export type { KvState, Model, ModelName, Operation, Partition, StepResult } from './model.ts';
export { eraseModel, kvModel, modelFor, registerModel } from './model.ts';
export type { DeadEnd, SearchStatus } from './search.ts';
export { PartitionSearch } from './search.ts';
export { formatVerdict, verdictJson } from './explain.ts';
export type { WitnessOutcome } from './witness.ts';
export { appliedLogWitness, staleOperations, verifyLinearization } from './witness.ts';
