// A captured Io for command-line tests, and commands started as child processes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { reportError } from './common.ts';
import type { Io } from './common.ts';

export interface CapturedIo extends Io {
  readonly out: string[];
  readonly err: string[];
}

export function captureIo(env: Readonly<Record<string, string | undefined>> = { NO_COLOR: '1' }): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err, env, stdoutIsTty: false, stderrIsTty: false,
    stdout: (text) => void out.push(...text.replace(/\n$/, '').split('\n')),
    stderr: (text) => void err.push(...text.replace(/\n$/, '').split('\n')),
  };
}

export interface CliResult {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs a command's main() as the real entry point does: bad input becomes one line and exit 2. */
export async function runCli(
  main: (argv: readonly string[], io: Io) => Promise<number> | number,
  argv: readonly string[],
  io: CapturedIo = captureIo(),
): Promise<CliResult> {
  let code: number;
  try {
    code = await main(argv, io);
  } catch (error) {
    code = reportError(error, io);
  }
  return { code, out: io.out, err: io.err };
}

/** A command started as a child process (`node --import tsx FILE ARGS`), for tests of signals. */
export interface StartedCommand {
  readonly child: ChildProcess;
  /** What it has printed so far. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves once what `stream` printed so far includes `text`. */
  readonly printed: (stream: 'stdout' | 'stderr', text: string) => Promise<void>;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `node --import tsx FILE ...ARGV`. `detached` gives it a process group of its own, so a
 * test can send a signal to the group (`process.kill(-pid, ...)`), as a terminal's Ctrl-C does.
 */
export function startCommand(file: string, argv: readonly string[], choices: { readonly detached?: boolean; readonly env?: NodeJS.ProcessEnv } = {}): StartedCommand {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...argv],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: choices.detached ?? false, env: choices.env ?? process.env });
  const text = { stdout: '', stderr: '' };
  const waiting: { stream: 'stdout' | 'stderr'; text: string; resolve: () => void }[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk: Buffer) => {
      text[stream] += chunk.toString();
      for (const wait of waiting.filter((entry) => entry.stream === stream && text[stream].includes(entry.text))) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
    });
  }
  return {
    child,
    out: () => text.stdout,
    err: () => text.stderr,
    printed: (stream, wanted) => (text[stream].includes(wanted) ? Promise.resolve() : new Promise((resolve) => { waiting.push({ stream, text: wanted, resolve }); })),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}
