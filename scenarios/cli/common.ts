// What every command-line entry point shares: exit codes (docs/design.md, "Exit codes"), colour,
// and the wrapper that turns a bad input into one line and exit 2 and a harness bug into exit 4.
import { Chalk } from 'chalk';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { Paint } from '../../reports/summary.ts';
import { removeTemporaries, UsageError } from '../files.ts';

/** 5: a replay re-ran differently from its trace; 130 and 143: stopped by SIGINT and SIGTERM. */
export const EXIT = { pass: 0, fail: 1, usage: 2, unknown: 3, internal: 4, diverged: 5, interrupted: 130, terminated: 143 } as const;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const PROCESS_IO: Io = {
  stdout: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  env: process.env,
};

/** Colours when the stream is a terminal and NO_COLOR is not set (https://no-color.org). */
export function paintFor(io: Io, tty: boolean): Paint {
  const noColor = io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '';
  const chalk = new Chalk({ level: tty && !noColor ? 1 : 0 });
  return { ok: chalk.green, bad: chalk.red.bold, warn: chalk.yellow, dim: chalk.gray, bold: chalk.bold };
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Folders where this process writes: its temporary files there are removed on any exit. */
const outputFolders = new Set<string>();

export function noteOutputFolder(folder: string): void {
  outputFolders.add(resolve(folder));
}

/** Removes this process's temporary files (this thread's, and any thread's in the noted folders). */
export function cleanUp(): void {
  removeTemporaries(outputFolders);
}

export interface MainChoices {
  /** Handle SIGINT and SIGTERM here (remove temporary files, exit 130 or 143) unless a command listens itself. */
  readonly signals?: boolean;
}

/**
 * A closed stdout or stderr (`| head -1`) ends the program quietly with exit 0, as Unix tools do;
 * any other error writing them is one line and exit 2. Every exit removes temporary files.
 */
export function guardProcess(choices: MainChoices = {}): void {
  const onStreamError = (error: NodeJS.ErrnoException): void => {
    cleanUp();
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT.pass);
    try {
      process.stderr.write(`raftsim: cannot write the output: ${error.code ?? error.message}\n`);
    } finally {
      process.exit(EXIT.usage);
    }
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', onStreamError);
  process.on('exit', cleanUp);
  if (choices.signals !== true) return;
  for (const [signal, code] of [['SIGINT', EXIT.interrupted], ['SIGTERM', EXIT.terminated]] as const) {
    process.on(signal, () => {
      // A sweep listens itself: it stops cleanly and prints what finished.
      if (process.listenerCount(signal) > 1) return;
      cleanUp();
      process.exit(code);
    });
  }
}

/**
 * Runs `body`, then `cleanup` (which must tolerate running twice); `cleanup` also runs if the
 * process exits first, as it does on SIGINT or SIGTERM (guardProcess), where a finally block would
 * not run. For what a command makes outside the folders cleanUp() knows: a temporary directory,
 * a git worktree.
 */
export async function withExitCleanup<T>(cleanup: () => void, body: () => Promise<T> | T): Promise<T> {
  process.on('exit', cleanup);
  try {
    return await body();
  } finally {
    process.removeListener('exit', cleanup);
    cleanup();
  }
}

/**
 * A child run with spawnSync that SIGINT or SIGTERM ended (Ctrl-C reaches the whole process
 * group): this process ends the same way, with exit 130 or 143, its exit handlers cleaning up.
 */
export function exitIfSignalled(signal: NodeJS.Signals | null): void {
  if (signal === 'SIGINT') process.exit(EXIT.interrupted);
  if (signal === 'SIGTERM') process.exit(EXIT.terminated);
}

/** Runs `main` and exits with its code; bad input is one line and exit 2, never a stack trace. */
export function runMain(
  moduleUrl: string, main: (argv: readonly string[], io: Io) => Promise<number> | number, choices: MainChoices = {},
): void {
  const entry = process.argv[1];
  // A worker thread sees the parent's argv: the command runs in the main thread only.
  if (!isMainThread) return;
  // Compared as real paths: node resolves symlinks in a module's URL, not in argv.
  if (entry === undefined || !existsSync(entry) || realpathSync(entry) !== realpathSync(fileURLToPath(moduleUrl))) return;
  guardProcess(choices);
  Promise.resolve()
    .then(() => main(process.argv.slice(2), PROCESS_IO))
    .then((code) => { process.exitCode = code; }, (error: unknown) => {
      process.exitCode = reportError(error, PROCESS_IO);
    });
}

export function reportError(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.stderr(`raftsim: ${firstLine(error)}`);
    return EXIT.usage;
  }
  io.stderr(`raftsim: internal error: ${firstLine(error)}`);
  if (io.env['RAFTSIM_DEBUG'] !== undefined && error instanceof Error) io.stderr(error.stack ?? '');
  return EXIT.internal;
}
