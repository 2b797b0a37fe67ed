// Verdicts as text and as JSON: what `npm run check` prints. For a failure, the longest
// linearizable prefix the search found for the failing key and the operation it could not place,
// and, when the applied-log witness was tried first, what it placed and where the search took over.
import { assertNever } from '../../core/index.ts';
import type { LinExplanation, LinResult } from './check.ts';
import type { Model, Operation } from './model.ts';

/** Prefix operations shown in text; the JSON form carries them all. */
export const PREFIX_LINES_SHOWN = 20;

function time(value: number): string {
  return Number.isFinite(value) ? String(value) : '+inf';
}

function operationLine<Input, Output>(model: Model<unknown, Input, Output>, operation: Operation<Input, Output>): string {
  return `#${operation.id} client ${operation.client} [${time(operation.call)}, ${time(operation.return)}] ${model.describe(operation.input, operation.output)}`;
}

export function formatVerdict<Input, Output>(result: LinResult<Input, Output>, model: Model<unknown, Input, Output>): string {
  const keys = result.keys.length;
  const operations = result.keys.reduce((sum, key) => sum + key.operations, 0);
  const witnessed = result.keys.filter((key) => key.witness !== 'none');
  const byWitness = witnessed.filter((key) => key.witness === 'passed').length;
  const witness = witnessed.length === 0 ? '' : `, applied-log witness ${byWitness} of ${witnessed.length} key${witnessed.length === 1 ? '' : 's'}`;
  const scope = `${operations} operations, ${keys} key${keys === 1 ? '' : 's'}, model ${model.name}, ${result.steps} steps${witness}`;
  switch (result.verdict) {
    case 'pass':
      return `linearizable (${scope})\n`;
    case 'unknown': {
      const undecided = result.keys.filter((key) => key.outcome === 'undecided').map((key) => JSON.stringify(key.key));
      const bound = result.exhausted === 'steps'
        ? `the budget of ${result.budgetSteps} steps ran out`
        : `the memory bound of ${result.maxCacheEntries} cached configurations was reached`;
      const advice = result.exhausted === 'steps' ? '; raise --budget' : '';
      return `unknown: ${bound} before deciding key${undecided.length === 1 ? '' : 's'} ${undecided.join(', ')} (${scope})${advice}\n`;
    }
    case 'fail': {
      const { key, prefix, blocked, state, witness: stuck, searched, leftOut, whiteBox } = result.explanation;
      const hidden = Math.max(0, prefix.length - PREFIX_LINES_SHOWN);
      const lines = [
        `not linearizable: key ${JSON.stringify(key)} (${scope})`,
        ...(whiteBox === true
          ? [`as the applied log says the run happened: the search with the ${leftOut} open operations that never reached it as well ran out of budget${result.budgetSteps > 0 ? '; raise --budget to decide without the log' : ''}`]
          : []),
        ...(stuck === undefined ? [] : witnessLines(model, stuck, searched, leftOut)),
        `longest linearizable prefix: ${prefix.length} of ${result.keys.find((report) => report.key === key)?.operations ?? '?'} operations, leaving state ${state}`,
        ...(hidden > 0 ? [`  ... ${hidden} earlier operations (see --json)`] : []),
        ...prefix.slice(hidden).map((operation) => `  ${operationLine(model, operation)}`),
        `cannot place: ${operationLine(model, blocked)}`,
        '  neither it nor any operation concurrent with it is legal after the prefix',
      ];
      return lines.join('\n') + '\n';
    }
    default:
      return assertNever(result);
  }
}

function witnessLines<Input, Output>(
  model: Model<unknown, Input, Output>,
  stuck: NonNullable<LinExplanation<Input, Output>['witness']>,
  searched: number,
  leftOut: number,
): string[] {
  const last = stuck.placed[stuck.placed.length - 1];
  return [
    `applied-log witness: placed ${stuck.placed.length} operations in log order${last === undefined ? '' : ` (the last #${last.id})`}, then stuck at #${stuck.blocked.id}: ${stuck.reason}`,
    `  ${operationLine(model, stuck.blocked)}`,
    `the search took over there, on ${searched} operations${leftOut > 0 ? ` (${leftOut} open that never reached the applied log left out)` : ''}:`,
  ];
}

/** A JSON-ready record of the verdict (infinite times as null). */
export function verdictJson<Input, Output>(result: LinResult<Input, Output>, model: Model<unknown, Input, Output>): unknown {
  const operationJson = (operation: Operation<Input, Output>): unknown => ({
    id: operation.id,
    client: operation.client,
    call: operation.call,
    return: Number.isFinite(operation.return) ? operation.return : null,
    description: model.describe(operation.input, operation.output),
  });
  const base = { verdict: result.verdict, model: model.name, steps: result.steps, budgetSteps: result.budgetSteps, keys: result.keys };
  if (result.verdict === 'unknown') return { ...base, exhausted: result.exhausted };
  if (result.verdict !== 'fail') return base;
  const { key, prefix, blocked, state, witness, searched, leftOut, whiteBox } = result.explanation;
  const witnessJson = witness === undefined ? {} : {
    witness: { placed: witness.placed.map((operation) => operation.id), blocked: operationJson(witness.blocked), reason: witness.reason },
  };
  return { ...base, explanation: { key, state, prefix: prefix.map(operationJson), blocked: operationJson(blocked), searched, leftOut, ...(whiteBox === true ? { whiteBox } : {}), ...witnessJson } };
}
