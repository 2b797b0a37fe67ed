// `npm run sim -- --search --seeds A..B [--bug X]`: the guided search of scenarios/search.ts, with
// the range's size as its budget of runs and its first seed as the first plain seed. Each counted
// failure is re-run recorded and saved; its reproduce line runs the exact (perhaps perturbed) run
// from scratch: the seed, and `--schedule TRACE` when the schedule is not the seed's own.
import { formatSweepLine } from '../../reports/summary.ts';
import { withDeterminismGuard } from '../guard.ts';
import { runSimulation } from '../run.ts';
import { search } from '../search.ts';
import type { SearchRun } from '../search.ts';
import { EXIT } from './common.ts';
import { reproduceFromHeader } from './reproduce.ts';
import { headerOf, printReproduce, savedTracePath, specFor, writeTrace } from './runs.ts';
import type { Output } from './runs.ts';
import type { SimArguments } from './sim-args.ts';
import { UsageError } from '../files.ts';

export function searchSweep(args: SimArguments, out: Output): number {
  const range = args.seeds;
  if (range === null) throw new UsageError('--search needs --seeds A..B');
  const runs = range.last - range.first + 1;
  out.io.stderr(`search: ${runs} runs from seed ${range.first} (plain seeds, then children of the corpus: schedules perturbed around rare facts)`);
  let unknown = 0;
  const result = withDeterminismGuard(() => search({
    firstSeed: range.first, runs, specOf: (seed) => ({ ...specFor(String(seed), args, false), hash: true }),
    onRun: (run) => {
      if (run.report.verdict === 'unknown') unknown++;
      if (run.report.verdict !== 'pass') report(run, args, out);
    },
  }));
  out.io.stderr(`search: ${result.runs} runs (${result.plainRuns} plain seeds, ${result.children} children), corpus ${result.corpus}, `
    + `${result.failures.length} failing${result.runsToFirstFailure === null ? '' : `, first at run ${result.runsToFirstFailure}`}, ${unknown} unknown`);
  if (result.failures.length > 0) return EXIT.fail;
  return unknown > 0 ? EXIT.unknown : EXIT.pass;
}

/** One line per run that did not pass; a failure is saved and its reproduce lines printed. */
function report(run: SearchRun, args: SimArguments, out: Output): void {
  const seedText = String(run.seed);
  const origin = run.parent === null ? 'plain seed' : `child of run ${run.parent}, ${run.perturbation}`;
  out.io.stderr(`run ${run.index} (${origin}): ${formatSweepLine(run.report, seedText)}`);
  const reproduce = run.report.verdict === 'fail' ? saveRun(run, seedText, out) : null;
  if (args.json) {
    out.io.stdout(JSON.stringify({
      run: run.index, seed: seedText, parent: run.parent, perturbation: run.perturbation, verdict: run.report.verdict,
      checker: run.report.failure?.checker ?? null, message: run.report.failure?.message ?? null, reproduce,
    }));
  }
}

function saveRun(run: SearchRun, seedText: string, out: Output): string | null {
  const recorded = withDeterminismGuard(() => runSimulation({ ...run.spec, record: true, hash: true }));
  const header = headerOf(seedText, run.spec);
  const path = savedTracePath(seedText, header, recorded.failure?.checker ?? 'unknown', 'search-');
  writeTrace(path, header, recorded);
  const reproduce = reproduceFromHeader(header, path);
  printReproduce(out, path, '  ', reproduce);
  return reproduce;
}
