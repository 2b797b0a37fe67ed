// A captured Io for command-line tests.
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
