// A captured Io for command-line tests.
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
