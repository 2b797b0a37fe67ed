// What one run produced, as the summaries, the trace writer and the CLI read it.
import type { BugId } from '../core/index.ts';
import type { TraceEvent } from '../sim/events.ts';
import type { FaultEvent } from '../sim/faults.ts';
import type { NodeFactory } from '../sim/host.ts';
import type { SimOptions } from '../sim/options.ts';
import type { RunBudgets, Seed, SimulationResult } from '../sim/simulation.ts';
import type { SometimesCounters, Violation } from './checkers/types.ts';
import type { LinResult } from './lin/check.ts';

/**
 * What one run is: plain data only (no callbacks), so a spec is saved in a trace header, cloned
 * into a worker thread and compared as it is. The callbacks of a run travel beside it in RunHooks.
 */
export interface RunSpec {
  readonly seed: Seed;
  readonly options: SimOptions;
  readonly schedule: readonly FaultEvent[];
  readonly bugs: readonly BugId[];
  readonly scenario: string | null;
  /** Keep the whole trace in memory (to save it or to replay it). */
  readonly record: boolean;
  readonly hash?: boolean;
  /** Online safety checkers and the end-of-run checks (default on). */
  readonly checkers?: boolean;
  /** The linearizability check of the client history after the run (default: as `checkers`). */
  readonly linearizability?: boolean;
  /**
   * Stop the run at its first safety violation: the headline is known then (shrinking needs no
   * more); the other checkers say they were cut short. Default: the run goes on to its end.
   */
  readonly untilHeadline?: boolean;
  /** Step budget of the linearizability search. */
  readonly linBudgetSteps?: number;
  /** The applied-log witness before the search (default true); false checks with the search alone. */
  readonly linWitness?: boolean;
  /** Bounds on the run's work; a run past one stops with a `budget` failure (sim/simulation.ts). */
  readonly budgets?: Partial<RunBudgets>;
}

/** The callbacks of a run, beside its RunSpec (`runSimulation(spec, hooks)`); none by default. */
export interface RunHooks {
  /** Another Raft implementation behind the core contract (default: the built-in core). */
  readonly factory?: NodeFactory;
  /** Told every trace event with its JSON line, in order (a streaming trace writer). */
  readonly sink?: (event: TraceEvent, line: string) => void;
}

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface CheckerVerdict {
  readonly checker: string;
  readonly verdict: Verdict;
  /** Why a checker could not judge the whole run (an `unknown` that is not a budget running out). */
  readonly note?: string;
}

/** A run's failure: a violation (checkers/types.ts), of any checker. */
export type Failure = Violation<string>;

export interface RunReport {
  readonly spec: RunSpec;
  readonly sim: SimulationResult;
  readonly verdict: Verdict;
  /** The headline failure: the first safety violation, else the first failure (reports/judge.ts, headlineOf). */
  readonly failure: Failure | null;
  /** Every failure, in the order found: each checker's first violation, the simulator's stop, the end-of-run findings. */
  readonly failures: readonly Failure[];
  readonly verdicts: readonly CheckerVerdict[];
  readonly sometimes: SometimesCounters | null;
  readonly lin: LinResult | null;
  readonly operations: number;
}

