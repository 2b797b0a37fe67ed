// `npm run bench [-- --json] [-- SUITE...] [--against REF]`: prints the figures the README quotes.
// Suites: sim, lin, sweep, replay, bugs, coverage. With --against REF, sim and sweep run on this
// checkout and on REF's in alternating rounds of one sitting and print both and their ratio.
// --preset NAME makes the sweep run that preset's seeds (the same options on every commit whose
// preset is the same) instead of the default swarm's.
import { parseArgs } from 'node:util';
import { benchSimulator } from '../bench/sim.ts';
import type { Metric } from '../bench/metric.ts';
import { UsageError } from '../files.ts';
import { isPresetName, PRESET_NAMES } from '../../sim/options.ts';
import type { PresetName } from '../../sim/options.ts';
import { EXIT, runMain } from './common.ts';
import type { Io } from './common.ts';

/** A suite may print a table of its own (human text: stdout, or stderr with --json). */
type Suite = (print: (line: string) => void, preset: PresetName | null) => Promise<Metric[]> | Metric[];

const SUITES: Readonly<Record<string, Suite>> = {
  sim: () => benchSimulator(),
  lin: async (print) => (await import('../bench/lin.ts')).benchLinearizability(print),
  sweep: async (print, preset) => (await import('../bench/sweep.ts')).benchSweep(print, preset),
  replay: async () => (await import('../bench/replay.ts')).benchReplay(),
  bugs: async (print) => (await import('../bench/bugs.ts')).benchBugs(print),
  coverage: async (print) => (await import('../bench/coverage.ts')).benchCoverage(print),
};

/** The suites --against can compare (scenarios/bench/against.ts). */
const AGAINST: Readonly<Record<string, (ref: string, print: (line: string) => void, preset: PresetName | null) => Promise<Metric[]>>> = {
  sim: async (ref, print) => (await import('../bench/against.ts')).benchSimulatorAgainst(ref, print),
  sweep: async (ref, print, preset) => (await import('../bench/against.ts')).benchSweepAgainst(ref, print, preset),
};

export const BENCH_USAGE = `usage: npm run bench -- [--json] [${Object.keys(SUITES).join('|')}]... [--against REF] [--preset NAME]
  every suite but bugs without a name; --json prints NDJSON lines {"metric","value","unit"};
  --against REF (sim, sweep): the same figures for the commit REF, measured in the same sitting, and the ratios;
  --preset ${PRESET_NAMES.join('|')} (sweep): the sweep runs that preset's seeds instead of the default swarm's`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { json: { type: 'boolean' }, against: { type: 'string' }, preset: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}; ${BENCH_USAGE.split('\n')[0] ?? ''}`);
  }
  if (parsed.values.help === true) {
    io.stdout(BENCH_USAGE);
    return EXIT.pass;
  }
  // The bug benchmark takes minutes: it runs only when named.
  const names = parsed.positionals.length > 0 ? parsed.positionals : Object.keys(SUITES).filter((name) => name !== 'bugs');
  for (const name of names) {
    if (SUITES[name] === undefined) throw new UsageError(`unknown benchmark suite "${name}"; valid: ${Object.keys(SUITES).join(', ')}`);
  }
  const against = parsed.values.against;
  const presetText = parsed.values.preset;
  if (presetText !== undefined && !isPresetName(presetText)) throw new UsageError(`--preset ${presetText}: unknown preset; valid: ${PRESET_NAMES.join(', ')}`);
  const preset = presetText ?? null;
  if (preset !== null && names.some((name) => name !== 'sweep')) throw new UsageError('--preset applies to the sweep suite only: npm run bench -- sweep --preset NAME');
  if (against !== undefined) {
    if (parsed.positionals.length === 0) throw new UsageError(`--against needs a suite: ${Object.keys(AGAINST).join(' or ')}`);
    const other = names.find((name) => AGAINST[name] === undefined);
    if (other !== undefined) throw new UsageError(`--against compares ${Object.keys(AGAINST).join(' and ')}, not "${other}"`);
  }
  for (const name of names) {
    const print = (line: string): void => (parsed.values.json === true ? io.stderr(line) : io.stdout(line));
    const metrics = against === undefined ? await (SUITES[name] as Suite)(print, preset) : await (AGAINST[name] as NonNullable<(typeof AGAINST)[string]>)(against, print, preset);
    for (const metric of metrics) {
      io.stdout(parsed.values.json === true ? JSON.stringify(metric) : `${metric.metric.padEnd(36)} ${String(metric.value).padStart(14)} ${metric.unit}`);
    }
  }
  return EXIT.pass;
}

// SIGINT and SIGTERM end the bench with exit 130 or 143 once the running step lets them (a child
// process the signal also reached ends at once); its temporary folders and worktree go with it.
runMain(import.meta.url, main, { signals: true });
