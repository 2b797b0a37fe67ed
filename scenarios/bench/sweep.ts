// Sweep figures: seeds per second with --jobs 1 (in this thread) and --jobs 2 (tinypool, warmed
// up), their ratio, and peak memory (max RSS of a child process) of a long sweep of short runs and
// of a one-hour simulated 5-node run with --trace (streamed to disk).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSeed } from '../sweep/seed.ts';
import { createSweepPool } from '../sweep/sweep.ts';
import type { SeedTask } from '../sweep/worker.ts';
import { parseSimArguments } from '../cli/sim-args.ts';
import type { Metric } from './metric.ts';

/**
 * Enough seeds that the figure is a sweep's steady rate: swarm seeds keep reaching new code, and
 * after one warm-up seed V8 still compiled about 250 functions over the next 16 seeds (a second
 * core's worth of work that --jobs 1 gets for free on the idle core and --jobs 2 must share).
 */
const SEEDS = 48;
/** Warm-up seeds per thread (main thread or worker) before the clock starts. */
const WARMUP_SEEDS = 4;
/** Short runs for the memory figure: 100k full seeds take hours; RSS growth shows on short ones. */
const MEMORY_SEEDS = 3000;
const MAX_RSS_PROBE = "process.on('exit',()=>process.stderr.write('maxrss_kb '+process.resourceUsage().maxRSS+'\\n'))";

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function seedsPerSecond(jobs: number): Promise<number> {
  const args = parseSimArguments(['--seeds', `1..${SEEDS}`]);
  if (jobs === 1) {
    for (let seed = 1000; seed < 1000 + WARMUP_SEEDS; seed++) runSeed(String(seed), args);
    const started = process.hrtime.bigint();
    for (let seed = 1; seed <= SEEDS; seed++) runSeed(String(seed), args);
    return SEEDS / seconds(started);
  }
  const pool = createSweepPool(jobs);
  try {
    const task = (seed: number): Promise<unknown> => pool.run({ seedText: String(seed), args } satisfies SeedTask);
    await Promise.all(Array.from({ length: jobs * WARMUP_SEEDS }, (_, index) => task(1000 + index)));
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: SEEDS }, (_, index) => task(index + 1)));
    return SEEDS / seconds(started);
  } finally {
    await pool.destroy();
  }
}

/** Max RSS in MB of `npm run sim -- ARGS` run in a child process. */
function childMaxRssMb(argv: readonly string[]): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', `data:text/javascript,${MAX_RSS_PROBE}`, 'scenarios/cli/sim.ts', ...argv],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const match = /maxrss_kb (\d+)/.exec(child.stderr);
  if (match === null) throw new Error(`no max RSS from the child (exit ${child.status}): ${child.stderr.slice(-300)}`);
  return Math.round(Number(match[1]) / 1024);
}

export async function benchSweep(): Promise<Metric[]> {
  const jobs1 = await seedsPerSecond(1);
  const jobs2 = await seedsPerSecond(2);
  const sweepRss = childMaxRssMb(['--seeds', `1..${MEMORY_SEEDS}`, '--time', '1s', '--json']);
  const temp = mkdtempSync(join(tmpdir(), 'raftsim-bench-'));
  let traceRss: number;
  try {
    traceRss = childMaxRssMb(['--seed', '1', '--nodes', '5', '--time', '1h', '--trace', join(temp, 'one-hour.trace.jsonl')]);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return [
    { metric: 'sweep.seeds_per_s_jobs1', value: round(jobs1), unit: `seeds/s (${SEEDS} default seeds, after ${WARMUP_SEEDS} per thread)` },
    { metric: 'sweep.seeds_per_s_jobs2', value: round(jobs2), unit: `seeds/s (${cores} cores)` },
    { metric: 'sweep.parallel_speedup', value: round(jobs2 / jobs1), unit: 'ratio' },
    { metric: 'sweep.rss_mb_100k_seeds', value: sweepRss, unit: `MB max RSS (${MEMORY_SEEDS} seeds of 1 s, --json)` },
    { metric: 'trace.rss_mb_1h', value: traceRss, unit: 'MB max RSS (5 nodes, 1 h simulated, --trace)' },
  ];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
