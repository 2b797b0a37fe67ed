// Loads the worker thread's entry (thread-entry.ts: thread.ts's worker side running sim.ts's main)
// as JavaScript: tsx compiles the TypeScript inside the thread (a worker does not inherit the main
// thread's loader when the parent is not run by tsx), as scenarios/sweep/worker.mjs does for the
// sweep's pool.
import { tsImport } from 'tsx/esm/api';

await tsImport('./thread-entry.ts', import.meta.url);
