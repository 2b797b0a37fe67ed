// Runs one seed in a worker thread and posts its trace hash back (see determinism.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { OptionsOverride } from '../sim/options.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

const data = workerData as { seed: string; override: OptionsOverride };
const spec = specForSeed(data.seed, { preset: null, override: data.override, bugs: [], record: false });
parentPort?.postMessage(runSimulation({ ...spec, hash: true }).sim.hash);
