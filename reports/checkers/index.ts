// The checkers' public surface.
export { CHECKER_NAMES, DEFAULT_CHECKER_OPTIONS, violation } from './types.ts';
export type { Checker, CheckerName, CheckerOptions, SometimesCounters, Violation } from './types.ts';
export { CheckerSuite, checkTrace, createChecker } from './suite.ts';
export type { SuiteOptions, TraceCheck } from './suite.ts';
export { ClusterView } from './cluster-view.ts';
