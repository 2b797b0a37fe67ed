// `npm run sim` runs a single run (and a replay, a named scenario) in a worker thread: the run is
// one synchronous loop, and a signal handler in its thread would wait for it to end. Here the main
// thread stays free: on SIGINT or SIGTERM it stops the worker at once, removes the temporary files,
// prints where the run was (the options and anything else already printed stay) and exits 130 or
// 143. Output crosses as messages, in order; the exit code comes back with the last one.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cleanUp, EXIT, noteOutputFolder, reportError } from './common.ts';
import type { Io } from './common.ts';

interface ThreadData {
  readonly argv: readonly string[];
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

type ThreadMessage =
  | { readonly kind: 'out' | 'err'; readonly text: string }
  | { readonly kind: 'progress'; readonly phase: 'run' | 'shrink'; readonly events: number; readonly timeMs: number }
  | { readonly kind: 'done'; readonly code: number };

export interface ThreadChoices {
  readonly json: boolean;
  /** The run's seed (null for a replay), for the JSON line of an interrupted run. */
  readonly seed: string | null;
  /** Folders the run writes to: this process's temporary files there are removed on a signal. */
  readonly folders: readonly string[];
  /** A search (--search): many runs, whose failures are saved as they are found. */
  readonly search?: boolean;
}

const THREAD_URL = new URL('./thread.mjs', import.meta.url);

/** The main thread's side: runs `npm run sim ARGV` in a worker and relays its output. */
export function runInWorker(argv: readonly string[], io: Io, choices: ThreadChoices): Promise<number> {
  for (const folder of choices.folders) noteOutputFolder(folder);
  const data: ThreadData = { argv: [...argv], stdoutIsTty: io.stdoutIsTty, stderrIsTty: io.stderrIsTty, env: { ...io.env } };
  return new Promise((resolve) => {
    const worker = new Worker(THREAD_URL, { workerData: data });
    let last: Extract<ThreadMessage, { kind: 'progress' }> | null = null;
    let settled = false;
    /** The exit code of a run stopped by a signal, once the worker is told to stop. */
    let stopped: number | null = null;
    const finish = (code: number): void => {
      if (settled) return;
      settled = true;
      process.removeListener('SIGINT', onInterrupt);
      process.removeListener('SIGTERM', onTerminate);
      resolve(code);
    };
    const stop = (code: number, signal: string): void => {
      if (settled || stopped !== null) return;
      stopped = code;
      io.stderr(choices.search === true ? `interrupted (${signal}): the search stopped; the failures printed above are saved` : interruptedLine(signal, last));
      if (choices.json && choices.search !== true) {
        io.stdout(JSON.stringify({
          seed: choices.seed, verdict: 'interrupted', checker: null, message: `stopped by ${signal}`,
          timeMs: last?.timeMs ?? 0, traceEvents: last?.events ?? 0,
        }));
      }
      void worker.terminate();
    };
    const onInterrupt = (): void => stop(EXIT.interrupted, 'SIGINT');
    const onTerminate = (): void => stop(EXIT.terminated, 'SIGTERM');
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    worker.on('message', (message: ThreadMessage) => {
      if (settled) return;
      if (message.kind === 'out') io.stdout(message.text);
      else if (message.kind === 'err') io.stderr(message.text);
      else if (message.kind === 'progress') last = message;
      else if (message.kind === 'done') {
        finish(message.code);
        void worker.terminate();
      }
    });
    worker.on('error', (error) => finish(reportError(error, io)));
    worker.on('exit', () => {
      if (stopped !== null) cleanUp();
      finish(stopped ?? EXIT.internal);
    });
  });
}

function interruptedLine(signal: string, last: Extract<ThreadMessage, { kind: 'progress' }> | null): string {
  if (last === null) return `interrupted (${signal}) before the run finished: no verdict, nothing saved`;
  const where = `simulated ${(last.timeMs / 1000).toFixed(3)} s, ${last.events} trace events`;
  if (last.phase === 'shrink') return `interrupted (${signal}) while shrinking (${where}): the failing trace above is saved, the shrunk one is not`;
  return `interrupted (${signal}) during the run at ${where}: no verdict, nothing saved`;
}

/** The command a worker runs: sim.ts's main, handed over by thread.mjs (this module does not import it back). */
export type ThreadCommand = (argv: readonly string[], io: Io, progress: (phase: 'run' | 'shrink', events: number, timeMs: number) => void) => Promise<number>;

/** The worker's side (started by thread.mjs): runs the command and posts what it prints. */
export async function runThread(main: ThreadCommand): Promise<void> {
  if (isMainThread || parentPort === null) throw new Error('runThread() belongs in a worker thread');
  const port = parentPort;
  const data = workerData as ThreadData;
  const post = (message: ThreadMessage): void => port.postMessage(message);
  const io: Io = {
    stdout: (text) => post({ kind: 'out', text }), stderr: (text) => post({ kind: 'err', text }),
    stdoutIsTty: data.stdoutIsTty, stderrIsTty: data.stderrIsTty, env: data.env,
  };
  let code: number;
  try {
    code = await main(data.argv, io, (phase, events, timeMs) => post({ kind: 'progress', phase, events, timeMs }));
  } catch (error) {
    code = reportError(error, io);
  }
  post({ kind: 'done', code });
}
