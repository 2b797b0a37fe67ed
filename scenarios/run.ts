// One run, wired together: the simulator with every online checker watching, the end-of-run
// checks (durability, liveness), and the linearizability check of the clients' history. This is
// what the CLI, the scenarios, the property tests and the benchmarks all call.
import { availabilityOptions } from '../reports/checkers/availability.ts';
import { CheckerSuite } from '../reports/checkers/suite.ts';
import { CHECKER_NAMES } from '../reports/checkers/types.ts';
import type { SometimesCounters, Violation } from '../reports/checkers/types.ts';
import { historyEventFilter, historyFromTrace } from '../reports/history.ts';
import { checkHistory } from '../reports/lin/check.ts';
import type { LinResult } from '../reports/lin/check.ts';
import type { CheckerVerdict, Failure, RunReport, RunSpec, Verdict } from '../reports/run-report.ts';
import { eraseModel, kvModel } from '../reports/lin/model.ts';
import type { TraceEvent } from '../sim/events.ts';
import { Simulation } from '../sim/simulation.ts';


export const LIN_CHECKER = 'linearizability';

export function runSimulation(spec: RunSpec): RunReport {
  const useCheckers = spec.checkers ?? true;
  const suite = useCheckers ? new CheckerSuite({ livenessBoundMs: spec.options.livenessMs, availability: availabilityOptions(spec.options) }) : null;
  const clientEvents: TraceEvent[] = [];
  const keepForHistory = historyEventFilter();
  let found: Violation | null = null;
  const simulation = new Simulation({
    seed: spec.seed, options: spec.options, schedule: spec.schedule, bugs: new Set(spec.bugs),
    record: spec.record, hash: spec.hash ?? spec.record, ...(spec.factory === undefined ? {} : { factory: spec.factory }),
    ...(spec.sink === undefined ? {} : { sink: spec.sink }),
    ...(spec.budgets === undefined ? {} : { budgets: spec.budgets }),
    observe: (event, index) => {
      if (keepForHistory(event)) clientEvents.push(event);
      if (suite === null) return null;
      found = suite.observe(event, index);
      return found === null ? null : { checker: found.checker, message: found.message };
    },
  });
  let sim = simulation.run();
  let failure: Failure | null = found === null ? null : fromViolation(found);
  // Stopped by a checker or a rule of the simulator: the rest of the run never happened.
  const cutShort = failure !== null || sim.stop !== null;
  if (failure === null && sim.stop !== null) {
    failure = { checker: sim.stop.checker, time: sim.timeMs, message: sim.stop.message, witnesses: [sim.stopIndex ?? sim.traceEvents - 1] };
  }
  if (failure === null && suite !== null) {
    const atEnd = suite.finish();
    if (atEnd !== null) {
      failure = fromViolation(atEnd);
      sim = simulation.recordViolation({ checker: atEnd.checker, message: atEnd.message });
    }
  }
  let lin: LinResult | null = null;
  if (failure === null && (spec.linearizability ?? useCheckers)) {
    lin = checkHistory(historyFromTrace(clientEvents), eraseModel(kvModel('')),
      { ...(spec.linBudgetSteps === undefined ? {} : { budgetSteps: spec.linBudgetSteps }), ...(spec.linWitness === false ? { witness: false, appliedLog: false } : {}) });
    if (lin.verdict === 'fail') {
      const message = describeLinFailure(lin);
      failure = { checker: LIN_CHECKER, time: sim.timeMs, message, witnesses: [] };
      sim = simulation.recordViolation({ checker: LIN_CHECKER, message });
    }
  }
  const verdict: Verdict = failure !== null ? 'fail' : lin?.verdict === 'unknown' ? 'unknown' : 'pass';
  return {
    spec, sim, verdict, failure, verdicts: verdictsOf(failure, lin, useCheckers, cutShort),
    sometimes: suite === null ? null : withClientRetries(suite.sometimes(), sim.counters.clients.retries), lin, operations: clientEvents.filter((event) => event.type === 'call').length,
  };
}

/**
 * The trace shows a client retry only as a command called again or proposed again to a leader; a
 * simulated client's retry of a read, or one sent to a node that is down or not leading, leaves no
 * event. The simulator counts each of them, so a run reports the larger of the two counts.
 */
export function withClientRetries(sometimes: SometimesCounters, simulatedRetries: number): SometimesCounters {
  return { ...sometimes, clientRetries: Math.max(sometimes.clientRetries, simulatedRetries) };
}

function fromViolation(violation: Violation): Failure {
  return { checker: violation.checker, time: violation.time, message: violation.message, witnesses: violation.witnesses };
}

function describeLinFailure(lin: Extract<LinResult, { verdict: 'fail' }>): string {
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
function verdictsOf(failure: Failure | null, lin: LinResult | null, checked: boolean, cutShort: boolean): CheckerVerdict[] {
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

export type { CheckerVerdict, Failure, RunReport, RunSpec, Verdict };
