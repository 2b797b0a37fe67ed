// The checker contract (docs/design.md, "Checkers and verdicts"): a checker is a fold over trace
// events that runs online (one event at a time, the first violation stops the run) and offline over
// a saved trace with the same code.
import type { TraceEvent } from '../../sim/events.ts';

export const CHECKER_NAMES = [
  'election-safety',
  'log-matching',
  'leader-completeness',
  'leader-append-only',
  'state-machine-safety',
  'durability',
  'invariants',
  'liveness',
  'availability',
  'stability',
] as const;

export type CheckerName = (typeof CHECKER_NAMES)[number];

/**
 * A violation: the one record of a failure, whoever found it. A checker's names a CheckerName; a
 * run's failures (reports/run-report.ts, Failure) may also name linearizability, a stop of the
 * simulator (budget, crash) or a named scenario's own checks.
 */
export interface Violation<Checker extends string = CheckerName> {
  readonly checker: Checker;
  /** Virtual time of the event that revealed the violation (or of the last event, at finish). */
  readonly time: number;
  /** One sentence naming the nodes, the term or index, and what differed. */
  readonly message: string;
  /** Indexes (in the trace) of the events that prove it, both sides of a conflict, ascending. */
  readonly witnesses: readonly number[];
}

export interface Checker {
  readonly name: CheckerName;
  /** Called for every event in trace order; `index` is the event's position in the trace. */
  observe(event: TraceEvent, index: number): Violation | null;
  /** Called once after the last event, for properties that can only fail at the end. */
  finish(): Violation | null;
}

/** Counts proving a run did what its scenario claims (docs/design.md, "Sometimes checks"). */
export interface SometimesCounters {
  /** Terms in which some node was a candidate but no leader was ever elected. */
  readonly splitVotes: number;
  /** Leaders that stepped down to follower. */
  readonly depositions: number;
  /** Appends that replaced or removed existing entries. */
  readonly truncations: number;
  /** Snapshots received from a leader (restores at restart not counted). */
  readonly snapshotInstalls: number;
  /** Calls whose (clientId, sequence) had been called before. */
  readonly clientRetries: number;
  /** Returns with an unknown output, plus calls that never returned. */
  readonly indeterminateOperations: number;
  readonly leadersElected: number;
  /** Distinct terms that some node entered. */
  readonly termsSeen: number;
}

export interface CheckerOptions {
  /**
   * How long, in virtual milliseconds (the trace's time unit), the liveness phase may take to elect
   * a leader, and each client operation pending in it may take to return.
   */
  readonly livenessBoundMs: number;
  /**
   * How long one leader must last when the liveness phase keeps a partition (the run's
   * STABLE_ELECTION_TIMEOUTS election timeouts); absent: DEFAULT_STABLE_LEADER_MS.
   */
  readonly stableLeaderMs?: number;
  /** Availability during the run (availability.ts); absent or null: not judged. */
  readonly availability?: AvailabilityOptions | null;
  /** Stable leadership during the run (stability.ts); absent or null: not judged. */
  readonly stability?: StabilityOptions | null;
}

export const DEFAULT_CHECKER_OPTIONS: CheckerOptions = { livenessBoundMs: 10_000 };
/** Three election timeouts of the default options (10 ticks of 100 ms). */
export const DEFAULT_STABLE_LEADER_MS = 3_000;

/** Builds a violation with its witnesses in ascending order and without duplicates or unknowns. */
export function violation(checker: CheckerName, time: number, message: string, witnesses: readonly number[]): Violation {
  const sorted = [...new Set(witnesses.filter((witness) => witness >= 0))].sort((a, b) => a - b);
  return { checker, time, message, witnesses: sorted };
}

/** The bounds of the availability checker (availability.ts), from a run's options. */
export interface AvailabilityOptions {
  readonly nodes: number;
  /** The fewest nodes a healthy set must have: a majority, or every node (membership changes). */
  readonly quorum: number;
  /** The longest a healthy set may go without a leader among it. */
  readonly leaderMs: number;
  /** The longest a leader in a healthy set may hold uncommitted entries without progress. */
  readonly progressMs: number;
}

/** The bounds of the stability checker (stability.ts), from a run's options. */
export interface StabilityOptions {
  readonly nodes: number;
  /** The longest two heartbeats of a leader may arrive apart at a follower (ms). */
  readonly heartbeatGapMs: number;
  /** The shortest time a follower's election timer takes to run out (ms). */
  readonly timeoutMs: number;
}
