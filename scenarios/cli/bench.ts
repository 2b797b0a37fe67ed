// `npm run bench [-- --json] [-- SUITE...]`: prints the figures the README quotes. Suites: sim, lin, sweep, replay, bugs.
import { parseArgs } from 'node:util';
import { benchSimulator } from '../bench/sim.ts';
import type { Metric } from '../bench/metric.ts';
import { UsageError } from '../files.ts';
import { EXIT, runMain } from './common.ts';
import type { Io } from './common.ts';

/** A suite may print a table of its own (human text: stdout, or stderr with --json). */
type Suite = (print: (line: string) => void) => Promise<Metric[]> | Metric[];

const SUITES: Readonly<Record<string, Suite>> = {
  sim: benchSimulator,
  lin: async (print) => (await import('../bench/lin.ts')).benchLinearizability(print),
  sweep: async (print) => (await import('../bench/sweep.ts')).benchSweep(print),
  replay: async () => (await import('../bench/replay.ts')).benchReplay(),
  bugs: async (print) => (await import('../bench/bugs.ts')).benchBugs(print),
  coverage: async (print) => (await import('../bench/coverage.ts')).benchCoverage(print),
};

export const BENCH_USAGE = `usage: npm run bench -- [--json] [${Object.keys(SUITES).join('|')}]...
  every suite but bugs without a name; --json prints NDJSON lines {"metric","value","unit"}`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
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
  for (const name of names) {
    const print = (line: string): void => (parsed.values.json === true ? io.stderr(line) : io.stdout(line));
    const metrics = await (SUITES[name] as Suite)(print);
    for (const metric of metrics) {
      io.stdout(parsed.values.json === true ? JSON.stringify(metric) : `${metric.metric.padEnd(36)} ${String(metric.value).padStart(14)} ${metric.unit}`);
    }
  }
  return EXIT.pass;
}

runMain(import.meta.url, main);
