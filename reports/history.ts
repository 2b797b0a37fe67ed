// History codecs: the `raftsim-history/1` JSON Lines format (docs/design.md, "File formats"), the
// two Porcupine reference formats (Jepsen etcd logs and kv logs), and the bridge from a recorded
// trace. Everything here parses and prints strings: no files, no `process`.
import type { KvOp, KvResult } from '../core/index.ts';
import { assertNever } from '../core/index.ts';
import type { ClientInput, ClientOutput, TraceEvent } from '../sim/events.ts';

export const HISTORY_FORMAT = 'raftsim-history/1';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What a client asked for, tagged by `f` exactly as the file spells it. */
export type OperationInput =
  | { readonly f: 'read'; readonly key?: string }
  | { readonly f: 'write'; readonly key?: string; readonly value: JsonValue }
  | { readonly f: 'cas'; readonly key?: string; readonly from: JsonValue; readonly to: JsonValue }
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string }
  | { readonly f: 'delete'; readonly key: string };

export type OperationName = OperationInput['f'];

/** What the client saw. In the file: {"value":V}, {"ok":B}, {} and {"unknown":true}. */
export type OperationOutput =
  | { readonly type: 'value'; readonly value: JsonValue }
  | { readonly type: 'ok'; readonly ok: boolean }
  | { readonly type: 'done' }
  | { readonly type: 'unknown' };

export interface HistoryOperation {
  readonly id: number;
  readonly client: number;
  readonly input: OperationInput;
  readonly call: number;
  /** null: the client never saw a return, so the operation is open until +infinity. */
  readonly return: number | null;
  /** null exactly when `return` is null. */
  readonly output: OperationOutput | null;
  /**
   * Where the operation's command first reached the applied log (its Raft log index): where it
   * took effect, unless client sessions skipped it as stale (a later command of the same client
   * applied first). Absent when the source does not know, or (with `appliedLog`) when it never
   * reached the applied log. Read-only operations served without a log entry have none.
   */
  readonly applied?: number;
}

export interface History {
  readonly model: string;
  readonly init: JsonValue;
  /** False when the source had no times: then `call`/`return` are event positions (0, 1, ...). */
  readonly timed: boolean;
  readonly operations: readonly HistoryOperation[];
  /**
   * True when every operation whose command reached the applied log by the end of the history
   * carries `applied`: one without it never took effect within the history, so a check may leave
   * it out when it is open. Absent or false: nothing is known of the others.
   */
  readonly appliedLog?: boolean;
}

export type HistoryFormat = 'raftsim' | 'porcupine-etcd' | 'porcupine-kv';

/** A history that cannot be read; the message is one line and names the line. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  constructor(readonly line: number, detail: string) {
    super(line > 0 ? `line ${line}: ${detail}` : detail);
  }
}

const OPERATION_NAMES: readonly OperationName[] = ['read', 'write', 'cas', 'get', 'put', 'append', 'delete'];

// ---------------------------------------------------------------------------------------------
// Building a history from events in time order (shared by every parser).

interface PendingCall {
  readonly id: number;
  readonly client: number;
  readonly input: OperationInput;
  readonly call: number;
  readonly line: number;
  readonly applied?: number;
}

class HistoryBuilder {
  private readonly pending = new Map<number, PendingCall>();
  private readonly done = new Map<number, HistoryOperation>();
  private readonly order: number[] = [];

  call(line: number, id: number, client: number, input: OperationInput, time: number, applied?: number): void {
    if (this.pending.has(id) || this.done.has(id)) throw new HistoryError(line, `operation id ${id} is called twice`);
    this.pending.set(id, { id, client, input, call: time, line, ...(applied === undefined ? {} : { applied }) });
    this.order.push(id);
  }

  complete(line: number, id: number, output: OperationOutput | null, time: number | null): void {
    const call = this.pending.get(id);
    if (call === undefined) throw new HistoryError(line, `return for operation id ${id}, which has no open call`);
    if (time !== null && time < call.call) {
      throw new HistoryError(line, `operation id ${id} returns at time ${time}, before its call at ${call.call}`);
    }
    this.pending.delete(id);
    const { line: _line, applied, ...rest } = call;
    this.done.set(id, { ...rest, return: time, output, ...(applied === undefined ? {} : { applied }) });
  }

  /** Forget a call that certainly had no effect (a Jepsen `:fail` of a write or read). */
  discard(id: number): void {
    this.pending.delete(id);
    const index = this.order.indexOf(id);
    if (index >= 0) this.order.splice(index, 1);
  }

  isPending(id: number): boolean {
    return this.pending.has(id);
  }

  operations(): HistoryOperation[] {
    for (const id of [...this.pending.keys()]) this.complete(0, id, null, null);
    return this.order.map((id) => this.done.get(id)).filter((op) => op !== undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// raftsim-history/1

/** Parse a `raftsim-history/1` file. Throws HistoryError naming the line. */
export function parseRaftsimHistory(text: string): History {
  const lines = text.split('\n');
  let header: { model: string; init: JsonValue; appliedLog: boolean } | null = null;
  let timed: boolean | null = null;
  const builder = new HistoryBuilder();
  let position = 0;
  const limit = lines.length;
  for (let index = 0; index < limit; index++) {
    const raw = (lines[index] ?? '').trim();
    const line = index + 1;
    if (raw === '') continue;
    const record = parseJsonObject(raw, line);
    if (header === null) {
      header = parseHeader(record, line);
      continue;
    }
    const hasTime = record['time'] !== undefined;
    if (timed === null) timed = hasTime;
    if (timed !== hasTime) throw new HistoryError(line, 'either every line has a "time" or none does');
    const time = hasTime ? integerField(record, 'time', line) : position;
    position++;
    applyEventLine(builder, record, line, time);
  }
  if (header === null) throw new HistoryError(1, `empty file: expected a ${HISTORY_FORMAT} header line`);
  return { model: header.model, init: header.init, timed: timed ?? false, operations: builder.operations(),
    ...(header.appliedLog ? { appliedLog: true } : {}) };
}

function applyEventLine(builder: HistoryBuilder, record: Record<string, unknown>, line: number, time: number): void {
  const type = record['type'];
  const id = integerField(record, 'id', line);
  if (type === 'call') {
    const client = integerField(record, 'client', line);
    const applied = record['applied'] === undefined ? undefined : integerField(record, 'applied', line);
    if (applied !== undefined && applied < 0) throw new HistoryError(line, '"applied" must be a log index >= 0');
    builder.call(line, id, client, parseInput(record['input'], line), time, applied);
  } else if (type === 'return') {
    builder.complete(line, id, parseOutput(record['output'], line), time);
  } else {
    throw new HistoryError(line, `"type" must be "call" or "return", not ${JSON.stringify(type)}`);
  }
}

function parseJsonObject(raw: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HistoryError(line, 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HistoryError(line, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function parseHeader(record: Record<string, unknown>, line: number): { model: string; init: JsonValue; appliedLog: boolean } {
  const format = record['format'];
  if (typeof format !== 'string') {
    throw new HistoryError(line, `expected a header {"format":"${HISTORY_FORMAT}",...} first`);
  }
  const match = /^raftsim-history\/(\d+)$/.exec(format);
  if (match === null) throw new HistoryError(line, `unknown format ${JSON.stringify(format)}; expected ${HISTORY_FORMAT}`);
  if (Number(match[1]) !== 1) {
    throw new HistoryError(line, `format ${format} is newer than this raftsim reads (${HISTORY_FORMAT}); upgrade raftsim`);
  }
  const model = record['model'];
  if (typeof model !== 'string' || model === '') throw new HistoryError(line, 'header needs "model" (a string)');
  const appliedLog = record['appliedLog'] ?? false;
  if (typeof appliedLog !== 'boolean') throw new HistoryError(line, '"appliedLog" must be true or false');
  return { model, init: (record['init'] ?? null) as JsonValue, appliedLog };
}

function integerField(record: Record<string, unknown>, name: string, line: number): number {
  const value = record[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new HistoryError(line, `"${name}" must be an integer`);
  }
  return value;
}

function parseInput(value: unknown, line: number): OperationInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HistoryError(line, '"input" must be an object');
  }
  const input = value as Record<string, unknown>;
  const f = input['f'];
  if (typeof f !== 'string' || !(OPERATION_NAMES as readonly string[]).includes(f)) {
    throw new HistoryError(line, `"input.f" must be one of ${OPERATION_NAMES.join(', ')}`);
  }
  const key = input['key'];
  if (key !== undefined && typeof key !== 'string') throw new HistoryError(line, '"input.key" must be a string');
  const keyPart = key === undefined ? {} : { key };
  const need = (name: string): unknown => {
    if (!(name in input)) throw new HistoryError(line, `${f} needs "input.${name}"`);
    return input[name];
  };
  const needString = (name: string): string => {
    const field = need(name);
    if (typeof field !== 'string') throw new HistoryError(line, `"input.${name}" of ${f} must be a string`);
    return field;
  };
  const needKey = (): string => needString('key');
  const name = f as OperationName;
  switch (name) {
    case 'read': return { f: name, ...keyPart };
    case 'write': return { f: name, ...keyPart, value: need('value') as JsonValue };
    case 'cas': return { f: name, ...keyPart, from: need('from') as JsonValue, to: need('to') as JsonValue };
    case 'get': return { f: name, key: needKey() };
    case 'put': return { f: name, key: needKey(), value: needString('value') };
    case 'append': return { f: name, key: needKey(), value: needString('value') };
    case 'delete': return { f: name, key: needKey() };
    default: return assertNever(name);
  }
}

function parseOutput(value: unknown, line: number): OperationOutput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HistoryError(line, '"output" must be an object');
  }
  const output = value as Record<string, unknown>;
  if (output['unknown'] === true) return { type: 'unknown' };
  if ('value' in output) return { type: 'value', value: output['value'] as JsonValue };
  if ('ok' in output) {
    if (typeof output['ok'] !== 'boolean') throw new HistoryError(line, '"output.ok" must be true or false');
    return { type: 'ok', ok: output['ok'] };
  }
  if (Object.keys(output).length > 0) {
    throw new HistoryError(line, '"output" must be {}, {"value":V}, {"ok":B} or {"unknown":true}');
  }
  return { type: 'done' };
}

/** Print a history as `raftsim-history/1`; parseRaftsimHistory reads it back to the same value. */
export function serializeHistory(history: History): string {
  const header = JSON.stringify({ format: HISTORY_FORMAT, model: history.model, init: history.init,
    ...(history.appliedLog === true ? { appliedLog: true } : {}) });
  const events: { time: number; kind: number; order: number; text: string }[] = [];
  history.operations.forEach((op, order) => {
    const time = history.timed ? { time: op.call } : {};
    const applied = op.applied === undefined ? {} : { applied: op.applied };
    events.push({ time: op.call, kind: 0, order, text: JSON.stringify({ type: 'call', id: op.id, client: op.client, ...time, input: op.input, ...applied }) });
    if (op.return === null || op.output === null) return;
    const returnTime = history.timed ? { time: op.return } : {};
    events.push({ time: op.return, kind: 1, order, text: JSON.stringify({ type: 'return', id: op.id, ...returnTime, output: outputJson(op.output) }) });
  });
  events.sort((a, b) => a.time - b.time || a.kind - b.kind || a.order - b.order);
  return [header, ...events.map((event) => event.text)].join('\n') + '\n';
}

function outputJson(output: OperationOutput): Record<string, JsonValue> {
  switch (output.type) {
    case 'value': return { value: output.value };
    case 'ok': return { ok: output.ok };
    case 'done': return {};
    case 'unknown': return { unknown: true };
    default: return assertNever(output);
  }
}

// ---------------------------------------------------------------------------------------------
// Porcupine's Jepsen etcd logs (reports/lin/testdata/porcupine/README.md): one register, initially
// absent; a line's position is its time.

const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s*(.*?)\s*$/;

export function parseEtcdLog(text: string): History {
  const lines = text.split('\n');
  const builder = new HistoryBuilder();
  const openByProcess = new Map<number, { id: number; f: string }>();
  let position = 0;
  for (let index = 0; index < lines.length; index++) {
    const raw = (lines[index] ?? '').trim();
    const line = index + 1;
    if (raw === '') continue;
    const match = ETCD_LINE.exec(raw);
    if (match === null) throw new HistoryError(line, 'not a Jepsen etcd line ("INFO  jepsen.util - <process> :type :f value")');
    const [, processText = '', type = '', f = '', argument = ''] = match;
    const process = Number(processText);
    const open = openByProcess.get(process);
    if (type === 'invoke') {
      if (open !== undefined) throw new HistoryError(line, `process ${process} invokes while its operation is still open`);
      const id = position;
      builder.call(line, id, process, etcdInput(f, argument, line), position++);
      openByProcess.set(process, { id, f });
      continue;
    }
    if (open === undefined) throw new HistoryError(line, `:${type} from process ${process}, which has no open :invoke`);
    if (open.f !== f) throw new HistoryError(line, `:${type} :${f} completes an :invoke :${open.f}`);
    openByProcess.delete(process);
    const time = position++;
    if (type === 'info') continue; // timed out: open forever, completed at the end with no return
    const output = etcdOutput(type, f, argument, line);
    if (output === null) builder.discard(open.id);
    else builder.complete(line, open.id, output, time);
  }
  return { model: 'register', init: null, timed: false, operations: builder.operations() };
}

function etcdInput(f: string, argument: string, line: number): OperationInput {
  if (f === 'read') return { f: 'read' };
  if (f === 'write') return { f: 'write', value: etcdValue(argument, line) };
  const pair = /^\[\s*(\S+)\s+(\S+)\s*\]$/.exec(argument);
  if (pair === null) throw new HistoryError(line, `cas needs [from to], got ${JSON.stringify(argument)}`);
  return { f: 'cas', from: etcdValue(pair[1] ?? '', line), to: etcdValue(pair[2] ?? '', line) };
}

function etcdValue(text: string, line: number): JsonValue {
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  throw new HistoryError(line, `expected nil or an integer, got ${JSON.stringify(text)}`);
}

/** null: the operation certainly did not take effect, so it is left out. */
function etcdOutput(type: string, f: string, argument: string, line: number): OperationOutput | null {
  if (type === 'ok') {
    if (f === 'read') return { type: 'value', value: etcdValue(argument, line) };
    if (f === 'write') return { type: 'done' };
    return { type: 'ok', ok: true };
  }
  // :fail
  if (f === 'cas') return { type: 'ok', ok: false }; // the compare ran and failed
  if (f === 'read' && argument === ':timed-out') return { type: 'unknown' };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Porcupine's kv logs: {:process 0, :type :invoke, :f :get, :key "9", :value nil}

const KV_LINE = /^\{:process\s+(\d+),\s*:type\s+:(invoke|ok|fail|info),\s*:f\s+:(get|put|append),\s*:key\s+("(?:[^"\\]|\\.)*"),\s*:value\s+(nil|"(?:[^"\\]|\\.)*")\}$/;

export function parseKvLog(text: string): History {
  const lines = text.split('\n');
  const builder = new HistoryBuilder();
  const openByProcess = new Map<number, { id: number; f: string }>();
  let position = 0;
  for (let index = 0; index < lines.length; index++) {
    const raw = (lines[index] ?? '').trim();
    const line = index + 1;
    if (raw === '') continue;
    const match = KV_LINE.exec(raw);
    if (match === null) throw new HistoryError(line, 'not a kv log line ({:process N, :type :t, :f :f, :key "k", :value v})');
    const [, processText = '', type = '', f = '', keyText = '', valueText = ''] = match;
    const process = Number(processText);
    const key = clojureString(keyText, line);
    const value = valueText === 'nil' ? null : clojureString(valueText, line);
    const open = openByProcess.get(process);
    if (type === 'invoke') {
      if (open !== undefined) throw new HistoryError(line, `process ${process} invokes while its operation is still open`);
      const id = position;
      builder.call(line, id, process, kvLogInput(f, key, value, line), position++);
      openByProcess.set(process, { id, f });
      continue;
    }
    if (open === undefined) throw new HistoryError(line, `:${type} from process ${process}, which has no open :invoke`);
    if (open.f !== f) throw new HistoryError(line, `:${type} :${f} completes an :invoke :${open.f}`);
    openByProcess.delete(process);
    const time = position++;
    if (type === 'info') continue;
    if (type === 'fail') builder.discard(open.id);
    else builder.complete(line, open.id, f === 'get' ? { type: 'value', value: value ?? '' } : { type: 'done' }, time);
  }
  return { model: 'kv', init: '', timed: false, operations: builder.operations() };
}

function kvLogInput(f: string, key: string, value: string | null, line: number): OperationInput {
  if (f === 'get') return { f: 'get', key };
  if (value === null) throw new HistoryError(line, `:${f} needs a string :value`);
  return f === 'put' ? { f: 'put', key, value } : { f: 'append', key, value };
}

function clojureString(quoted: string, line: number): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new HistoryError(line, `bad string literal ${quoted}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Choosing a parser.

/** Guess the format from the first non-blank line; null when nothing matches. */
export function guessHistoryFormat(text: string): HistoryFormat | null {
  const first = text.split('\n').find((line) => line.trim() !== '')?.trim();
  if (first === undefined) return null;
  if (first.startsWith('INFO') && first.includes('jepsen.util')) return 'porcupine-etcd';
  if (first.startsWith('{:process')) return 'porcupine-kv';
  if (first.startsWith('{"') && first.includes('"format"')) return 'raftsim';
  return null;
}

export function parseHistory(text: string, format?: HistoryFormat): History {
  const chosen = format ?? guessHistoryFormat(text);
  if (chosen === null) {
    throw new HistoryError(1, 'cannot tell the history format; pass --format raftsim|porcupine-etcd|porcupine-kv');
  }
  switch (chosen) {
    case 'raftsim': return parseRaftsimHistory(text);
    case 'porcupine-etcd': return parseEtcdLog(text);
    case 'porcupine-kv': return parseKvLog(text);
    default: return assertNever(chosen);
  }
}

// ---------------------------------------------------------------------------------------------
// From a recorded trace: the client calls and returns the simulator saw, as a `kv` history.

/**
 * The id of each operation of a trace, in call order: the number the trace gives it (`op`), so
 * an explanation's #14 is the events' op 14; a number seen already (hand-made traces number per
 * client) gets the first free one from the count of calls on. The HTML report finds an
 * operation's events with the same numbering.
 */
export class OperationNumbers {
  private readonly used = new Set<number>();

  assign(op: number): number {
    let id = op;
    if (this.used.has(id)) for (id = this.used.size; this.used.has(id);) id++;
    this.used.add(id);
    return id;
  }
}

export function historyFromTrace(events: readonly TraceEvent[]): History {
  const builder = new HistoryBuilder();
  const ids = new Map<string, number>();
  const numbers = new OperationNumbers();
  /** (client id, sequence) of each command -> the operation that sent it. */
  const commands = new Map<number, number>();
  /** Operation -> the lowest log index at which its command was applied (on any node). */
  const applied = new Map<number, number>();
  for (const event of events) {
    if (event.type === 'call') {
      const id = numbers.assign(event.op);
      ids.set(`${event.client}/${event.op}`, id);
      if (event.input.type === 'command') commands.set(commandKey(event.input.command.clientId, event.input.command.sequence), id);
      builder.call(0, id, event.client, inputFromClient(event.input), event.time);
    } else if (event.type === 'return') {
      const id = ids.get(`${event.client}/${event.op}`);
      if (id === undefined || !builder.isPending(id)) continue;
      builder.complete(0, id, outputFromClient(event.output), event.time);
    } else if (event.type === 'apply' && event.entry.clientId !== undefined && event.entry.sequence !== undefined) {
      const id = commands.get(commandKey(event.entry.clientId, event.entry.sequence));
      if (id === undefined) continue;
      const earlier = applied.get(id);
      if (earlier === undefined || event.entry.index < earlier) applied.set(id, event.entry.index);
    }
  }
  const operations = builder.operations().map((operation) => {
    const index = applied.get(operation.id);
    return index === undefined ? operation : { ...operation, applied: index };
  });
  // The trace is the whole run: a command that no node applied by its end never took effect in it.
  return { model: 'kv', init: '', timed: true, operations, appliedLog: true };
}

/** One number per (client id, sequence): both are positive integers well below 2^21 in a run. */
function commandKey(clientId: number, sequence: number): number {
  return clientId * 0x100000000 + sequence;
}

/**
 * A filter for the events a run keeps for historyFromTrace: calls, returns, and the first apply
 * of each client command (the others only repeat it on other nodes), so a long run does not keep
 * every node's applies in memory.
 */
export function historyEventFilter(): (event: TraceEvent) => boolean {
  const seen = new Set<number>();
  return (event) => {
    // The type read once: events come in many shapes, so each read is a megamorphic lookup.
    const type = event.type;
    if (type === 'call' || type === 'return') return true;
    if (type !== 'apply') return false;
    const entry = event.entry;
    if (entry.clientId === undefined || entry.sequence === undefined) return false;
    const key = commandKey(entry.clientId, entry.sequence);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

function inputFromClient(input: ClientInput): OperationInput {
  if (input.type === 'read') return { f: 'get', key: input.key };
  return inputFromKvOp(input.command.op);
}

function inputFromKvOp(op: KvOp): OperationInput {
  switch (op.type) {
    case 'get': return { f: 'get', key: op.key };
    case 'put': return { f: 'put', key: op.key, value: op.value };
    case 'append': return { f: 'append', key: op.key, value: op.value };
    case 'cas': return { f: 'cas', key: op.key, from: op.from, to: op.to };
    case 'delete': return { f: 'delete', key: op.key };
    default: return assertNever(op);
  }
}

function outputFromClient(output: ClientOutput): OperationOutput {
  if (output.type === 'unknown') return { type: 'unknown' };
  return outputFromKvResult(output.result);
}

function outputFromKvResult(result: KvResult): OperationOutput {
  switch (result.type) {
    case 'value': return { type: 'value', value: result.value ?? '' };
    case 'ok': return { type: 'done' };
    case 'cas': return { type: 'ok', ok: result.ok };
    default: return assertNever(result);
  }
}
