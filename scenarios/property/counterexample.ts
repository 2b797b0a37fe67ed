// A property over whole runs: run the case, and when the property fails, save the run as a trace
// under reports/runs/ and fail with the commands that replay it. fast-check calls the property on
// every shrinking step; each failure overwrites the same file, so what is left is the minimal case.
import { join } from 'node:path';
import { describeFault } from '../../sim/faults.ts';
import { encodeTrace, TRACE_FORMAT } from '../../reports/trace-file.ts';
import type { RunReport, RunSpec } from '../../reports/run-report.ts';
import { RAFTSIM_VERSION, RUNS_DIR } from '../cli/runs.ts';
import { writeLinesAtomic } from '../files.ts';
import { runSimulation } from '../run.ts';
import type { RunCase } from './arbitraries.ts';

/** What a property says about a finished run: null when it holds, else why not. */
export type RunProperty = (report: RunReport) => string | null;

export const EVERY_CHECKER_PASSES: RunProperty = (report) => report.verdict === 'pass'
  ? null
  : `verdict ${report.verdict}${report.failure === null ? '' : `: ${report.failure.checker}: ${report.failure.message}`}`;

export class PropertyFailure extends Error {
  override readonly name = 'PropertyFailure';
  constructor(message: string, readonly tracePath: string) {
    super(message);
  }
}

export function specOf(runCase: RunCase, record: boolean): RunSpec {
  return { seed: runCase.seed, options: runCase.options, schedule: runCase.schedule, bugs: runCase.bugs ?? [], scenario: null, record };
}

/** The file a property's counterexample goes to: one per property, named after it. */
export function counterexamplePath(propertyName: string): string {
  return join(RUNS_DIR, `property-${propertyName.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.trace.jsonl`);
}

/** Runs the case; throws a PropertyFailure naming the saved trace when the property fails. */
export function checkRun(propertyName: string, runCase: RunCase, property: RunProperty): void {
  const problem = property(runSimulation(specOf(runCase, false)));
  if (problem === null) return;
  // The run replays exactly, so recording it again gives the trace of the failing run.
  const recorded = runSimulation(specOf(runCase, true));
  const path = counterexamplePath(propertyName);
  writeLinesAtomic(path, encodeTrace({
    format: TRACE_FORMAT, raftsim: RAFTSIM_VERSION, seed: String(runCase.seed), scenario: null,
    options: runCase.options, schedule: runCase.schedule, bugs: runCase.bugs ?? [],
  }, recorded.sim.events ?? []));
  const schedule = runCase.schedule.length === 0 ? '  (no faults)' : runCase.schedule.map((fault) => `  ${describeFault(fault)}`).join('\n');
  throw new PropertyFailure([
    `${propertyName}: ${problem}`,
    `seed ${runCase.seed}, ${runCase.options.nodes} nodes, schedule of ${runCase.schedule.length} faults:`,
    schedule,
    `trace saved to ${path}; reproduce with:`,
    `  npm run sim -- --replay ${path}`,
    `  npm run replay -- ${path}`,
  ].join('\n'), path);
}
