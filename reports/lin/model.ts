// Sequential specifications the linearizability search checks histories against. A model is
// data plus pure functions, so new models plug in without touching the search.
import { stableJson } from '../../sim/hash.ts';
import { assertNever } from '../../core/index.ts';
import type { JsonValue, OperationInput, OperationOutput } from '../history.ts';

export type StepResult<State> = { readonly ok: true; readonly next: State } | { readonly ok: false };

/** One operation as the search sees it: `return` is +Infinity when indeterminate. */
export interface Operation<Input = OperationInput, Output = OperationOutput> {
  readonly id: number;
  readonly client: number;
  readonly input: Input;
  readonly output: Output;
  readonly call: number;
  readonly return: number;
  /** Where it took effect in the applied log (a log index), when known: the witness's order. */
  readonly applied?: number;
}

/** Operations that touch disjoint state: each partition is checked on its own (P-compositionality). */
export interface Partition<Input = OperationInput, Output = OperationOutput> {
  readonly key: string;
  readonly operations: readonly Operation<Input, Output>[];
}

export interface Model<State, Input = OperationInput, Output = OperationOutput> {
  readonly name: string;
  init(): State;
  /**
   * Whether `output` is a legal answer to `input` in `state`, and the state after. An unknown
   * output must be accepted in every state, since the search may place it last ("never happened").
   */
  step(state: State, input: Input, output: Output): StepResult<State>;
  /** Equal states must hash alike; the search checks `equal` on every hash match. */
  hash(state: State): number;
  equal(a: State, b: State): boolean;
  /**
   * True when the operation, with this output, leaves the state unchanged in every state where it
   * is legal (a read, a failed cas). The search then takes it as soon as it is legal, without
   * branching. Absent means false.
   */
  isReadOnly?(input: Input, output: Output): boolean;
  partition(operations: readonly Operation<Input, Output>[]): readonly Partition<Input, Output>[];
  /** Why this model cannot check the operation, or null when it can. */
  validate(input: Input, output: Output): string | null;
  describe(input: Input, output: Output): string;
  describeState(state: State): string;
}

const REJECTED: StepResult<never> = Object.freeze({ ok: false });

// ---------------------------------------------------------------------------------------------
// Hashing.

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a continued from `hash`, so the hash of a + b can be computed from the hash of a. */
export function fnv1a(text: string, hash: number = FNV_OFFSET): number {
  let result = hash;
  for (let index = 0; index < text.length; index++) {
    result = Math.imul(result ^ text.charCodeAt(index), 0x01000193);
  }
  return result | 0;
}

function hashJson(value: JsonValue): number {
  if (value === null) return 0x2c1b3c6d;
  if (typeof value === 'number' && Number.isInteger(value)) return Math.imul(value | 0, 0x9e3779b1) ^ (value / 0x100000000);
  return fnv1a(stableJson(value));
}

export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return stableJson(a) === stableJson(b);
}

function partitionByKey<Output>(operations: readonly Operation<OperationInput, Output>[], keyOf: (input: OperationInput) => string): Partition<OperationInput, Output>[] {
  const groups = new Map<string, Operation<OperationInput, Output>[]>();
  for (const operation of operations) {
    const key = keyOf(operation.input);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [operation]);
    else group.push(operation);
  }
  // Sorted so reports and budgets never depend on the order keys first appeared.
  return [...groups.keys()].sort().map((key) => ({ key, operations: groups.get(key) ?? [] }));
}

/** Reads, and a cas that reports failure: legal only where they change nothing. */
function isReadOnly(input: OperationInput, output: OperationOutput): boolean {
  if (output.type === 'unknown') return false;
  return input.f === 'read' || input.f === 'get' || (input.f === 'cas' && output.type === 'ok' && !output.ok);
}

function describeOutput(output: OperationOutput): string {
  switch (output.type) {
    case 'value': return JSON.stringify(output.value);
    case 'ok': return String(output.ok);
    case 'done': return 'ok';
    case 'unknown': return '?';
    default: return assertNever(output);
  }
}

function describeInput(input: OperationInput): string {
  const key = input.key === undefined ? [] : [JSON.stringify(input.key)];
  switch (input.f) {
    case 'read': case 'get': case 'delete': return `${input.f}(${key.join(', ')})`;
    case 'write': case 'put': case 'append': return `${input.f}(${[...key, JSON.stringify(input.value)].join(', ')})`;
    case 'cas': return `cas(${[...key, JSON.stringify(input.from), JSON.stringify(input.to)].join(', ')})`;
    default: return assertNever(input);
  }
}

function describeOperation(input: OperationInput, output: OperationOutput): string {
  return `${describeInput(input)} -> ${describeOutput(output)}`;
}

// ---------------------------------------------------------------------------------------------
// register: read -> {value}, write(value) -> {}, cas(from, to) -> {ok}.

export function registerModel(init: JsonValue = null): Model<JsonValue> {
  return {
    name: 'register',
    init: () => init,
    step: registerStep,
    hash: hashJson,
    equal: jsonEquals,
    isReadOnly,
    partition: (operations) => partitionByKey(operations, (input) => input.key ?? ''),
    validate: (input, output) => validateOperation('register', ['read', 'write', 'cas'], input, output),
    describe: describeOperation,
    describeState: (state) => JSON.stringify(state),
  };
}

function registerStep(state: JsonValue, input: OperationInput, output: OperationOutput): StepResult<JsonValue> {
  const unknown = output.type === 'unknown';
  switch (input.f) {
    case 'read':
      if (unknown || (output.type === 'value' && jsonEquals(state, output.value))) return { ok: true, next: state };
      return REJECTED;
    case 'write':
      return { ok: true, next: input.value };
    case 'cas':
      return casStep(jsonEquals(state, input.from), state, input.to, output);
    case 'get': case 'put': case 'append': case 'delete':
      return REJECTED;
    default: return assertNever(input);
  }
}

function casStep<State>(matches: boolean, state: State, to: State, output: OperationOutput): StepResult<State> {
  if (output.type === 'unknown') return { ok: true, next: matches ? to : state };
  if (output.type !== 'ok' || output.ok !== matches) return REJECTED;
  return { ok: true, next: matches ? to : state };
}

function validateOperation(model: string, names: readonly string[], input: OperationInput, output: OperationOutput): string | null {
  if (!names.includes(input.f)) return `the ${model} model has no "${input.f}" (it has ${names.join(', ')})`;
  const expected = expectedOutput(input);
  if (output.type !== 'unknown' && output.type !== expected) {
    return `${input.f} must return ${expected === 'value' ? '{"value":V}' : expected === 'ok' ? '{"ok":B}' : '{}'}`;
  }
  if (model === 'kv' && input.f === 'cas' && typeof input.to !== 'string') return 'kv cas needs a string "to"';
  if (model === 'kv' && output.type === 'value' && typeof output.value !== 'string' && output.value !== null) {
    return 'kv get must return a string value';
  }
  return null;
}

function expectedOutput(input: OperationInput): OperationOutput['type'] {
  switch (input.f) {
    case 'read': case 'get': return 'value';
    case 'cas': return 'ok';
    case 'write': case 'put': case 'append': case 'delete': return 'done';
    default: return assertNever(input);
  }
}

// ---------------------------------------------------------------------------------------------
// kv: per key a string, initially "" (absent and deleted read as "").

/** The string and its FNV-1a hash, carried along so an append hashes only what it adds. */
export interface KvState {
  readonly value: string;
  readonly hash: number;
}

function kvState(value: string): KvState {
  return { value, hash: fnv1a(value) };
}

export function kvModel(init = ''): Model<KvState> {
  const initial = kvState(init);
  const empty = kvState('');
  // Hashes of the strings gets returned: a get tried in the wrong state is then refuted by
  // comparing two numbers instead of walking (and flattening) a long string.
  const outputHashes = new Map<string, number>();
  const hashOf = (text: string): number => {
    let hash = outputHashes.get(text);
    if (hash === undefined) outputHashes.set(text, (hash = fnv1a(text)));
    return hash;
  };
  return {
    name: 'kv',
    init: () => initial,
    step: (state, input, output) => kvStep(state, input, output, empty, hashOf),
    hash: (state) => state.hash,
    equal: (a, b) => a === b || (a.hash === b.hash && a.value === b.value),
    isReadOnly,
    partition: (operations) => partitionByKey(operations, (input) => input.key ?? ''),
    validate: (input, output) => validateOperation('kv', ['get', 'put', 'append', 'cas', 'delete'], input, output),
    describe: describeOperation,
    describeState: (state) => JSON.stringify(state.value),
  };
}

function kvStep(state: KvState, input: OperationInput, output: OperationOutput, empty: KvState, hashOf: (text: string) => number): StepResult<KvState> {
  switch (input.f) {
    case 'get': {
      if (output.type === 'unknown') return { ok: true, next: state };
      if (output.type !== 'value') return REJECTED;
      const value = output.value ?? '';
      if (typeof value !== 'string' || hashOf(value) !== state.hash || value !== state.value) return REJECTED;
      return { ok: true, next: state };
    }
    case 'put': return { ok: true, next: kvState(input.value) };
    case 'append': return { ok: true, next: { value: state.value + input.value, hash: fnv1a(input.value, state.hash) } };
    case 'delete': return { ok: true, next: empty };
    case 'cas': {
      const to = typeof input.to === 'string' ? input.to : stableJson(input.to);
      return casStep(state.value === (input.from ?? ''), state, kvState(to), output);
    }
    case 'read': case 'write':
      return REJECTED;
    default: return assertNever(input);
  }
}

/** A model of either kind behind one type; states never cross between models, so this is safe. */
export function eraseModel<State>(model: Model<State>): Model<unknown> {
  return model as unknown as Model<unknown>;
}

export type ModelName = 'register' | 'kv';

export function modelFor(name: ModelName, init: JsonValue): Model<unknown> {
  switch (name) {
    case 'register': return eraseModel(registerModel(init));
    case 'kv': return eraseModel(kvModel(typeof init === 'string' ? init : ''));
    default: return assertNever(name);
  }
}
