// The checker suite: one shared ClusterView and the selected checkers, fed every event in order.
// Online, the first violation stops the run (observe keeps returning it); offline, checkTrace
// folds a saved trace through the same code.
import { assertNever } from '../../core/index.ts';
import type { TraceEvent, TraceEventType } from '../../sim/events.ts';
import { ClusterView } from './cluster-view.ts';
import { Availability } from './availability.ts';
import { Durability } from './durability.ts';
import { ElectionSafety } from './election-safety.ts';
import { Invariants } from './invariants.ts';
import { LeaderAppendOnly } from './leader-append-only.ts';
import { LeaderCompleteness } from './leader-completeness.ts';
import { Liveness } from './liveness.ts';
import { LogMatching } from './log-matching.ts';
import { SometimesCounter } from './sometimes.ts';
import { StateMachineSafety } from './state-machine-safety.ts';
import {
  CHECKER_NAMES, DEFAULT_CHECKER_OPTIONS,
  type Checker, type CheckerName, type CheckerOptions, type SometimesCounters, type Violation,
} from './types.ts';

export interface SuiteOptions extends Partial<CheckerOptions> {
  /** @deprecated The old name of livenessBoundMs (trace time is in milliseconds). */
  readonly livenessBoundTicks?: number;
  /** Checkers to run, all by default; the order of CHECKER_NAMES decides who reports first. */
  readonly names?: readonly CheckerName[];
}

export function createChecker(name: CheckerName, view: ClusterView, options: CheckerOptions): Checker {
  switch (name) {
    case 'election-safety': return new ElectionSafety();
    case 'log-matching': return new LogMatching(view);
    case 'leader-completeness': return new LeaderCompleteness(view);
    case 'leader-append-only': return new LeaderAppendOnly(view);
    case 'state-machine-safety': return new StateMachineSafety(view);
    case 'durability': return new Durability(view);
    case 'invariants': return new Invariants(view);
    case 'liveness': return new Liveness(view, options.livenessBoundMs);
    case 'availability': return new Availability(view, options.availability ?? null);
    default: return assertNever(name);
  }
}

const TRACE_EVENT_TYPES: readonly TraceEventType[] = [
  'send', 'deliver', 'drop', 'duplicate', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'role',
  'term', 'append', 'commit', 'apply', 'snapshot', 'compact', 'call', 'return', 'phase', 'violation',
];

/**
 * The event types each checker's observe() acts on (it returns null for every other type, so
 * skipping those calls changes nothing). Keep in step with the checkers' observe methods; the
 * suite test runs every checker on full traces both ways.
 */
export const INTERESTS: Readonly<Record<CheckerName, readonly TraceEventType[] | 'all'>> = {
  'election-safety': ['role'],
  'log-matching': ['append'],
  'leader-completeness': ['role'],
  'leader-append-only': ['role', 'term', 'crash', 'restart', 'append'],
  'state-machine-safety': ['apply', 'snapshot', 'restart', 'commit'],
  durability: ['call', 'return', 'commit', 'append', 'restart'],
  // Liveness notices an overdue operation at the first event past its deadline, whatever its type.
  invariants: ['term', 'send', 'duplicate', 'drop', 'deliver', 'commit', 'apply', 'append', 'snapshot', 'restart'],
  liveness: 'all',
  // Availability, like liveness, notices an overdue leader at the first event past the bound.
  availability: 'all',
};

export class CheckerSuite {
  private readonly view = new ClusterView();
  private readonly checkers: readonly Checker[];
  /** The checkers that read each event type, in CHECKER_NAMES order: most events concern few. */
  private readonly byType: Readonly<Record<TraceEventType, readonly Checker[]>>;
  private readonly counter = new SometimesCounter(this.view);
  private violation: Violation | null = null;
  private finished = false;

  constructor(options: SuiteOptions = {}) {
    const selected = new Set(options.names ?? CHECKER_NAMES);
    const checkerOptions: CheckerOptions = {
      livenessBoundMs: options.livenessBoundMs ?? options.livenessBoundTicks ?? DEFAULT_CHECKER_OPTIONS.livenessBoundMs,
      availability: options.availability ?? null,
    };
    if (!(checkerOptions.livenessBoundMs > 0)) throw new RangeError('livenessBoundMs must be > 0');
    this.checkers = CHECKER_NAMES.filter((name) => selected.has(name)).map((name) => createChecker(name, this.view, checkerOptions));
    const byType = {} as Record<TraceEventType, Checker[]>;
    for (const type of TRACE_EVENT_TYPES) {
      byType[type] = this.checkers.filter((checker) => {
        const interests = INTERESTS[checker.name];
        return interests === 'all' || interests.includes(type);
      });
    }
    this.byType = byType;
  }

  /** Feeds one event; returns the first violation found so far (once found, later events are ignored). */
  observe(event: TraceEvent, index: number): Violation | null {
    if (this.violation !== null) return this.violation;
    if (event.type === 'violation') return null;
    this.view.observe(event, index);
    this.counter.observe(event);
    const checkers = this.byType[event.type];
    for (let position = 0; position < checkers.length; position++) {
      const found = (checkers[position] as Checker).observe(event, index);
      if (found !== null) {
        this.violation = found;
        return found;
      }
    }
    return null;
  }

  /** Runs the end-of-run checks once; returns the first violation of the whole run, if any. */
  finish(): Violation | null {
    if (this.violation !== null || this.finished) return this.violation;
    this.finished = true;
    for (const checker of this.checkers) {
      const found = checker.finish();
      if (found !== null) {
        this.violation = found;
        return found;
      }
    }
    return null;
  }

  sometimes(): SometimesCounters {
    return this.counter.counters();
  }
}

export interface TraceCheck {
  readonly violation: Violation | null;
  readonly sometimes: SometimesCounters;
}

/** Checks a whole trace offline: stops at the first violation, else runs the end-of-run checks. */
export function checkTrace(events: Iterable<TraceEvent>, options: SuiteOptions = {}): TraceCheck {
  const suite = new CheckerSuite(options);
  let index = 0;
  for (const event of events) {
    if (suite.observe(event, index) !== null) break;
    index += 1;
  }
  return { violation: suite.finish(), sometimes: suite.sometimes() };
}
