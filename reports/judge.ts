// The verdict of a run from its trace: the checkers' fold over the events (facts the simulator
// wrote down, a node's failed assertion and the liveness phase's checkpoint, included), the two
// stops no checker decides (a budget, an exception in a node, written as `violation` events), the
// end-of-run checks, and the linearizability check of the clients' history. A run judges itself
// with a Judge as it goes (scenarios/run.ts, the named scenarios); `judgeTrace` does it again
// offline from a saved trace, and gives the same verdict for every checker.
import { assert } from '../core/index.ts';
import { availabilityOptions } from './checkers/availability.ts';
import { stabilityOptions } from './checkers/stability.ts';
import { CheckerSuite } from './checkers/suite.ts';
import type { SuiteOptions } from './checkers/suite.ts';
import { CHECKER_NAMES } from './checkers/types.ts';
import type { SometimesCounters, Violation } from './checkers/types.ts';
import { historyEventFilter, historyFromTrace } from './history.ts';
import { checkHistory } from './lin/check.ts';
import type { LinResult } from './lin/check.ts';
import { eraseModel, kvModel } from './lin/model.ts';
import type { CheckerVerdict, Failure, Verdict } from './run-report.ts';
import type { TraceEvent } from '../sim/events.ts';
import type { SimOptions } from '../sim/options.ts';
import { BUDGET_CHECKER, CRASH_CHECKER } from '../sim/simulation.ts';
import { STABLE_ELECTION_TIMEOUTS } from '../sim/liveness-phase.ts';

export const LIN_CHECKER = 'linearizability';
/** The stops the simulator decides and writes as `violation` events: a budget, a node that threw. */
export const SIMULATOR_STOPS: readonly string[] = [BUDGET_CHECKER, CRASH_CHECKER];

/** What a run's trace says: the headline failure (if any), every failure in the order found, every checker's own verdict. */
export interface Judgement {
  readonly verdict: Verdict;
  /** The headline (headlineOf): what shrinking, sweeps and saved trace names go by. */
  readonly failure: Failure | null;
  readonly failures: readonly Failure[];
  readonly verdicts: readonly CheckerVerdict[];
  readonly lin: LinResult | null;
}

export interface JudgeChoices {
  readonly linBudgetSteps?: number;
  /** The applied-log witness (default on). */
  readonly linWitness?: boolean;
}

/** The checkers' bounds for a run with these options. */
export function suiteOptionsFor(options: SimOptions): SuiteOptions {
  return {
    livenessBoundMs: options.livenessMs, availability: availabilityOptions(options), stability: stabilityOptions(options),
    stableLeaderMs: STABLE_ELECTION_TIMEOUTS * options.raft.electionTicks * options.tickMs,
  };
}

/** The linearizability check of a run's history, as a run does it at its end. */
export function checkRunHistory(clientEvents: readonly TraceEvent[], choices: JudgeChoices): LinResult {
  return checkHistory(historyFromTrace(clientEvents), eraseModel(kvModel('')), {
    ...(choices.linBudgetSteps === undefined ? {} : { budgetSteps: choices.linBudgetSteps }),
    ...(choices.linWitness === false ? { witness: false, appliedLog: false } : {}),
  });
}

export function describeLinFailure(lin: Extract<LinResult, { verdict: 'fail' }>): string {
  const explanation = lin.explanation;
  const blocked = explanation.blocked;
  return `key ${explanation.key}: after a linearizable prefix of ${explanation.prefix.length} operations `
    + `(state ${explanation.state}), operation ${JSON.stringify(blocked.input)} -> ${JSON.stringify(blocked.output)} `
    + `by client ${blocked.client} cannot be placed`
    + (explanation.witness === undefined ? '' : `; the applied-log witness placed ${explanation.witness.placed.length} operations in log order `
      + `before it got stuck (${explanation.witness.reason}), and the search took over there on ${explanation.searched} operations`)
    + (explanation.whiteBox === true ? ` (as the applied log says the run happened; the search with the ${explanation.leftOut} open operations that never applied ran out of budget)` : '');
}

/** Checkers of progress rather than safety: a safety failure found after one of them is still the headline. */
const PROGRESS_CHECKERS: readonly string[] = ['liveness', 'availability', 'stability'];

/**
 * The headline of a run's failures (in the order found): the first safety violation; without one,
 * the first failure (a progress checker's, or a stop of the simulator).
 */
export function headlineOf(failures: readonly Failure[]): Failure | null {
  return failures.find((failure) => isSafety(failure.checker)) ?? failures[0] ?? null;
}

/** A safety checker's failure: once one is found, the headline is known. */
export function isSafety(checker: string): boolean {
  return !PROGRESS_CHECKERS.includes(checker) && !SIMULATOR_STOPS.includes(checker);
}

/**
 * Every checker's own verdict on the whole run: `fail` when it found a violation, else `pass`. A
 * run the simulator ended at once (a budget, a node that threw or failed its own assertion) cut
 * their input short: a checker that found nothing before it cannot say more, and says so.
 */
export function verdictsOf(failures: readonly Failure[], lin: LinResult | null, checked: boolean, halt: Failure | null): CheckerVerdict[] {
  const stopped = halt === null ? '' : `nothing found before the run stopped at ${(halt.time / 1000).toFixed(3)} s (${halt.checker})`;
  const failed = new Set(failures.map((failure) => failure.checker));
  const verdicts: CheckerVerdict[] = CHECKER_NAMES.map((checker): CheckerVerdict => {
    if (!checked) return { checker, verdict: 'unknown', note: 'checkers off' };
    if (failed.has(checker)) return { checker, verdict: 'fail' };
    return halt === null ? { checker, verdict: 'pass' } : { checker, verdict: 'unknown', note: stopped };
  });
  if (lin !== null) verdicts.push({ checker: LIN_CHECKER, verdict: lin.verdict });
  else verdicts.push({ checker: LIN_CHECKER, verdict: 'unknown', note: !checked ? 'checkers off' : halt === null ? 'not run' : `not run: ${stopped}` });
  return verdicts;
}

export function overallVerdict(failures: readonly Failure[], lin: LinResult | null): Verdict {
  return failures.length > 0 ? 'fail' : lin?.verdict === 'unknown' ? 'unknown' : 'pass';
}

/** What to judge at the end of a run. */
export interface FinishChoices extends JudgeChoices {
  /** The linearizability check of the clients' history (default: when the checkers are on). */
  readonly linearizability?: boolean;
}

/**
 * The one judge of a run: fed every trace event in order (live as the run goes, or offline from a
 * saved trace), then finished once. Every checker judges the whole run; a failure does not end it.
 * What ends a run at once is a fact of the trace: a `violation` event of a SIMULATOR_STOPS stop,
 * or a node's failed `assertion`; the judge reads both as the run's halt.
 */
export class Judge {
  private readonly suite: CheckerSuite | null;
  private readonly keepForHistory = historyEventFilter();
  private readonly clientEvents: TraceEvent[] = [];
  /** Client calls among clientEvents (every call is kept for the history). */
  private calls = 0;
  private halt: Failure | null = null;
  /**
   * The last event fed, for its time (kept rather than its time: a read of that is a megamorphic
   * lookup per event); null when the suite saw it last (its lastTime is that event's time).
   */
  private lastEvent: TraceEvent | null = null;

  /** Time of the last event fed (0 before any). */
  private get lastTime(): number {
    return this.lastEvent === null ? this.suite?.lastTime ?? 0 : this.lastEvent.time;
  }

  /**
   * `options` null: no checkers (a run that only measures speed); the verdicts say so. `history`
   * false: the run will not check linearizability, so the clients' events are counted, not kept.
   */
  constructor(options: SuiteOptions | null, private readonly history = true) {
    this.suite = options === null ? null : new CheckerSuite(options);
  }

  /** Feeds one event; returns a violation this event revealed (for a live run to write down), or null. */
  observe(event: TraceEvent, index: number): Violation | null {
    // Read once: events come in many shapes, so every field read is a megamorphic lookup.
    const type = event.type;
    if (type === 'violation') {
      this.lastEvent = event;
      if (this.halt === null && SIMULATOR_STOPS.includes(event.checker)) {
        this.halt = { checker: event.checker, time: event.time, message: event.message, witnesses: [index] };
      }
      return null;
    }
    if (this.halt !== null) {
      this.lastEvent = event;
      return null;
    }
    if (type === 'assertion') {
      this.halt = { checker: 'invariants', time: event.time, message: `node ${event.node}: ${event.message}`, witnesses: [index] };
    }
    if (!this.history) {
      if (type === 'call') this.calls += 1;
    } else if (this.keepForHistory(event)) {
      this.clientEvents.push(event);
      if (type === 'call') this.calls += 1;
    }
    if (this.suite === null) {
      this.lastEvent = event;
      return null;
    }
    // The suite keeps this event's time (lastTime), a number stored: the event itself, young and
    // kept in this old object, took a write barrier on every event.
    this.lastEvent = null;
    return this.suite.observe(event, index, type);
  }

  /** Client calls seen so far. */
  get operations(): number {
    return this.calls;
  }

  sometimes(): SometimesCounters | null {
    return this.suite === null ? null : this.suite.sometimes();
  }

  /**
   * After the last event (`endMs`: when the run ended; offline, the last event's time): the
   * end-of-run checks and the linearizability check, unless the run was halted (`stoppedBy`: a halt
   * the trace does not show, a scripted run's first violation). `atEnd` lists what they found, for
   * a live run to write down.
   */
  finish(choices: FinishChoices = {}, endMs = this.lastTime, stoppedBy: { readonly checker: string; readonly message: string } | null = null)
    : Judgement & { readonly atEnd: readonly Failure[] } {
    // A run the simulator ended at its first violation (a scripted one) is cut short there.
    if (this.halt === null && stoppedBy !== null) this.halt = { ...stoppedBy, time: endMs, witnesses: [] };
    const checked = this.suite !== null;
    const failures: Failure[] = this.suite === null ? [] : [...this.suite.violations()];
    const atEnd: Failure[] = [];
    let lin: LinResult | null = null;
    if (this.halt !== null) {
      // An assertion is the invariants checker's finding already; a budget or a crash is the simulator's.
      if (!failures.some((failure) => failure.checker === this.halt?.checker)) failures.push(this.halt);
    } else {
      if (this.suite !== null) atEnd.push(...this.suite.finish());
      if (choices.linearizability ?? checked) {
        assert(this.history, 'a judge told to keep no history cannot check linearizability');
        lin = checkRunHistory(this.clientEvents, choices);
        if (lin.verdict === 'fail') atEnd.push({ checker: LIN_CHECKER, time: endMs, message: describeLinFailure(lin), witnesses: [] });
      }
      failures.push(...atEnd);
    }
    return {
      verdict: overallVerdict(failures, lin), failure: headlineOf(failures), failures,
      verdicts: verdictsOf(failures, lin, checked, this.halt), lin, atEnd,
    };
  }
}

/** Judges a saved trace offline: the same judge as the live run, fed the saved events; with the "sometimes" counters. */
export function judgeTrace(options: SimOptions, events: readonly TraceEvent[], choices: JudgeChoices = {}): Judgement & { readonly sometimes: SometimesCounters } {
  const judge = new Judge(suiteOptionsFor(options));
  events.forEach((event, index) => judge.observe(event, index));
  const { atEnd: _atEnd, ...judgement } = judge.finish(choices);
  const sometimes = judge.sometimes();
  assert(sometimes !== null, 'an offline judge always has its checkers');
  return { ...judgement, sometimes };
}
