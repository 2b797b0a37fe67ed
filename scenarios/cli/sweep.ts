// `npm run sim -- --seeds A..B`: a sweep over a seed range. Recording is off for speed; a failing
// seed is re-run with recording on (runs replay exactly) and its trace saved.
import type { RunReport, RunSpec } from '../../reports/run-report.ts';
import { formatSweepLine } from '../../reports/summary.ts';
import { UsageError } from '../files.ts';
import { withDeterminismGuard } from '../guard.ts';
import { runSimulation } from '../run.ts';
import { EXIT } from './common.ts';
import type { SimArguments } from './sim-args.ts';
import { headerOf, printReproduce, resultJson, saveFailure, specFor, timed } from './sim.ts';
import type { Output } from './sim.ts';

export function sweep(args: SimArguments, out: Output): number {
  const range = args.seeds;
  if (range === null) throw new UsageError('--seeds is missing');
  const total = range.last - range.first + 1;
  const started = process.hrtime.bigint();
  let failed = 0;
  let unknown = 0;
  for (let seed = range.first; seed <= range.last; seed++) {
    const seedText = String(seed);
    const { report, wallMs } = timed(specFor(seedText, args, false));
    if (report.verdict !== 'pass') {
      if (report.verdict === 'fail') failed++;
      else unknown++;
      out.io.stderr(formatSweepLine(report, seedText));
      const saved = report.verdict === 'fail' ? saveFailure(seedText, headerOf(seedText, report.spec), rerunRecorded(report.spec), null) : null;
      if (saved !== null) printReproduce(out, saved, '  ');
      if (args.json) out.io.stdout(JSON.stringify(resultJson(seedText, report, saved, wallMs)));
    } else if (args.json) {
      out.io.stdout(JSON.stringify(resultJson(seedText, report, null, wallMs)));
    }
    const done = seed - range.first + 1;
    if (done % 50 === 0 || done === total) out.io.stderr(`progress ${done}/${total} seeds, ${failed} failed, ${unknown} unknown`);
  }
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  out.io.stderr(`${total} seeds in ${wallS.toFixed(1)} s (${(total / wallS).toFixed(1)} seeds/s): ${total - failed - unknown} passed, ${failed} failed, ${unknown} unknown`);
  return failed > 0 ? EXIT.fail : unknown > 0 ? EXIT.unknown : EXIT.pass;
}

/** A sweep runs without recording; a failing seed is re-run with recording on (it replays exactly). */
function rerunRecorded(spec: RunSpec): RunReport {
  return withDeterminismGuard(() => runSimulation({ ...spec, record: true }));
}

