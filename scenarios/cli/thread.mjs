// Loads the worker side of scenarios/cli/thread.ts as JavaScript: tsx compiles the TypeScript
// inside the thread (a worker does not inherit the main thread's loader when the parent is not run
// by tsx), as scenarios/sweep/worker.mjs does for the sweep's pool.
import { tsImport } from 'tsx/esm/api';

const module = await tsImport('./thread.ts', import.meta.url);
await module.runThread();
