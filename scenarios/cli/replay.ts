// `npm run replay -- FILE [--print] [--at N|violation|end]`: steps through a saved trace in an
// interactive Ink view, or with --print renders the frame at one event as plain text. A missing,
// truncated or corrupted file, a bad flag, or a non-terminal stdout without --print is exit 2
// with one line.
import { render } from 'ink';
import { createElement } from 'react';
import { parseArgs } from 'node:util';
import { App } from '../../reports/replay/App.tsx';
import { replayInfo } from '../../reports/replay/info.ts';
import type { ReplayInfo } from '../../reports/replay/info.ts';
import { initialView } from '../../reports/replay/keys.ts';
import { ReplayModel } from '../../reports/replay/model.ts';
import { plainText, screenLines, SIZE_DEFAULT } from '../../reports/replay/screen.ts';
import type { ScreenSize } from '../../reports/replay/screen.ts';
import { decodeTrace, TraceFileError } from '../../reports/trace-file.ts';
import { readTextFile, UsageError } from '../files.ts';
import { EXIT, runMain } from './common.ts';
import type { Io } from './common.ts';

export const REPLAY_USAGE = 'usage: npm run replay -- FILE [--print] [--at N|violation|end] [--columns N] [--rows N]';
const SIZE_MAX = 1000;

export interface ReplayArguments {
  readonly file: string;
  readonly print: boolean;
  /** 1-based event number as the screen shows it, 'violation' or 'end'; null: the first event. */
  readonly at: number | 'violation' | 'end' | null;
  readonly size: ScreenSize;
  readonly help: boolean;
}

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > SIZE_MAX) {
    throw new UsageError(`${flag} must be an integer in 1..${SIZE_MAX} (got "${value}")`);
  }
  return Number(value);
}

function parseAt(value: string | undefined): ReplayArguments['at'] {
  if (value === undefined) return null;
  if (value === 'violation' || value === 'end') return value;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`--at takes an event number, "violation" or "end" (got "${value}")`);
  return Number(value);
}

export function parseReplayArguments(argv: readonly string[]): ReplayArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: { print: { type: 'boolean' }, at: { type: 'string' }, columns: { type: 'string' }, rows: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(`${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}; ${REPLAY_USAGE}`);
  }
  const help = parsed.values.help === true;
  const [file, ...rest] = parsed.positionals;
  if (!help && file === undefined) throw new UsageError(`no trace file given; ${REPLAY_USAGE}`);
  if (rest.length > 0) throw new UsageError(`one trace file at a time (also got "${rest[0] ?? ''}"); ${REPLAY_USAGE}`);
  return {
    file: file ?? '', print: parsed.values.print === true, at: parseAt(parsed.values.at), help,
    size: { columns: positiveInteger(parsed.values.columns, '--columns', SIZE_DEFAULT.columns), rows: positiveInteger(parsed.values.rows, '--rows', SIZE_DEFAULT.rows) },
  };
}

export interface LoadedTrace {
  readonly model: ReplayModel;
  readonly info: ReplayInfo;
}

export function loadTrace(file: string): LoadedTrace {
  try {
    const trace = decodeTrace(readTextFile(file, 'trace file'), file);
    return { model: new ReplayModel(trace.events, trace.header.options.nodes), info: replayInfo(trace.header) };
  } catch (error) {
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** The cursor (0-based event index) for --at. */
export function cursorFor(at: ReplayArguments['at'], model: ReplayModel, file: string): number {
  if (at === null) return 0;
  if (at === 'end') return model.length - 1;
  if (at === 'violation') {
    const first = model.violations[0];
    if (first === undefined) throw new UsageError(`${file} records no violation; use --at N or --at end`);
    return first;
  }
  if (at < 1 || at > model.length) throw new UsageError(`--at ${at} is outside the trace (events 1..${model.length})`);
  return at - 1;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const args = parseReplayArguments(argv);
  if (args.help) {
    io.stdout(REPLAY_USAGE);
    return EXIT.pass;
  }
  if (!args.print && !io.stdoutIsTty) {
    throw new UsageError('stdout is not a terminal: the interactive replay needs one; add --print (with --at N|violation|end) for the frame as text');
  }
  const { model, info } = loadTrace(args.file);
  const cursor = cursorFor(args.at, model, args.file);
  if (args.print) {
    const frame = model.frameAt(cursor);
    io.stdout(plainText(screenLines({ model, info, view: initialView(cursor), frame, size: args.size })));
    return EXIT.pass;
  }
  if (process.stdin.isTTY !== true) throw new UsageError('stdin is not a terminal: the interactive replay reads keys from it; use --print');
  const color = io.env['NO_COLOR'] === undefined || io.env['NO_COLOR'] === '';
  const instance = render(createElement(App, { model, info, initialCursor: cursor, color }));
  await instance.waitUntilExit();
  return EXIT.pass;
}

runMain(import.meta.url, main);
