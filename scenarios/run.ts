// One run, wired together: the simulator with every online checker watching, the end-of-run
// checks (durability, liveness), and the linearizability check of the clients' history. This is
// what the CLI, the scenarios, the property tests and the benchmarks all call.
import { CheckerSuite } from '../reports/checkers/suite.ts';
import type { SometimesCounters, Violation } from '../reports/checkers/types.ts';
import { historyEventFilter } from '../reports/history.ts';
import { checkRunHistory, describeLinFailure, fromViolation, LIN_CHECKER, overallVerdict, suiteOptionsFor, verdictsOf } from '../reports/judge.ts';
import type { LinResult } from '../reports/lin/check.ts';
import type { CheckerVerdict, Failure, RunReport, RunSpec, Verdict } from '../reports/run-report.ts';
import type { TraceEvent } from '../sim/events.ts';
import { Simulation } from '../sim/simulation.ts';


export { LIN_CHECKER };

export function runSimulation(spec: RunSpec): RunReport {
  const useCheckers = spec.checkers ?? true;
  const suite = useCheckers ? new CheckerSuite(suiteOptionsFor(spec.options)) : null;
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
    lin = checkRunHistory(clientEvents, {
      ...(spec.linBudgetSteps === undefined ? {} : { linBudgetSteps: spec.linBudgetSteps }), ...(spec.linWitness === undefined ? {} : { linWitness: spec.linWitness }),
    });
    if (lin.verdict === 'fail') {
      const message = describeLinFailure(lin);
      failure = { checker: LIN_CHECKER, time: sim.timeMs, message, witnesses: [] };
      sim = simulation.recordViolation({ checker: LIN_CHECKER, message });
    }
  }
  const verdict: Verdict = overallVerdict(failure, lin);
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

export type { CheckerVerdict, Failure, RunReport, RunSpec, Verdict };
