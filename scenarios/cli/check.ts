// `npm run check -- FILE [--model register|kv] [--format raftsim|porcupine-etcd|porcupine-kv]
// [--budget N] [--json]`: is a recorded history linearizable? Exit 0 yes, 1 no, 3 unknown (the
// budget ran out), 2 bad input (one line on stderr), 4 internal error.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { History, HistoryFormat } from '../../reports/history.ts';
import { HistoryError, parseHistory } from '../../reports/history.ts';
import { checkHistory, DEFAULT_BUDGET_STEPS } from '../../reports/lin/check.ts';
import type { ModelName } from '../../reports/lin/model.ts';
import { modelFor } from '../../reports/lin/model.ts';
import { formatVerdict, verdictJson } from '../../reports/lin/explain.ts';

export interface CheckIo {
  readFile(path: string): string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT = { linearizable: 0, notLinearizable: 1, badInput: 2, unknown: 3, internal: 4 } as const;

const USAGE = 'usage: npm run check -- FILE [--model register|kv] [--format raftsim|porcupine-etcd|porcupine-kv] [--budget N] [--json]';
const FORMATS: readonly HistoryFormat[] = ['raftsim', 'porcupine-etcd', 'porcupine-kv'];
const MODELS: readonly ModelName[] = ['register', 'kv'];

/** Bad usage or bad input: reported as one line, exit 2. */
class UsageError extends Error {}

interface Arguments {
  readonly file: string;
  readonly model: ModelName | null;
  readonly format: HistoryFormat | null;
  readonly budgetSteps: number;
  readonly json: boolean;
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
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError(`expected one history file; ${USAGE}`);
  return {
    file: positionals[0],
    model: oneOf('--model', values.model, MODELS),
    format: oneOf('--format', values.format, FORMATS),
    budgetSteps: budget(values.budget),
    json: values.json,
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

function readHistory(file: string, format: HistoryFormat | null, io: CheckIo): History {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`);
  }
  try {
    return parseHistory(text, format ?? undefined);
  } catch (error) {
    if (error instanceof HistoryError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function modelName(requested: ModelName | null, history: History): ModelName {
  if (requested !== null) return requested;
  const fromFile = history.model;
  if (!(MODELS as readonly string[]).includes(fromFile)) throw new UsageError(`unknown model ${JSON.stringify(fromFile)} in the history; pass --model ${MODELS.join('|')}`);
  return fromFile as ModelName;
}

export function main(argv: readonly string[], io: CheckIo): number {
  try {
    const args = parseArguments(argv);
    const history = readHistory(args.file, args.format, io);
    const model = modelFor(modelName(args.model, history), history.init);
    let result;
    try {
      result = checkHistory(history, model, { budgetSteps: args.budgetSteps });
    } catch (error) {
      if (error instanceof HistoryError) throw new UsageError(`${args.file}: ${error.message}`);
      throw error;
    }
    io.stdout(args.json ? `${JSON.stringify(verdictJson(result, model))}\n` : formatVerdict(result, model));
    if (result.verdict === 'pass') return EXIT.linearizable;
    return result.verdict === 'fail' ? EXIT.notLinearizable : EXIT.unknown;
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
  process.exitCode = main(process.argv.slice(2), nodeIo);
}
