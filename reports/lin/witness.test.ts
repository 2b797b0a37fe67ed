// The applied-log witness against the plain search (which search.test.ts checks against a brute
// force). Histories come from a simulated run of closed-loop clients with sessions: each write
// takes effect at a random point (an open one possibly after its client moved on, then stale and
// skipped, or never), and its `applied` is its place in the log. Then, half the time, one lie:
// a read's value changed, two log positions swapped, a log position moved or forgotten.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OperationInput, OperationOutput } from '../history.ts';
import { checkOperations } from './check.ts';
import { formatVerdict, verdictJson } from './explain.ts';
import type { Operation } from './model.ts';
import { eraseModel, kvModel } from './model.ts';
import { appliedLogWitness, staleOperations, verifyLinearization } from './witness.ts';

const model = eraseModel(kvModel());
const OPEN = Number.POSITIVE_INFINITY;

interface PlannedOp {
  readonly input: OperationInput;
  readonly duration: number;
  readonly pause: number;
  /** Open: the client gave up (unknown output). */
  readonly open: boolean;
  /** For an open write: when it reaches the log after its call, or null for never. */
  readonly late: number | null;
  /** Where in [call, return] a completed operation takes effect, as a share. */
  readonly at: number;
}

const key = fc.constantFrom('a', 'a', 'a', 'b');
const text = fc.constantFrom('x', 'y', 'z');
const input: fc.Arbitrary<OperationInput> = fc.oneof(
  { weight: 3, arbitrary: key.map((k): OperationInput => ({ f: 'get', key: k })) },
  { weight: 2, arbitrary: fc.tuple(key, text).map(([k, v]): OperationInput => ({ f: 'put', key: k, value: v })) },
  { weight: 2, arbitrary: fc.tuple(key, text).map(([k, v]): OperationInput => ({ f: 'append', key: k, value: v })) },
  { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom<string | null>(null, 'x', 'y', 'xy'), text).map(([k, from, to]): OperationInput => ({ f: 'cas', key: k, from, to })) },
  { weight: 1, arbitrary: key.map((k): OperationInput => ({ f: 'delete', key: k })) },
);
const planned: fc.Arbitrary<PlannedOp> = fc.record({
  input,
  duration: fc.integer({ min: 0, max: 12 }),
  pause: fc.integer({ min: 0, max: 4 }),
  open: fc.boolean(),
  late: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null, freq: 3 }),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
});
const run = fc.array(fc.array(planned, { minLength: 1, maxLength: 7 }), { minLength: 1, maxLength: 4 });

type Lie = { kind: 'none' } | { kind: 'read'; pick: number; value: string } | { kind: 'swap'; a: number; b: number } | { kind: 'move'; pick: number; to: number } | { kind: 'forget'; pick: number };
const lie: fc.Arbitrary<Lie> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Lie>({ kind: 'none' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), pick: fc.nat(), value: fc.constantFrom('', 'x', 'y', 'xy', 'yx', 'z') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), to: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), pick: fc.nat() }) },
);

const isWrite = (op: OperationInput): boolean => op.f !== 'get';

/** Run the plan: a sequential kv store with client sessions (a command older than the client's last applied one is skipped). */
function simulate(plan: readonly (readonly PlannedOp[])[]): Operation[] {
  interface Live { id: number; client: number; sequence: number; planned: PlannedOp; call: number; ret: number; effect: number | null }
  const live: Live[] = [];
  plan.forEach((ops, client) => {
    let time = client;
    ops.forEach((op, sequence) => {
      const call = time;
      const ret = call + op.duration;
      const effect = op.open ? (isWrite(op.input) && op.late !== null ? call + op.late : null) : call + op.at * op.duration;
      live.push({ id: live.length, client, sequence, planned: op, call, ret, effect });
      time = ret + op.pause + 1;
    });
  });
  const store = new Map<string, string>();
  const lastSequence = new Map<number, number>();
  const outputs = new Map<number, OperationOutput>();
  const applied = new Map<number, number>();
  const inOrder = live.filter((op) => op.effect !== null).sort((a, b) => a.effect! - b.effect! || a.id - b.id);
  let logIndex = 10;
  for (const op of inOrder) {
    const operation = op.planned.input;
    if (!isWrite(operation)) {
      outputs.set(op.id, { type: 'value', value: store.get(operation.key ?? '') ?? '' });
      continue;
    }
    applied.set(op.id, logIndex++);
    if ((lastSequence.get(op.client) ?? -1) > op.sequence) continue; // stale: sessions skip it
    lastSequence.set(op.client, op.sequence);
    const k = operation.key ?? '';
    const now = store.get(k) ?? '';
    switch (operation.f) {
      case 'put': store.set(k, operation.value); outputs.set(op.id, { type: 'done' }); break;
      case 'append': store.set(k, now + operation.value); outputs.set(op.id, { type: 'done' }); break;
      case 'delete': store.delete(k); outputs.set(op.id, { type: 'done' }); break;
      case 'cas': {
        const matches = now === (operation.from ?? '');
        if (matches) store.set(k, String(operation.to));
        outputs.set(op.id, { type: 'ok', ok: matches });
        break;
      }
      default: throw new Error(`unexpected ${operation.f}`);
    }
  }
  return live.map((op) => {
    const index = applied.get(op.id);
    return {
      id: op.id, client: op.client, input: op.planned.input, call: op.call,
      return: op.planned.open ? OPEN : op.ret,
      output: op.planned.open ? { type: 'unknown' } : (outputs.get(op.id) ?? { type: 'unknown' }),
      ...(index === undefined ? {} : { applied: index }),
    };
  });
}

function tell(operations: Operation[], told: Lie): Operation[] {
  const ops = [...operations];
  const logged = ops.flatMap((op, index) => (op.applied === undefined ? [] : [index]));
  const pickOf = <T>(list: readonly T[], n: number): T | undefined => list[n % Math.max(1, list.length)];
  switch (told.kind) {
    case 'none': return ops;
    case 'read': {
      const reads = ops.flatMap((op, index) => (op.output.type === 'value' ? [index] : []));
      const index = pickOf(reads, told.pick);
      if (index !== undefined) ops[index] = { ...ops[index]!, output: { type: 'value', value: told.value } };
      return ops;
    }
    case 'swap': {
      const a = pickOf(logged, told.a);
      const b = pickOf(logged, told.b);
      if (a === undefined || b === undefined) return ops;
      const [first, second] = [ops[a]!, ops[b]!];
      ops[a] = { ...first, applied: second.applied! };
      ops[b] = { ...second, applied: first.applied! };
      return ops;
    }
    case 'move': {
      const index = pickOf(logged, told.pick);
      if (index !== undefined) ops[index] = { ...ops[index]!, applied: told.to };
      return ops;
    }
    case 'forget': {
      const index = pickOf(logged, told.pick);
      if (index === undefined) return ops;
      const { applied: _applied, ...rest } = ops[index]!;
      ops[index] = rest;
      return ops;
    }
    default: return ops;
  }
}

const history = fc.tuple(run, lie).map(([plan, told]) => ({ told, operations: tell(simulate(plan), told) }));

const leftOut = (operations: readonly Operation[]): Operation[] =>
  operations.filter((op) => op.applied !== undefined || op.return !== OPEN);

describe('applied-log witness', () => {
  it('passes every history of a correct log, on every key, and its order is a linearization', () => {
    fc.assert(fc.property(run, (plan) => {
      const operations = simulate(plan);
      const result = checkOperations(model, operations, { appliedLog: true });
      expect(result.verdict).toBe('pass');
      expect(result.keys.every((report) => report.witness === 'passed' && report.steps === 0)).toBe(true);
      const stale = staleOperations(operations);
      for (const k of ['a', 'b']) {
        const ops = operations.filter((op) => op.input.key === k);
        const outcome = appliedLogWitness(model, ops, stale);
        expect(outcome.ok).toBe(true);
        if (outcome.ok) expect(verifyLinearization(model, ops, outcome.order)).toBeNull();
      }
    }), { numRuns: 400, seed: 18 });
  });

  it('gives the verdict of the plain search, with or without appliedLog', () => {
    let failures = 0;
    let witnessFailed = 0;
    let onlyWithoutTheUnapplied = 0;
    fc.assert(fc.property(history, ({ operations }) => {
      const plain = checkOperations(model, operations, { witness: false }).verdict;
      expect(plain).not.toBe('unknown');
      expect(checkOperations(model, operations).verdict).toBe(plain);
      const full = checkOperations(model, operations, { appliedLog: true });
      expect(full.verdict).toBe(plain);
      // Leaving out what never applied only ever turns a pass into a failure (it takes options away).
      const pruned = checkOperations(model, leftOut(operations), { witness: false }).verdict;
      if (pruned === 'pass') expect(plain).toBe('pass');
      if (pruned === 'fail' && plain === 'pass') onlyWithoutTheUnapplied++;
      if (full.verdict === 'fail') failures++;
      if (full.keys.some((report) => report.witness === 'failed')) witnessFailed++;
    }), { numRuns: 1500, seed: 1818 });
    // Both verdicts, the fallback and the search again with every operation were exercised.
    expect(failures).toBeGreaterThan(50);
    expect(witnessFailed).toBeGreaterThan(failures);
    expect(onlyWithoutTheUnapplied).toBeGreaterThan(0);
  });

  it('never passes a history the definition rejects: every passing order is verified', () => {
    fc.assert(fc.property(history, ({ operations }) => {
      for (const k of ['a', 'b']) {
        const ops = operations.filter((op) => op.input.key === k);
        const outcome = appliedLogWitness(model, ops);
        if (outcome.ok) expect(verifyLinearization(model, ops, outcome.order)).toBeNull();
      }
    }), { numRuns: 1500, seed: 181818 });
  });
});

describe('verifyLinearization', () => {
  const op = (id: number, call: number, ret: number, inputValue: OperationInput, output: OperationOutput): Operation =>
    ({ id, client: id, call, return: ret, input: inputValue, output });
  const ops = [
    op(0, 0, 2, { f: 'put', key: 'a', value: 'x' }, { type: 'done' }),
    op(1, 3, 4, { f: 'get', key: 'a' }, { type: 'value', value: 'x' }),
    op(2, 1, OPEN, { f: 'put', key: 'a', value: 'y' }, { type: 'unknown' }),
  ];
  it('accepts a linearization, with or without an open operation', () => {
    expect(verifyLinearization(model, ops, [0, 1])).toBeNull();
    expect(verifyLinearization(model, ops, [0, 1, 2])).toBeNull();
  });
  it('rejects a missing, repeated, reordered or illegal one', () => {
    expect(verifyLinearization(model, ops, [0])).toMatch(/#1 returned but is not placed/);
    expect(verifyLinearization(model, ops, [0, 1, 1])).toMatch(/placed twice/);
    expect(verifyLinearization(model, ops, [1, 0])).toMatch(/#1 is placed before #0/);
    expect(verifyLinearization(model, ops, [0, 2, 1])).toMatch(/#1 is not legal/);
  });
});

describe('explanations', () => {
  it('say what the witness placed and where the search took over', () => {
    // A stale read: the put of "y" returned before the read was called, and the read saw "x".
    const operations: Operation[] = [
      { id: 1, client: 1, call: 0, return: 1, input: { f: 'put', key: 'k', value: 'x' }, output: { type: 'done' }, applied: 5 },
      { id: 2, client: 2, call: 2, return: 3, input: { f: 'put', key: 'k', value: 'y' }, output: { type: 'done' }, applied: 6 },
      { id: 3, client: 3, call: 1, return: OPEN, input: { f: 'put', key: 'k', value: 'z' }, output: { type: 'unknown' } },
      { id: 4, client: 1, call: 4, return: 5, input: { f: 'get', key: 'k' }, output: { type: 'value', value: 'x' } },
    ];
    const result = checkOperations(model, operations, { appliedLog: true });
    expect(result.verdict).toBe('fail');
    const text = formatVerdict(result, model);
    expect(text).toMatch(/applied-log witness: placed 2 operations in log order \(the last #2\), then stuck at #4: no state of the applied log/);
    // Without the open put the search fails; with it too (it cannot make "x" come back).
    expect(text).toMatch(/the search took over there, on 4 operations:/);
    expect(text).not.toMatch(/applied log says/);
    expect(verdictJson(result, model)).toMatchObject({ explanation: { searched: 4, leftOut: 0, witness: { placed: [1, 2], blocked: { id: 4 } } } });
  });

  // A read of "x" after a put of "y" returned, and open puts that never applied: of "x" in the
  // first case (which explains the read), of other values in the second (many, to search).
  const staleRead = (explain: boolean, puts: number): Operation[] => [
    { id: 1, client: 1, call: 0, return: 1, input: { f: 'put', key: 'k', value: 'y' }, output: { type: 'done' }, applied: 5 },
    ...Array.from({ length: puts }, (_, index): Operation => ({
      id: 10 + index, client: 10 + index, call: 2, return: OPEN, input: { f: 'put', key: 'k', value: explain && index === 0 ? 'x' : `z${index}` }, output: { type: 'unknown' },
    })),
    { id: 2, client: 2, call: 3, return: 4, input: { f: 'get', key: 'k' }, output: { type: 'value', value: 'x' } },
    { id: 3, client: 3, call: 3, return: 5, input: { f: 'put', key: 'k', value: 'w' }, output: { type: 'done' }, applied: 6 },
    { id: 4, client: 4, call: 6, return: 7, input: { f: 'get', key: 'k' }, output: { type: 'value', value: 'w' } },
  ];

  it('pass where an open operation that never applied explains a read: the definition allows it', () => {
    const result = checkOperations(model, staleRead(true, 3), { appliedLog: true });
    expect(result.verdict).toBe('pass');
    expect(result.keys[0]).toMatchObject({ witness: 'failed', leftOut: 0 });
  });

  it('a failure as the applied log says the run happened when the search with every operation runs out of budget', () => {
    const operations = staleRead(false, 9);
    const small = checkOperations(model, operations, { appliedLog: true, budgetSteps: 200, sliceSteps: 10 });
    expect(small.verdict).toBe('fail');
    if (small.verdict !== 'fail') return;
    expect(small.explanation).toMatchObject({ whiteBox: true, leftOut: 9, searched: 4, blocked: { id: 2 } });
    expect(formatVerdict(small, model)).toMatch(/as the applied log says the run happened: the search with the 9 open operations that never reached it as well ran out of budget/);
    expect(checkOperations(model, operations, { witness: false, budgetSteps: 200, sliceSteps: 10 }).verdict).toBe('unknown');
    const large = checkOperations(model, operations, { appliedLog: true });
    expect(large.verdict).toBe('fail');
    if (large.verdict === 'fail') expect(large.explanation.whiteBox).toBeUndefined();
  });
});
