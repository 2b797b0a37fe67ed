// One seed of a sweep, the same code in every worker thread (and in the bench's one-thread rounds): run it
// without recording (hash on, so runs compare), and re-run a failing seed with recording on to save
// its trace (runs replay exactly), then shrink its fault schedule like a single run and save the
// shrunk trace too. Everything returned is plain data, cloned across threads, so --jobs N prints
// what --jobs 1 prints.
import type { RunReport, RunSpec, Verdict } from '../../reports/run-report.ts';
import { formatSweepLine } from '../../reports/summary.ts';
import { encodeTrace } from '../../reports/trace-file.ts';
import { writeLinesAtomic } from '../files.ts';
import { describeShrink, shrinkable, shrinkFailure } from '../shrink.ts';
import type { ShrinkMode } from '../shrink.ts';
import { BUDGET_CHECKER } from '../../sim/simulation.ts';
import { withDeterminismGuard } from '../guard.ts';
import { runSimulation } from '../run.ts';
import type { SimArguments } from '../cli/sim-args.ts';
import { headerOf, implementationHooks, resultJson, saveFailure, savedTracePath, shrinkOptions, specFor, timed } from '../cli/runs.ts';
import { reproduceFromArgs } from '../cli/reproduce.ts';

/** One NDJSON line of a sweep: what `npm run sim -- merge` reads. */
export interface SeedResult {
  readonly seed: string;
  readonly verdict: Verdict;
  readonly checker: string | null;
  readonly message: string | null;
  readonly hash: string | null;
  readonly trace: string | null;
  /** The command that re-runs this seed with the sweep's flags. */
  readonly reproduce: string;
  readonly sometimes: Readonly<Record<string, number>> | null;
  /** A failing seed only: its fault schedule's size before and after shrinking, and the shrunk trace. */
  readonly shrunk?: ShrunkSeed;
  readonly [field: string]: unknown;
}

export interface ShrunkSeed {
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  /** Trace events of the failing run and of the shrunk one (never more). */
  readonly traceEventsBefore: number;
  readonly traceEventsAfter: number;
  readonly trace: string;
  /** `differential` when every step also passed on the correct side (scenarios/shrink.ts). */
  readonly mode: ShrinkMode;
}

export interface SeedOutcome {
  readonly result: SeedResult;
  /** One line for stderr when the seed did not pass. */
  readonly problem: string | null;
}

export function runSeed(seedText: string, args: SimArguments): SeedOutcome {
  const spec: RunSpec = { ...specFor(seedText, args, false), hash: true };
  const { report, wallMs } = timed(spec, implementationHooks());
  const saved = report.verdict === 'fail' ? saveFailure(seedText, headerOf(seedText, report.spec), rerunRecorded(report.spec), null) : null;
  // A run stopped at a budget (a runaway) is saved as it ran: every re-run would run away as long.
  const shrunk = shrinkable(report) ? shrinkAndSave(seedText, report) : null;
  const result = {
    ...resultJson(seedText, report, saved, wallMs), reproduce: reproduceCommand(seedText, args),
    ...(shrunk === null ? {} : { shrunk: shrunk.seed }),
  } as SeedResult;
  const problem = report.verdict === 'pass' ? null : formatSweepLine(report, seedText);
  return { result, problem: shrunk === null ? problem : `${problem}\n  ${shrunk.line}` };
}

/**
 * The heap of each sweep worker (MB): a worker past it stops, and its seed is `unknown` (lostSeed).
 * Not less than 2,048: V8 grows a heap whose limit is below 2,048 MB by a smaller factor after each
 * full collection (1.8 at 1,536 MB, 4 from 2,048 MB on, as the main thread's larger default heap
 * does), so a worker ran about twice as many full collections as --jobs 1 and was about 6% slower.
 */
export const WORKER_HEAP_MB = 2048;

/**
 * The outcome of a seed whose worker ran out of memory before the run hit a budget of its own (a
 * runaway the event budgets did not bound): `unknown`, naming the memory budget, with no trace
 * (the worker's state is gone) and the command that re-runs the seed alone. The sweep goes on
 * with a fresh worker.
 */
export function lostSeed(seedText: string, args: SimArguments, heapMb = WORKER_HEAP_MB): SeedOutcome {
  const reproduce = reproduceCommand(seedText, args);
  const message = `the worker running this seed ran out of its memory budget (a heap of ${heapMb} MB) `
    + `before the run ended: a runaway run, stopped; no trace was saved (re-run it alone: ${reproduce})`;
  const result: SeedResult = {
    seed: seedText, verdict: 'unknown', checker: BUDGET_CHECKER, message, hash: null, trace: null, reproduce, sometimes: null,
  };
  return { result, problem: `seed ${seedText} unknown: ${BUDGET_CHECKER}: ${message}` };
}

/** As `npm run sim` does for one failing seed (saveShrunk): shrink, re-run recorded, save. */
function shrinkAndSave(seedText: string, report: RunReport): { seed: ShrunkSeed; line: string } {
  const shrunk = shrinkFailure(report, shrinkOptions());
  const rerun = rerunRecorded(shrunk.spec);
  const header = headerOf(seedText, shrunk.spec);
  const trace = savedTracePath(seedText, header, rerun.failure?.checker ?? 'unknown', '', '.shrunk');
  writeLinesAtomic(trace, encodeTrace(header, rerun.sim.events ?? []), 'trace');
  const seed = {
    eventsBefore: shrunk.eventsBefore, eventsAfter: shrunk.eventsAfter,
    traceEventsBefore: shrunk.traceEventsBefore, traceEventsAfter: shrunk.traceEventsAfter, trace, mode: shrunk.mode,
  };
  return { seed, line: `${describeShrink(shrunk)}; shrunk trace: npm run sim -- --replay ${trace}` };
}

function rerunRecorded(spec: RunSpec): RunReport {
  return withDeterminismGuard(() => runSimulation({ ...spec, record: true }, implementationHooks()));
}

/** `npm run sim -- --seed S` with every flag that shapes the run, so the line stands alone. */
export function reproduceCommand(seedText: string, args: SimArguments): string {
  return reproduceFromArgs(seedText, args);
}
