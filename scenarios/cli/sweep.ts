// `npm run sim -- --seeds A..B [--shard i/n] [--jobs N]`: a sweep over a seed range (see
// scenarios/sweep/). Ctrl-C stops it cleanly: what finished is printed and the exit code is 130.
import { UsageError } from '../files.ts';
import { describePlan, runSweep } from '../sweep/sweep.ts';
import { shardRange } from '../sweep/shard.ts';
import type { Output } from './runs.ts';
import type { SimArguments } from './sim-args.ts';

export async function sweep(args: SimArguments, out: Output, signal?: AbortSignal): Promise<number> {
  const full = args.seeds;
  if (full === null) throw new UsageError('--seeds is missing');
  const range = args.shard === null ? full : shardRange(full, args.shard);
  const plan = { args, range, jobs: args.jobs };
  out.io.stderr(describePlan(plan, full, args.shard === null ? null : `${args.shard.index}/${args.shard.count}`));
  if (signal !== undefined) return runSweep(plan, out, signal);
  const controller = new AbortController();
  const onInterrupt = (): void => {
    out.io.stderr('interrupted: stopping the sweep (finished seeds are printed)');
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await runSweep(plan, out, controller.signal);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
