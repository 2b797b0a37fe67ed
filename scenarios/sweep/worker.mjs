// The pool loads its workers as JavaScript; tsx compiles the TypeScript task module inside the
// thread (a worker does not inherit the main thread's loader when the parent is not run by tsx).
import { tsImport } from 'tsx/esm/api';

const module = await tsImport('./worker.ts', import.meta.url);

export default module.runSeedTask;
