// `npm run check -- FILE... [--model register|kv] [--format raftsim|porcupine-etcd|porcupine-kv|trace]
// [--budget N] [--plain] [--json]`: is a recorded history linearizable? A file is a history or a
// raftsim trace (its clients' history, with the applied log). One file: its verdict with the
// explanation. Several: one line per file and a total, in one process. Exit 0 all linearizable,
// 1 one is not, else 2 bad input (one line per bad file; on stderr for a single file), else 3
// unknown (the budget ran out); 4 internal error.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { History, HistoryFormat } from '../../reports/history.ts';
import { HistoryError, historyFromTrace, parseHistory } from '../../reports/history.ts';
import { checkHistory, DEFAULT_BUDGET_STEPS } from '../../reports/lin/check.ts';
import type { LinResult } from '../../reports/lin/check.ts';
import type { Model, ModelName } from '../../reports/lin/model.ts';
import { modelFor } from '../../reports/lin/model.ts';
import { formatVerdict, verdictJson } from '../../reports/lin/explain.ts';
import { decodeTrace, TraceFileError } from '../../reports/trace-file.ts';
import { judgeTrace } from '../../reports/judge.ts';
import { formatFailure, formatVerdicts } from '../../reports/summary.ts';
import { guardProcess } from './common.ts';

export interface CheckIo {
  readFile(path: string): string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT = { linearizable: 0, notLinearizable: 1, badInput: 2, unknown: 3, internal: 4 } as const;

const USAGE = 'usage: npm run check -- [--judge] FILE... [--model register|kv] [--format raftsim|porcupine-etcd|porcupine-kv|trace] [--budget N] [--plain] [--json]';
const HELP = `${USAGE}
  FILE...     histories (raftsim-history/1, Porcupine's etcd and kv logs) or raftsim traces: is each linearizable?
  --judge     raftsim traces only: every checker's verdict on each, judged again from its events, as the live run printed it`;
/** A history format, or a raftsim trace (read for its clients' history). */
type InputFormat = HistoryFormat | 'trace';
const FORMATS: readonly InputFormat[] = ['raftsim', 'porcupine-etcd', 'porcupine-kv', 'trace'];
const MODELS: readonly ModelName[] = ['register', 'kv'];

/** Bad usage or bad input: reported as one line, exit 2. */
class UsageError extends Error {}

interface Arguments {
  readonly help: boolean;
  readonly files: readonly string[];
  readonly model: ModelName | null;
  readonly format: InputFormat | null;
  readonly budgetSteps: number;
  /** The search alone: no applied-log witness, nothing left out. */
  readonly plain: boolean;
  readonly json: boolean;
  /** Re-judge raftsim traces: every checker's verdict, as the live run printed it. */
  readonly judge: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        format: { type: 'string' },
        budget: { type: 'string' },
        plain: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        judge: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true, files: [], model: null, format: null, budgetSteps: DEFAULT_BUDGET_STEPS, plain: false, json: false, judge: false };
  if (positionals.length === 0) throw new UsageError(`expected a history or trace file; ${USAGE}`);
  return {
    help: false,
    files: positionals,
    model: oneOf('--model', values.model, MODELS),
    format: oneOf('--format', values.format, FORMATS),
    budgetSteps: budget(values.budget),
    plain: values.plain,
    json: values.json,
    judge: values.judge,
  };
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | null {
  if (value === undefined) return null;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

function budget(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BUDGET_STEPS;
  const steps = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(steps) || steps < 1) throw new UsageError(`--budget must be a positive integer number of steps, not ${JSON.stringify(value)}`);
  return steps;
}

/** A trace's first line: {"format":"raftsim-trace/N",...}. */
function looksLikeTrace(text: string): boolean {
  const first = text.slice(0, 200).trimStart();
  return /^\{\s*"format"\s*:\s*"raftsim-trace\//.test(first);
}

function readHistory(file: string, format: InputFormat | null, io: CheckIo): History {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`);
  }
  try {
    // A trace holds the clients' calls and returns and every node's applies: the history with its applied log.
    if (format === 'trace' || (format === null && looksLikeTrace(text))) return historyFromTrace(decodeTrace(text, file).events);
    return parseHistory(text, format ?? undefined);
  } catch (error) {
    if (error instanceof HistoryError) throw new UsageError(`${file}: ${error.message}`);
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `--judge`: each trace judged again from its events alone (reports/judge.ts), printed as the live
 * run's checks section, its violation and verdict. Exit 1 if one fails, else 2 if one could not be
 * read, else 3 if one is unknown.
 */
function judgeFiles(args: Arguments, io: CheckIo): number {
  const counts = { fail: 0, unknown: 0, bad: 0 };
  for (const file of args.files) {
    let trace;
    try {
      trace = decodeTrace(io.readFile(file), file);
    } catch (error) {
      counts.bad++;
      const code = (error as { code?: unknown }).code;
      io.stderr(`check: ${error instanceof TraceFileError ? error.message : `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`}\n`);
      continue;
    }
    const judgement = judgeTrace(trace.header.options, trace.events, { linBudgetSteps: args.budgetSteps, linWitness: !args.plain });
    if (judgement.verdict === 'fail') counts.fail++;
    if (judgement.verdict === 'unknown') counts.unknown++;
    if (args.json) {
      io.stdout(`${JSON.stringify({ file, verdict: judgement.verdict, failure: judgement.failure, failures: judgement.failures, verdicts: judgement.verdicts })}\n`);
      continue;
    }
    const lines = [`${file}: seed ${trace.header.seed}, ${trace.events.length} events`, ...formatVerdicts(judgement.verdicts),
      ...formatFailure(judgement.failure, undefined, judgement.failures), `verdict ${judgement.verdict === 'fail' ? 'FAIL' : judgement.verdict}`];
    io.stdout(`${lines.join('\n')}\n`);
  }
  if (counts.fail > 0) return EXIT.notLinearizable;
  if (counts.bad > 0) return EXIT.badInput;
  return counts.unknown > 0 ? EXIT.unknown : EXIT.linearizable;
}

function modelName(requested: ModelName | null, history: History): ModelName {
  if (requested !== null) return requested;
  const fromFile = history.model;
  if (!(MODELS as readonly string[]).includes(fromFile)) throw new UsageError(`unknown model ${JSON.stringify(fromFile)} in the history; pass --model ${MODELS.join('|')}`);
  return fromFile as ModelName;
}

/** One file read and checked; a bad file throws UsageError. */
function checkFile(file: string, args: Arguments, io: CheckIo): { result: LinResult; model: Model<unknown> } {
  const history = readHistory(file, args.format, io);
  const model = modelFor(modelName(args.model, history), history.init);
  try {
    const options = args.plain ? { witness: false, appliedLog: false } : {};
    return { result: checkHistory(history, model, { budgetSteps: args.budgetSteps, ...options }), model };
  } catch (error) {
    if (error instanceof HistoryError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

const VERDICT_EXIT = { pass: EXIT.linearizable, fail: EXIT.notLinearizable, unknown: EXIT.unknown } as const;

/** Several files: a line each, then the total. The exit code is the most telling: 1, else 2, else 3, else 0. */
function checkFiles(args: Arguments, io: CheckIo): number {
  const counts = { pass: 0, fail: 0, unknown: 0, bad: 0 };
  for (const file of args.files) {
    let checked;
    try {
      checked = checkFile(file, args, io);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      counts.bad++;
      io.stdout(args.json ? `${JSON.stringify({ file, verdict: 'bad-input', error: error.message })}\n` : `${file}: bad input: ${error.message}\n`);
      continue;
    }
    const { result, model } = checked;
    counts[result.verdict]++;
    const line = args.json
      ? JSON.stringify({ file, ...(verdictJson(result, model) as Record<string, unknown>) })
      : `${file}: ${formatVerdict(result, model).split('\n')[0] ?? ''}`;
    io.stdout(`${line}\n`);
  }
  const total = { files: args.files.length, linearizable: counts.pass, notLinearizable: counts.fail, unknown: counts.unknown, badInput: counts.bad };
  io.stdout(args.json
    ? `${JSON.stringify({ total })}\n`
    : `total: ${total.files} files: ${total.linearizable} linearizable, ${total.notLinearizable} not linearizable, ${total.unknown} unknown, ${total.badInput} bad input\n`);
  if (counts.fail > 0) return EXIT.notLinearizable;
  if (counts.bad > 0) return EXIT.badInput;
  return counts.unknown > 0 ? EXIT.unknown : EXIT.linearizable;
}

export function main(argv: readonly string[], io: CheckIo): number {
  try {
    const args = parseArguments(argv);
    if (args.help) {
      io.stdout(`${HELP}\n`);
      return EXIT.linearizable;
    }
    if (args.judge) return judgeFiles(args, io);
    if (args.files.length > 1) return checkFiles(args, io);
    const { result, model } = checkFile(args.files[0] ?? '', args, io);
    io.stdout(args.json ? `${JSON.stringify(verdictJson(result, model))}\n` : formatVerdict(result, model));
    return VERDICT_EXIT[result.verdict];
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`check: ${error.message}\n`);
      return EXIT.badInput;
    }
    io.stderr(`check: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.internal;
  }
}

const nodeIo: CheckIo = {
  readFile: (path) => readFileSync(path, 'utf8'),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A closed stdout (a pipe into head) ends quietly with exit 0, as in every command.
  guardProcess();
  process.exitCode = main(process.argv.slice(2), nodeIo);
}
