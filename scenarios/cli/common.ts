// What every command-line entry point shares: exit codes (docs/design.md, "Exit codes"), colour,
// and the wrapper that turns a bad input into one line and exit 2 and a harness bug into exit 4.
import { Chalk } from 'chalk';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Paint } from '../../reports/summary.ts';
import { UsageError } from '../files.ts';

export const EXIT = { pass: 0, fail: 1, usage: 2, unknown: 3, internal: 4, interrupted: 130 } as const;

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

/** Runs `main` and exits with its code; bad input is one line and exit 2, never a stack trace. */
export function runMain(moduleUrl: string, main: (argv: readonly string[], io: Io) => Promise<number> | number): void {
  const entry = process.argv[1];
  // Compared as real paths: node resolves symlinks in a module's URL, not in argv.
  if (entry === undefined || !existsSync(entry) || realpathSync(entry) !== realpathSync(fileURLToPath(moduleUrl))) return;
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
