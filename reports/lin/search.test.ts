// The search against a brute-force oracle (docs/style.md, rule 14: a clever function is checked
// against a naive one). The oracle tries every subset of the indeterminate operations to drop and
// every order of the rest that respects real time, so it shares none of the search's shortcuts: no
// linked list, no cache, no "open operations go last", no skipping of no-op open operations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OperationInput, OperationOutput } from '../history.ts';
import { checkOperations } from './check.ts';
import type { Model, Operation } from './model.ts';
import { kvModel, registerModel } from './model.ts';
import { PartitionSearch } from './search.ts';

type Op = Operation;

/** An operation is indeterminate when its output is unknown: it may happen any time after its call, or never. */
const indeterminate = (op: Op): boolean => op.output.type === 'unknown';

function bruteForce<State>(model: Model<State>, operations: readonly Op[]): boolean {
  const optional = operations.filter(indeterminate);
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const dropped = new Set(optional.filter((_, index) => (mask & (1 << index)) !== 0));
    const kept = operations.filter((op) => !dropped.has(op));
    if (someOrderWorks(model, kept, [], model.init())) return true;
  }
  return false;
}

function mustPrecede(a: Op, b: Op): boolean {
  return !indeterminate(a) && a.return < b.call;
}

function someOrderWorks<State>(model: Model<State>, left: readonly Op[], placed: readonly Op[], state: State): boolean {
  if (left.length === 0) return true;
  return left.some((candidate) => {
    if (left.some((other) => other !== candidate && mustPrecede(other, candidate))) return false;
    const result = model.step(state, candidate.input, candidate.output);
    return result.ok && someOrderWorks(model, left.filter((op) => op !== candidate), [...placed, candidate], result.next);
  });
}

/** The driver's view of an operation: open until +infinity when indeterminate. */
function asChecked(op: Op): Op {
  return indeterminate(op) ? { ...op, return: Number.POSITIVE_INFINITY } : op;
}

// ---------------------------------------------------------------------------------------------
// Random histories: operations with random intervals; outputs either random or those of a real
// sequential run at random linearization points (so that both verdicts are common), then some
// outputs replaced by unknown.

const registerValue = fc.constantFrom<number | null>(null, 0, 1, 2);
const registerInput: fc.Arbitrary<OperationInput> = fc.oneof(
  fc.constant<OperationInput>({ f: 'read' }),
  registerValue.map((value): OperationInput => ({ f: 'write', value })),
  fc.tuple(registerValue, registerValue).map(([from, to]): OperationInput => ({ f: 'cas', from, to })),
);
// Mostly one key, so that operations on it overlap; sometimes a second, to exercise partitioning.
const kvKey = fc.constantFrom('a', 'a', 'a', 'b');
const kvText = fc.constantFrom('', 'x', 'y');
const kvInput: fc.Arbitrary<OperationInput> = fc.oneof(
  kvKey.map((key): OperationInput => ({ f: 'get', key })),
  fc.tuple(kvKey, kvText).map(([key, value]): OperationInput => ({ f: 'put', key, value })),
  fc.tuple(kvKey, kvText).map(([key, value]): OperationInput => ({ f: 'append', key, value })),
  fc.tuple(kvKey, fc.constantFrom<string | null>(null, 'x', 'xy'), kvText).map(([key, from, to]): OperationInput => ({ f: 'cas', key, from, to })),
  kvKey.map((key): OperationInput => ({ f: 'delete', key })),
);

interface Shape {
  readonly call: number;
  readonly duration: number;
  readonly point: number;
  readonly unknown: boolean;
  readonly randomValue: OperationOutput;
}

const randomOutput: fc.Arbitrary<OperationOutput> = fc.oneof(
  fc.constantFrom<OperationOutput>({ type: 'done' }, { type: 'ok', ok: true }, { type: 'ok', ok: false }),
  fc.constantFrom<null | number | string>(null, 0, 1, 2, '', 'x', 'y', 'xy', 'yx', 'xx').map((value): OperationOutput => ({ type: 'value', value })),
);

const shape: fc.Arbitrary<Shape> = fc.record({
  call: fc.integer({ min: 0, max: 12 }),
  duration: fc.integer({ min: 0, max: 8 }),
  point: fc.double({ min: 0, max: 1, noNaN: true }),
  unknown: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
  randomValue: randomOutput,
});

function history<State>(model: Model<State>, inputs: readonly OperationInput[], shapes: readonly Shape[], faithful: boolean): Op[] {
  const intervals = shapes.map((s, index) => ({ index, call: s.call, return: s.call + s.duration, at: s.call + s.duration * s.point }));
  const outputs = new Map<number, OperationOutput>();
  let state = model.init();
  // A legal run: apply operations at their linearization points, per key through the model.
  const perKey = new Map<string, State>();
  for (const interval of [...intervals].sort((a, b) => a.at - b.at || a.index - b.index)) {
    const input = inputs[interval.index] as OperationInput;
    const key = input.key ?? '';
    state = perKey.get(key) ?? model.init();
    const output = trueOutput(model, state, input);
    outputs.set(interval.index, output.output);
    perKey.set(key, output.next);
  }
  return intervals.map(({ index, call, return: ret }) => {
    const s = shapes[index] as Shape;
    const output: OperationOutput = s.unknown ? { type: 'unknown' } : faithful ? (outputs.get(index) as OperationOutput) : s.randomValue;
    return { id: index, client: index, input: inputs[index] as OperationInput, output, call, return: ret };
  });
}

/** The output a sequential run would give: found by asking the model which candidate it accepts. */
function trueOutput<State>(model: Model<State>, state: State, input: OperationInput): { output: OperationOutput; next: State } {
  const candidates: OperationOutput[] = [{ type: 'done' }, { type: 'ok', ok: true }, { type: 'ok', ok: false },
    ...[null, 0, 1, 2, '', 'x', 'y', 'xx', 'xy', 'yx', 'yy', 'xxx', 'xxy', 'xyx', 'xyy'].map((value): OperationOutput => ({ type: 'value', value }))];
  for (const output of candidates) {
    const result = model.step(state, input, output);
    if (result.ok) return { output, next: result.next };
  }
  const fallback = model.step(state, input, { type: 'unknown' });
  if (!fallback.ok) throw new Error('unknown outputs are always accepted');
  return { output: { type: 'unknown' }, next: fallback.next };
}

function arbitraryHistory<State>(model: Model<State>, input: fc.Arbitrary<OperationInput>): fc.Arbitrary<Op[]> {
  return fc.integer({ min: 1, max: 7 }).chain((count) => fc.tuple(
    fc.array(input, { minLength: count, maxLength: count }),
    fc.array(shape, { minLength: count, maxLength: count }),
    fc.boolean(),
  )).map(([inputs, shapes, faithful]) => history(model, inputs, shapes, faithful));
}

describe('search agrees with brute force on random histories of up to 7 operations', () => {
  const cases: [string, Model<unknown>, fc.Arbitrary<OperationInput>][] = [
    ['register', registerModel(0) as unknown as Model<unknown>, registerInput],
    ['kv', kvModel() as unknown as Model<unknown>, kvInput],
  ];
  it.each(cases)('%s', (_name, model, input) => {
    let passes = 0;
    let failures = 0;
    fc.assert(fc.property(arbitraryHistory(model, input), (operations) => {
      const expected = model.partition(operations).every((partition) => bruteForce(model, partition.operations));
      const result = checkOperations(model, operations.map(asChecked), { sliceSteps: 3 });
      expect(result.verdict).toBe(expected ? 'pass' : 'fail');
      if (expected) passes++;
      else failures++;
    }), { numRuns: 2000, seed: 20240611 });
    // Both verdicts must be well represented, or the comparison proves little.
    expect(Math.min(passes, failures)).toBeGreaterThan(60);
  });
});

describe('dead end explanation', () => {
  it('names a prefix that is linearizable and an operation that cannot follow it', () => {
    fc.assert(fc.property(arbitraryHistory(registerModel(0) as unknown as Model<unknown>, registerInput), (raw) => {
      const model = registerModel(0) as unknown as Model<unknown>;
      const operations = raw.map(asChecked);
      const search = new PartitionSearch(model, operations);
      search.run(1_000_000);
      if (search.status !== 'illegal') return;
      const deadEnd = search.deadEnd();
      expect(deadEnd).not.toBeNull();
      if (deadEnd === null) return;
      let state = model.init();
      for (const index of deadEnd.prefix) {
        const op = operations[index] as Op;
        const step = model.step(state, op.input, op.output);
        expect(step.ok).toBe(true);
        if (step.ok) state = step.next;
      }
      const blocked = operations[deadEnd.blocked] as Op;
      expect(deadEnd.prefix).not.toContain(deadEnd.blocked);
      expect(model.step(state, blocked.input, blocked.output).ok).toBe(false);
    }), { numRuns: 300, seed: 7 });
  });
});
