// One run, wired together: the simulator with the one judge (reports/judge.ts) watching every
// event, then the judge's end-of-run checks (durability, liveness) and the linearizability check
// of the clients' history. This is what the CLI, the property tests and the benchmarks all call.
import type { SometimesCounters } from '../reports/checkers/types.ts';
import { isSafety, Judge, LIN_CHECKER, suiteOptionsFor } from '../reports/judge.ts';
import type { CheckerVerdict, Failure, RunHooks, RunReport, RunSpec, Verdict } from '../reports/run-report.ts';
import { Simulation } from '../sim/simulation.ts';
import type { Stop } from '../sim/simulation.ts';

export { LIN_CHECKER };

export function runSimulation(spec: RunSpec, hooks: RunHooks = {}): RunReport {
  const useCheckers = spec.checkers ?? true;
  const judge = new Judge(useCheckers ? suiteOptionsFor(spec.options) : null, spec.linearizability ?? useCheckers);
  const simulation = new Simulation({
    seed: spec.seed, options: spec.options, schedule: spec.schedule, bugs: new Set(spec.bugs),
    record: spec.record, hash: spec.hash ?? spec.record, ...(hooks.factory === undefined ? {} : { factory: hooks.factory }),
    ...(hooks.sink === undefined ? {} : { sink: hooks.sink }),
    ...(spec.budgets === undefined ? {} : { budgets: spec.budgets }),
    observe: (event, index) => judge.observe(event, index),
    ...(spec.untilHeadline === true ? { haltAt: (found: Stop) => isSafety(found.checker) } : {}),
  });
  let sim = simulation.run();
  const { atEnd, ...judgement } = judge.finish({
    ...(spec.linearizability === undefined ? {} : { linearizability: spec.linearizability }),
    ...(spec.linBudgetSteps === undefined ? {} : { linBudgetSteps: spec.linBudgetSteps }),
    ...(spec.linWitness === undefined ? {} : { linWitness: spec.linWitness }),
  }, sim.timeMs, sim.halt);
  // What the end of the run found goes in the trace too, after its last event.
  for (const failure of atEnd) sim = simulation.recordViolation({ checker: failure.checker, message: failure.message });
  const sometimes = judge.sometimes();
  return {
    spec, sim, ...judgement,
    sometimes: sometimes === null ? null : withClientRetries(sometimes, sim.counters.clients.retries), operations: judge.operations,
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

export type { CheckerVerdict, Failure, RunHooks, RunReport, RunSpec, Verdict };
