// `npm run bench [-- --json] [-- SUITE...]`: prints the figures the README quotes. Suites: sim, lin, replay.
import { parseArgs } from 'node:util';
import { benchSimulator } from '../bench/sim.ts';
import type { Metric } from '../bench/metric.ts';
import { UsageError } from '../files.ts';
import { EXIT, runMain } from './common.ts';
import type { Io } from './common.ts';

const SUITES: Readonly<Record<string, () => Promise<Metric[]> | Metric[]>> = {
  sim: benchSimulator,
  lin: async () => (await import('../bench/lin.ts')).benchLinearizability(),
  sweep: async () => (await import('../bench/sweep.ts')).benchSweep(),
  replay: async () => (await import('../bench/replay.ts')).benchReplay(),
};

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}; usage: npm run bench -- [--json] [${Object.keys(SUITES).join('|')}]...`);
  }
  const names = parsed.positionals.length > 0 ? parsed.positionals : Object.keys(SUITES);
  for (const name of names) {
    if (SUITES[name] === undefined) throw new UsageError(`unknown benchmark suite "${name}"; valid: ${Object.keys(SUITES).join(', ')}`);
  }
  for (const name of names) {
    const metrics = await (SUITES[name] as () => Promise<Metric[]> | Metric[])();
    for (const metric of metrics) {
      io.stdout(parsed.values.json === true ? JSON.stringify(metric) : `${metric.metric.padEnd(36)} ${String(metric.value).padStart(14)} ${metric.unit}`);
    }
  }
  return EXIT.pass;
}

runMain(import.meta.url, main);
