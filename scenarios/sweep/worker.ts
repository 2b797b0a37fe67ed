// The task a pool worker runs: one seed (see seed.ts). Loaded through worker.mjs, which compiles
// this TypeScript with tsx inside the thread.
import type { SimArguments } from '../cli/sim-args.ts';
import { runSeed } from './seed.ts';
import type { SeedOutcome } from './seed.ts';

export interface SeedTask {
  readonly seedText: string;
  readonly args: SimArguments;
}

export function runSeedTask(task: SeedTask): SeedOutcome {
  return runSeed(task.seedText, task.args);
}
