// The task a pool worker runs: one seed (see seed.ts). Loaded through worker.mjs, which compiles
// this TypeScript with tsx inside the thread. Each thread loads the implementation under test
// itself (`--impl`, or package.json's raftsim.impl), once.
import { useReference } from '../cli/runs.ts';
import type { SimArguments } from '../cli/sim-args.ts';
import { implementationModule, useImplementation } from '../impl.ts';
import { runSeed } from './seed.ts';
import type { SeedOutcome } from './seed.ts';

export interface SeedTask {
  readonly seedText: string;
  readonly args: SimArguments;
}

export async function runSeedTask(task: SeedTask): Promise<SeedOutcome> {
  await useImplementation(implementationModule(task.args.impl));
  await useReference(task.args.reference);
  return runSeed(task.seedText, task.args);
}
