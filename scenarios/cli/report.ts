// `npm run report -- FILE [--out FILE.html]`: the HTML report of a saved trace, one
// self-contained file written beside the trace unless --out names another place.
import { renderReport } from '../../reports/html/render.ts';
import { decodeTrace, TraceFileError } from '../../reports/trace-file.ts';
import { dirname, resolve } from 'node:path';
import { checkOutputPath, readTextFile, UsageError, writeLinesAtomic } from '../files.ts';
import { EXIT, noteOutputFolder, runMain } from './common.ts';
import { reproduceFromHeader } from './reproduce.ts';
import type { Io } from './common.ts';

export const REPORT_USAGE = `usage: npm run report -- FILE.trace.jsonl [--out FILE.html]

Writes one self-contained HTML page (no network) with the space-time diagram of the run, the
violation and its witness events, the linearizability view, the verdicts and the commands that
reproduce the run. Without --out, the page goes beside the trace (FILE.html).`;

export interface ReportArguments {
  readonly help: boolean;
  readonly trace: string | null;
  readonly out: string | null;
}

export function parseReportArguments(argv: readonly string[]): ReportArguments {
  let trace: string | null = null;
  let out: string | null = null;
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--help' || argument === '-h') help = true;
    else if (argument === '--out' || argument.startsWith('--out=')) {
      const value = argument === '--out' ? argv[++index] : argument.slice('--out='.length);
      if (value === undefined || value === '') throw new UsageError('--out needs a file name');
      out = value;
    } else if (argument.startsWith('-')) throw new UsageError(`unknown flag ${argument} (see --help)`);
    else if (trace !== null) throw new UsageError(`one trace file at a time (got ${trace} and ${argument})`);
    else trace = argument;
  }
  if (!help && trace === null) throw new UsageError('name a trace file: npm run report -- FILE.trace.jsonl');
  return { help, trace, out };
}

/** FILE.trace.jsonl -> FILE.html; anything else gets .html appended. */
export function defaultReportPath(trace: string): string {
  const match = /\.trace\.jsonl$|\.jsonl$/.exec(trace);
  return match === null ? `${trace}.html` : `${trace.slice(0, match.index)}.html`;
}

export function main(argv: readonly string[], io: Io): number {
  const args = parseReportArguments(argv);
  if (args.help || args.trace === null) {
    io.stdout(REPORT_USAGE);
    return EXIT.pass;
  }
  const out = args.out ?? defaultReportPath(args.trace);
  if (resolve(out) === resolve(args.trace)) throw new UsageError(`--out ${out} would overwrite the trace`);
  let trace;
  try {
    trace = decodeTrace(readTextFile(args.trace, 'trace file'), args.trace);
  } catch (error) {
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
  checkOutputPath(out, args.out === null ? 'the report' : '--out');
  noteOutputFolder(dirname(out));
  const reproduce = reproduceFromHeader(trace.header, args.trace);
  const page = renderReport(trace, { source: args.trace, ...(reproduce === null ? {} : { reproduce }) });
  writeLinesAtomic(out, [page.trimEnd()], 'report');
  io.stdout(`report written to ${out} (${Math.round(Buffer.byteLength(page) / 1024)} KB, ${trace.events.length} events)`);
  return EXIT.pass;
}

runMain(import.meta.url, main, { signals: true });
