// One seed of a sweep, the same code in the main thread (--jobs 1) and in a worker thread: run it
// without recording (hash on, so runs compare), and re-run a failing seed with recording on to save
// its trace (runs replay exactly). Everything returned is plain data, cloned across threads.
import type { RunReport, RunSpec, Verdict } from '../../reports/run-report.ts';
import { formatSweepLine } from '../../reports/summary.ts';
import { withDeterminismGuard } from '../guard.ts';
import { runSimulation } from '../run.ts';
import type { SimArguments } from '../cli/sim-args.ts';
import { headerOf, resultJson, saveFailure, specFor, timed } from '../cli/sim.ts';

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
  readonly [field: string]: unknown;
}

export interface SeedOutcome {
  readonly result: SeedResult;
  /** One line for stderr when the seed did not pass. */
  readonly problem: string | null;
}

export function runSeed(seedText: string, args: SimArguments): SeedOutcome {
  const spec: RunSpec = { ...specFor(seedText, args, false), hash: true };
  const { report, wallMs } = timed(spec);
  const saved = report.verdict === 'fail' ? saveFailure(seedText, headerOf(seedText, report.spec), rerunRecorded(report.spec), null) : null;
  const result = { ...resultJson(seedText, report, saved, wallMs), reproduce: reproduceCommand(seedText, args) } as SeedResult;
  return { result, problem: report.verdict === 'pass' ? null : formatSweepLine(report, seedText) };
}

function rerunRecorded(spec: RunSpec): RunReport {
  return withDeterminismGuard(() => runSimulation({ ...spec, record: true }));
}

/** `npm run sim -- --seed S` with every flag that shapes the run, so the line stands alone. */
export function reproduceCommand(seedText: string, args: SimArguments): string {
  const flags = [`--seed ${seedText}`];
  if (args.preset !== null) flags.push(`--preset ${args.preset}`);
  if (args.nodes !== null) flags.push(`--nodes ${args.nodes}`);
  if (args.clients !== null) flags.push(`--clients ${args.clients}`);
  if (args.durationMs !== null) flags.push(`--time ${args.durationMs}ms`);
  for (const bug of args.bugs) flags.push(`--bug ${bug}`);
  return `npm run sim -- ${flags.join(' ')}`;
}
