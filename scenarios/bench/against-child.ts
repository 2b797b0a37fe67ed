// One side of `npm run bench -- SUITE --against REF` (scenarios/bench/against.ts), run in a child
// process: loads the code of the checkout at ROOT (this one or REF's) and times it, printing one
// JSON line. It uses only what every checkout since the sweep's seed runner has had:
// scenarios/sweep/seed.ts runSeed, scenarios/cli/sim-args.ts parseSimArguments and
// scenarios/bench/sim.ts benchSimulator.
//
//   node --single-threaded-gc --import tsx against-child.ts ROOT sweep SEEDS WARMUP [PRESET]
//   node --single-threaded-gc --import tsx against-child.ts ROOT sim
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface SeedModule {
  runSeed(seedText: string, args: unknown): { readonly result: { readonly verdict: string; readonly checker: string | null } };
}
interface ArgsModule {
  parseSimArguments(argv: readonly string[]): unknown;
}
interface SimBenchModule {
  benchSimulator(): readonly { readonly metric: string; readonly value: number; readonly unit: string }[];
}

async function load<T>(root: string, path: string): Promise<T> {
  return await import(pathToFileURL(join(root, path)).href) as T;
}

/** Seeds 1..seeds as the sweep runs them (runSeed: hash on, every checker), one thread, after warm-up seeds. */
async function sweep(root: string, seeds: number, warmup: number, preset: string | undefined): Promise<object> {
  const { runSeed } = await load<SeedModule>(root, 'scenarios/sweep/seed.ts');
  const { parseSimArguments } = await load<ArgsModule>(root, 'scenarios/cli/sim-args.ts');
  const args = parseSimArguments(['--seeds', `1..${seeds}`, ...(preset === undefined ? [] : ['--preset', preset])]);
  for (let seed = 1000; seed < 1000 + warmup; seed++) runSeed(String(seed), args);
  const verdicts: string[] = [];
  const started = process.hrtime.bigint();
  for (let seed = 1; seed <= seeds; seed++) {
    const { result } = runSeed(String(seed), args);
    verdicts.push(result.verdict === 'pass' ? 'pass' : `${result.verdict}:${result.checker ?? ''}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, seeds, verdicts };
}

async function main(): Promise<void> {
  const [root, suite, seedsText, warmupText, preset] = process.argv.slice(2);
  if (root === undefined || (suite !== 'sweep' && suite !== 'sim')) throw new Error('usage: against-child.ts ROOT sweep|sim [SEEDS WARMUP]');
  const line = suite === 'sweep'
    ? await sweep(root, Number(seedsText ?? 100), Number(warmupText ?? 4), preset)
    : { metrics: (await load<SimBenchModule>(root, 'scenarios/bench/sim.ts')).benchSimulator() };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

await main();
