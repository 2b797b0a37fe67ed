// A sweep over a seed range (or one shard of it) on a tinypool of --jobs worker threads (one by
// default), so the main thread stays free: Ctrl-C stops a sweep at once, even in the middle of a
// long seed or a failure's shrinking, as it stops a single run (cli/thread.ts). Results are printed
// in seed order, so --jobs N prints exactly what --jobs 1 prints. An abort (Ctrl-C) stops
// submitting, ends the workers, prints what finished and returns EXIT.interrupted.
import { Tinypool } from 'tinypool';
import { EXIT } from '../cli/common.ts';
import { optionsFor } from '../cli/runs.ts';
import type { Output } from '../cli/runs.ts';
import type { SimArguments } from '../cli/sim-args.ts';
import { dispatchOrder, estimatedCost, HEAVIEST_FIRST_SEEDS } from './dispatch.ts';
import { InOrder } from './ordered.ts';
import { Progress } from './progress.ts';
import { lostSeed, WORKER_HEAP_MB } from './seed.ts';
import type { SeedOutcome } from './seed.ts';
import { formatRange, seedCount } from './shard.ts';
import type { SeedRange } from './shard.ts';
import { SweepTally } from './tally.ts';
import type { SeedTask } from './worker.ts';

const WORKER_URL = new URL('./worker.mjs', import.meta.url).href;
/** Tasks queued per worker: enough to keep every worker busy, few enough to bound memory. */
const QUEUED_PER_WORKER = 4;

export interface SweepPlan {
  readonly args: SimArguments;
  /** Null for an empty shard. */
  readonly range: SeedRange | null;
  readonly jobs: number;
}

export async function runSweep(plan: SweepPlan, out: Output, signal: AbortSignal): Promise<number> {
  const total = seedCount(plan.range);
  const tally = new SweepTally();
  const progress = new Progress(out.io, total);
  const emit = (outcome: SeedOutcome): void => {
    tally.add(outcome.result);
    if (outcome.problem !== null) out.io.stderr(outcome.problem);
    if (outcome.result.trace !== null) out.io.stderr(`  trace saved; reproduce with: npm run sim -- --replay ${outcome.result.trace}`);
    if (plan.args.json) out.io.stdout(JSON.stringify(outcome.result));
    progress.update(tally);
  };
  if (plan.range !== null) await sweepOnPool(plan.range, plan.args, plan.jobs, emit, signal);
  const wallS = progress.elapsedMs() / 1000;
  const rate = tally.seeds / Math.max(wallS, 1e-3);
  const interrupted = signal.aborted && tally.seeds < total;
  const head = interrupted ? `interrupted: ${tally.seeds} of ${total} seeds finished` : `${total} seeds`;
  out.io.stderr(`${head} in ${wallS.toFixed(1)} s (${rate.toFixed(1)} seeds/s, jobs ${plan.jobs}): ${tally.verdictLine()}`);
  return interrupted ? EXIT.interrupted : tally.exitCode();
}

/**
 * The worker pool of a sweep. With every core running a worker, V8's concurrent garbage collector
 * threads only compete with the workers for the same cores, so `npm run sim` starts node with
 * --single-threaded-gc (a V8 flag must be given at startup: set at run time, V8 aborts later in a
 * concurrent-marking check).
 */
export function createSweepPool(jobs: number, heapMb = WORKER_HEAP_MB): Tinypool {
  return new Tinypool({
    filename: WORKER_URL, minThreads: jobs, maxThreads: jobs, isolateWorkers: false,
    // A worker past its heap stops with ERR_WORKER_OUT_OF_MEMORY (the process goes on): lostSeed.
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
}

/** A worker that ran out of its heap on a task (WORKER_HEAP_MB). */
export function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

export async function sweepOnPool(
  range: SeedRange, args: SimArguments, jobs: number, emit: (outcome: SeedOutcome) => void, signal: AbortSignal, heapMb = WORKER_HEAP_MB,
): Promise<void> {
  const pool = createSweepPool(jobs, heapMb);
  try {
    await sweepOn(pool, range, args, jobs, emit, signal, heapMb);
  } finally {
    await pool.destroy();
  }
}

/**
 * The pool sweep on a pool that is already running (the bench's, warmed up): seeds go out in
 * dispatchOrder, at most QUEUED_PER_WORKER per worker at a time, and are emitted in seed order.
 */
export async function sweepOn(
  pool: Tinypool, range: SeedRange, args: SimArguments, jobs: number, emit: (outcome: SeedOutcome) => void, signal: AbortSignal, heapMb = WORKER_HEAP_MB,
): Promise<void> {
  const order = new InOrder<SeedOutcome>(range.first);
  let running = 0;
  let failed: { readonly error: unknown } | null = null;
  // The loop waits for a free place in the queue (or the end): one waiter, woken when a task
  // settles or the sweep is aborted. (Racing the running tasks and the abort on every seed left
  // a reaction per seed on the abort's promise, which never settles in a sweep that finishes.)
  let wake: (() => void) | null = null;
  const resume = (): void => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const waitWhile = async (busy: () => boolean): Promise<void> => {
    while (busy() && !signal.aborted && failed === null) await new Promise<void>((resolve) => { wake = resolve; });
  };
  signal.addEventListener('abort', resume, { once: true });
  try {
    for (const seed of dispatchOrder(range, (seed) => estimatedCost(optionsFor(String(seed), args)), jobs > 1 ? HEAVIEST_FIRST_SEEDS : 0)) {
      if (signal.aborted || failed !== null) break;
      const task: SeedTask = { seedText: String(seed), args };
      running += 1;
      void (pool.run(task, { signal }) as Promise<SeedOutcome>).then(
        (outcome) => { for (const ready of order.put(seed, outcome)) emit(ready); },
        (error: unknown) => {
          // A runaway the run's own budgets did not stop: the seed is unknown, the sweep goes on.
          if (isOutOfMemory(error)) for (const ready of order.put(seed, lostSeed(String(seed), args, heapMb))) emit(ready);
          else if (!signal.aborted) throw error;
        },
      ).catch((error: unknown) => { failed ??= { error }; }).finally(() => {
        running -= 1;
        resume();
      });
      await waitWhile(() => running >= jobs * QUEUED_PER_WORKER);
    }
    await waitWhile(() => running > 0);
    if (failed !== null) throw (failed as { readonly error: unknown }).error;
  } finally {
    signal.removeEventListener('abort', resume);
  }
  // Interrupted: what finished past a gap is still a finished result.
  for (const outcome of order.rest()) emit(outcome);
}

export function describePlan(plan: SweepPlan, full: SeedRange, shard: string | null): string {
  const range = plan.range === null ? 'no seeds' : `seeds ${formatRange(plan.range)}`;
  const of = shard === null ? '' : ` (shard ${shard} of ${formatRange(full)})`;
  return `sweep: ${range}${of}, ${seedCount(plan.range)} seeds, jobs ${plan.jobs}`;
}
