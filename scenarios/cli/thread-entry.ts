// The worker thread's entry (loaded by thread.mjs): the worker side of thread.ts running sim.ts's
// main. One module graph, so both see the same error classes (UsageError is exit 2 in either).
import { main } from './sim.ts';
import { runThread } from './thread.ts';

await runThread(main);
