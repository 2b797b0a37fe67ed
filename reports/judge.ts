// The verdict of a run from its trace: the checkers' fold over the events (facts the simulator
// wrote down, a node's failed assertion and the liveness phase's checkpoint, included), the two
// stops no checker decides (a budget, an exception in a node, written as `violation` events), the
// end-of-run checks, and the linearizability check of the clients' history. A run judges
// itself with the same functions as it goes (scenarios/run.ts); `judgeTrace` does it again
// offline from a saved trace, and gives the same verdict for every checker.
import { availabilityOptions } from './checkers/availability.ts';
import { CheckerSuite } from './checkers/suite.ts';
import type { SuiteOptions } from './checkers/suite.ts';
import { CHECKER_NAMES } from './checkers/types.ts';
import type { Violation } from './checkers/types.ts';
import { historyEventFilter, historyFromTrace } from './history.ts';
import { checkHistory } from './lin/check.ts';
import type { LinResult } from './lin/check.ts';
import { eraseModel, kvModel } from './lin/model.ts';
import type { CheckerVerdict, Failure, Verdict } from './run-report.ts';
import type { TraceEvent } from '../sim/events.ts';
import type { SimOptions } from '../sim/options.ts';
import { BUDGET_CHECKER, CRASH_CHECKER, STABLE_ELECTION_TIMEOUTS } from '../sim/simulation.ts';

export const LIN_CHECKER = 'linearizability';
/** The stops the simulator decides and writes as `violation` events: a budget, a node that threw. */
export const SIMULATOR_STOPS: readonly string[] = [BUDGET_CHECKER, CRASH_CHECKER];

/** What a run's trace says: the headline failure (if any) and every checker's own verdict. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly failure: Failure | null;
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
    livenessBoundMs: options.livenessMs, availability: availabilityOptions(options),
    stableLeaderMs: STABLE_ELECTION_TIMEOUTS * options.raft.electionTicks * options.tickMs,
  };
}

export function fromViolation(violation: Violation): Failure {
  return { checker: violation.checker, time: violation.time, message: violation.message, witnesses: violation.witnesses };
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

/**
 * Every checker's own verdict. A failure found at the end of the run (at the final checks, or by
 * the linearizability check of the whole history) leaves the others a whole run to judge: they
 * pass. A failure that stopped the run cut their input short: they found nothing before it, but
 * cannot say more, and say so.
 */
export function verdictsOf(failure: Failure | null, lin: LinResult | null, checked: boolean, cutShort: boolean): CheckerVerdict[] {
  const stopped = failure === null ? '' : `nothing found before the run stopped at ${(failure.time / 1000).toFixed(3)} s (${failure.checker})`;
  const verdicts: CheckerVerdict[] = CHECKER_NAMES.map((checker): CheckerVerdict => {
    if (!checked) return { checker, verdict: 'unknown', note: 'checkers off' };
    if (failure === null) return { checker, verdict: 'pass' };
    if (failure.checker === checker) return { checker, verdict: 'fail' };
    return cutShort ? { checker, verdict: 'unknown', note: stopped } : { checker, verdict: 'pass' };
  });
  if (failure?.checker === LIN_CHECKER) verdicts.push({ checker: LIN_CHECKER, verdict: 'fail' });
  else if (lin !== null) verdicts.push({ checker: LIN_CHECKER, verdict: lin.verdict });
  else verdicts.push({ checker: LIN_CHECKER, verdict: 'unknown', note: !checked ? 'checkers off' : failure === null ? 'not run' : `not run: ${stopped}` });
  return verdicts;
}

export function overallVerdict(failure: Failure | null, lin: LinResult | null): Verdict {
  return failure !== null ? 'fail' : lin?.verdict === 'unknown' ? 'unknown' : 'pass';
}

/**
 * Judges a saved trace offline. The checkers fold the events as they did live; a `violation` event
 * of a stop no checker decides (SIMULATOR_STOPS: a budget, a node that threw) stands as written;
 * every other one (a checker's, a final check, linearizability) is decided again here.
 */
export function judgeTrace(options: SimOptions, events: readonly TraceEvent[], choices: JudgeChoices = {}): Judgement {
  const suite = new CheckerSuite(suiteOptionsFor(options));
  const keepForHistory = historyEventFilter();
  const clientEvents: TraceEvent[] = [];
  let found: Violation | null = null;
  let written: Failure | null = null;
  let index = 0;
  for (const event of events) {
    if (event.type === 'violation') {
      // The run stops at its first violation; anything written after it is an end-of-run finding.
      if (written === null && found === null) written = { checker: event.checker, time: event.time, message: event.message, witnesses: [index] };
    } else if (written === null) {
      if (keepForHistory(event)) clientEvents.push(event);
      found ??= suite.observe(event, index);
    }
    index++;
  }
  // In the order a run decides: a checker during the run, the simulator's own stop, the checks at
  // the end, linearizability. A violation written at the end that the final checks reproduce was
  // one of theirs; one they do not is the simulator's stop, a fact of the trace.
  let failure: Failure | null = found === null ? null : fromViolation(found);
  let cutShort = failure !== null;
  if (failure === null) {
    const atEnd = suite.finish();
    const stop = written !== null && SIMULATOR_STOPS.includes(written.checker) ? written : null;
    if (stop !== null && (atEnd === null || atEnd.checker !== stop.checker || atEnd.message !== stop.message)) {
      failure = stop;
      cutShort = true;
    } else if (atEnd !== null) {
      failure = fromViolation(atEnd);
    }
  }
  let lin: LinResult | null = null;
  if (failure === null) {
    lin = checkRunHistory(clientEvents, choices);
    if (lin.verdict === 'fail') failure = { checker: LIN_CHECKER, time: events[events.length - 1]?.time ?? 0, message: describeLinFailure(lin), witnesses: [] };
  }
  return { verdict: overallVerdict(failure, lin), failure, verdicts: verdictsOf(failure, lin, true, cutShort), lin };
}
