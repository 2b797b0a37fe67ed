// The history codecs: raftsim-history/1 both ways, the Porcupine formats, errors that name the
// line, and the bridge from trace events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../sim/events.ts';
import type { History, HistoryOperation, OperationInput, OperationOutput } from './history.ts';
import {
  guessHistoryFormat, HistoryError, historyEventFilter, historyFromTrace, parseEtcdLog, parseHistory, parseKvLog,
  parseRaftsimHistory, serializeHistory,
} from './history.ts';

const header = '{"format":"raftsim-history/1","model":"register","init":null}';

function errorOf(action: () => unknown): HistoryError {
  try {
    action();
  } catch (error) {
    if (error instanceof HistoryError) return error;
    throw error;
  }
  throw new Error('expected a HistoryError');
}

describe('raftsim-history/1', () => {
  it('reads the example of docs/design.md', () => {
    const history = parseRaftsimHistory([
      header,
      '{"type":"call","id":1,"client":0,"time":10,"input":{"f":"write","key":"x","value":3}}',
      '{"type":"return","id":1,"time":14,"output":{}}',
      '{"type":"call","id":2,"client":1,"time":12,"input":{"f":"read"}}',
    ].join('\n'));
    expect(history).toEqual({
      model: 'register', init: null, timed: true, operations: [
        { id: 1, client: 0, call: 10, return: 14, input: { f: 'write', key: 'x', value: 3 }, output: { type: 'done' } },
        { id: 2, client: 1, call: 12, return: null, input: { f: 'read' }, output: null },
      ],
    });
  });

  it('uses line order as time when lines carry no time', () => {
    const history = parseRaftsimHistory([
      header,
      '{"type":"call","id":7,"client":0,"input":{"f":"read"}}',
      '{"type":"call","id":8,"client":1,"input":{"f":"cas","from":1,"to":2}}',
      '{"type":"return","id":7,"output":{"unknown":true}}',
      '{"type":"return","id":8,"output":{"ok":false}}',
    ].join('\n'));
    expect(history.timed).toBe(false);
    expect(history.operations.map((op) => [op.call, op.return])).toEqual([[0, 2], [1, 3]]);
    expect(history.operations.map((op) => op.output)).toEqual([{ type: 'unknown' }, { type: 'ok', ok: false }]);
  });

  it.each([
    ['', 1, /empty file/],
    ['{"format":"raftsim-history/2","model":"kv"}', 1, /newer than this raftsim reads/],
    ['{"format":"other/1","model":"kv"}', 1, /unknown format/],
    [`${header}\n{"type":"call","id":1`, 2, /not valid JSON/],
    [`${header}\n{"type":"call","id":1,"client":0,"input":{"f":"jump"}}`, 2, /input\.f/],
    [`${header}\n{"type":"call","id":1,"client":0,"input":{"f":"write"}}`, 2, /needs "input\.value"/],
    [`${header}\n{"type":"return","id":1,"output":{}}`, 2, /no open call/],
    [`${header}\n{"type":"call","id":1,"client":0,"time":5,"input":{"f":"read"}}\n{"type":"return","id":1,"time":4,"output":{"value":1}}`, 3, /before its call/],
    [`${header}\n{"type":"call","id":1,"client":0,"time":5,"input":{"f":"read"}}\n{"type":"return","id":1,"output":{"value":1}}`, 3, /"time"/],
    [`${header}\n{"type":"call","id":1,"client":0,"input":{"f":"read"}}\n{"type":"call","id":1,"client":0,"input":{"f":"read"}}`, 3, /called twice/],
    [`${header}\n{"type":"call","id":1,"client":0,"input":{"f":"read"}}\n{"type":"return","id":1,"output":{"ok":3}}`, 3, /output\.ok/],
  ])('rejects %j at line %i', (text, line, message) => {
    const error = errorOf(() => parseRaftsimHistory(text));
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  const input: fc.Arbitrary<OperationInput> = fc.oneof(
    fc.constant<OperationInput>({ f: 'read' }),
    fc.record({ f: fc.constant('write' as const), value: fc.oneof(fc.integer(), fc.constant(null), fc.string()) }),
    fc.record({ f: fc.constant('cas' as const), key: fc.string(), from: fc.integer(), to: fc.integer() }),
    fc.record({ f: fc.constantFrom('put' as const, 'append' as const), key: fc.string(), value: fc.string() }),
    fc.record({ f: fc.constantFrom('get' as const, 'delete' as const), key: fc.string() }),
  );
  const output: fc.Arbitrary<OperationOutput> = fc.oneof(
    fc.record({ type: fc.constant('value' as const), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
    fc.record({ type: fc.constant('ok' as const), ok: fc.boolean() }),
    fc.constantFrom<OperationOutput>({ type: 'done' }, { type: 'unknown' }),
  );
  const operation = (id: number): fc.Arbitrary<HistoryOperation> => fc.record({
    client: fc.nat(9), input, call: fc.nat(100), duration: fc.nat(20), output: fc.option(output, { nil: null }),
    applied: fc.option(fc.nat(500), { nil: undefined }),
  }).map(({ client, input: i, call, duration, output: o, applied }) => ({
    id, client, input: i, call, return: o === null ? null : call + duration, output: o, ...(applied === undefined ? {} : { applied }),
  }));

  it('serialises timed histories so that they parse back to the same value', () => {
    // At least one operation: an empty history has no lines to say whether it was timed.
    const history: fc.Arbitrary<History> = fc.integer({ min: 1, max: 12 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, id) => operation(id))))
      .chain((operations) => fc.boolean().map((appliedLog) => ({
        model: 'kv', init: null, timed: true, operations: [...operations].sort((a, b) => a.call - b.call || a.id - b.id),
        ...(appliedLog ? { appliedLog } : {}),
      })));
    fc.assert(fc.property(history, (h) => {
      const again = parseRaftsimHistory(serializeHistory(h));
      expect(again).toEqual(h);
      expect(again.appliedLog).toBe(h.appliedLog);
      expect(again.operations.map((op) => 'applied' in op)).toEqual(h.operations.map((op) => 'applied' in op));
    }), { numRuns: 200 });
  });

  it('reads the applied log: "appliedLog" in the header, "applied" on a call; files without them as before', () => {
    const lines = [
      '{"format":"raftsim-history/1","model":"kv","init":"","appliedLog":true}',
      '{"type":"call","id":1,"client":1,"time":10,"input":{"f":"put","key":"x","value":"a"},"applied":7}',
      '{"type":"call","id":2,"client":2,"time":11,"input":{"f":"put","key":"x","value":"b"}}',
      '{"type":"return","id":1,"time":14,"output":{}}',
    ];
    const history = parseRaftsimHistory(lines.join('\n'));
    expect(history.appliedLog).toBe(true);
    expect(history.operations.map((op) => op.applied)).toEqual([7, undefined]);
    expect(serializeHistory(history)).toBe(lines.join('\n') + '\n');
    const old = parseRaftsimHistory([header, '{"type":"call","id":1,"client":0,"time":10,"input":{"f":"write","value":3}}'].join('\n'));
    expect(old.appliedLog).toBeUndefined();
    expect('applied' in (old.operations[0] ?? {})).toBe(false);
    expect(serializeHistory(old).split('\n')[0]).toBe(header);
    expect(errorOf(() => parseRaftsimHistory(['{"format":"raftsim-history/1","model":"kv","appliedLog":1}'].join('\n'))).message).toMatch(/line 1: "appliedLog" must be true or false/);
    expect(errorOf(() => parseRaftsimHistory([header, '{"type":"call","id":1,"client":0,"input":{"f":"read"},"applied":-1}'].join('\n'))).message).toMatch(/line 2: "applied" must be a log index/);
    expect(errorOf(() => parseRaftsimHistory([header, '{"type":"call","id":1,"client":0,"input":{"f":"read"},"applied":"7"}'].join('\n'))).message).toMatch(/line 2: "applied" must be an integer/);
  });

  it('serialises untimed histories in event order', () => {
    const etcd = parseEtcdLog(ETCD_SAMPLE);
    const again = parseRaftsimHistory(serializeHistory(etcd));
    expect(again.timed).toBe(false);
    expect(again.operations.map((op) => [op.id, op.input, op.output])).toEqual(etcd.operations.map((op) => [op.id, op.input, op.output]));
    const order = (h: History) => h.operations.flatMap((op) => [[op.call, op.id, 'call'], [op.return ?? Infinity, op.id, 'return']])
      .sort((a, b) => Number(a[0]) - Number(b[0])).map((event) => `${event[1]}${event[2]}`);
    expect(order(again)).toEqual(order(etcd));
  });
});

const ETCD_SAMPLE = [
  'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
  'INFO  jepsen.util - 1\t:invoke\t:write\t3',
  'INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]',
  'INFO  jepsen.util - 0\t:ok\t:read\tnil',
  'INFO  jepsen.util - 1\t:info\t:write\t:timed-out',
  'INFO  jepsen.util - 2\t:fail\t:cas\t[3 0]',
  'INFO  jepsen.util - 3     :invoke :read   nil',
  'INFO  jepsen.util - 3     :fail   :read   :timed-out',
  'INFO  jepsen.util - 4\t:invoke\t:cas\t[0 4]',
].join('\n');

describe('Porcupine formats', () => {
  it('reads etcd logs: :info stays open, :fail :cas ran and failed, a timed-out read is unknown', () => {
    const history = parseEtcdLog(ETCD_SAMPLE);
    expect(history.model).toBe('register');
    expect(history.init).toBeNull();
    expect(history.operations).toEqual([
      { id: 0, client: 0, call: 0, return: 3, input: { f: 'read' }, output: { type: 'value', value: null } },
      { id: 1, client: 1, call: 1, return: null, input: { f: 'write', value: 3 }, output: null },
      { id: 2, client: 2, call: 2, return: 5, input: { f: 'cas', from: 3, to: 0 }, output: { type: 'ok', ok: false } },
      { id: 6, client: 3, call: 6, return: 7, input: { f: 'read' }, output: { type: 'unknown' } },
      { id: 8, client: 4, call: 8, return: null, input: { f: 'cas', from: 0, to: 4 }, output: null },
    ]);
  });

  it('rejects a completion without an invoke, naming the line', () => {
    expect(errorOf(() => parseEtcdLog('INFO  jepsen.util - 0\t:ok\t:read\t3')).message).toMatch(/^line 1: .*no open :invoke/);
    expect(errorOf(() => parseEtcdLog('hello')).line).toBe(1);
  });

  it('reads kv logs with escaped strings', () => {
    const history = parseKvLog([
      '{:process 0, :type :invoke, :f :append, :key "9", :value "x 0 5 y"}',
      '{:process 1, :type :invoke, :f :get, :key "9", :value nil}',
      '{:process 0, :type :ok, :f :append, :key "9", :value "x 0 5 y"}',
      '{:process 1, :type :ok, :f :get, :key "9", :value "a\\"b"}',
    ].join('\n'));
    expect(history.model).toBe('kv');
    expect(history.operations).toEqual([
      { id: 0, client: 0, call: 0, return: 2, input: { f: 'append', key: '9', value: 'x 0 5 y' }, output: { type: 'done' } },
      { id: 1, client: 1, call: 1, return: 3, input: { f: 'get', key: '9' }, output: { type: 'value', value: 'a"b' } },
    ]);
  });

  it('guesses the format from the first line', () => {
    expect(guessHistoryFormat(ETCD_SAMPLE)).toBe('porcupine-etcd');
    expect(guessHistoryFormat('\n{:process 0, :type :invoke, :f :get, :key "1", :value nil}')).toBe('porcupine-kv');
    expect(guessHistoryFormat(header)).toBe('raftsim');
    expect(guessHistoryFormat('')).toBeNull();
    expect(errorOf(() => parseHistory('what is this')).message).toMatch(/--format/);
  });
});

describe('historyFromTrace', () => {
  it('turns client calls and returns into a kv history; unanswered calls stay open', () => {
    const events: TraceEvent[] = [
      { type: 'call', time: 1, client: 0, op: 0, node: 1, input: { type: 'command', command: { clientId: 0, sequence: 0, op: { type: 'append', key: 'k', value: 'a' } } } },
      { type: 'call', time: 2, client: 1, op: 0, node: 1, input: { type: 'read', key: 'k' } },
      { type: 'heal', time: 3 },
      { type: 'return', time: 4, client: 0, op: 0, output: { type: 'result', result: { type: 'ok' } } },
      { type: 'call', time: 5, client: 0, op: 1, node: 2, input: { type: 'command', command: { clientId: 0, sequence: 1, op: { type: 'cas', key: 'k', from: null, to: 'b' } } } },
      { type: 'return', time: 6, client: 0, op: 1, output: { type: 'unknown' } },
    ];
    const history = historyFromTrace(events);
    expect(history.model).toBe('kv');
    expect(history.operations).toEqual([
      { id: 0, client: 0, call: 1, return: 4, input: { f: 'append', key: 'k', value: 'a' }, output: { type: 'done' } },
      { id: 1, client: 1, call: 2, return: null, input: { f: 'get', key: 'k' }, output: null },
      { id: 2, client: 0, call: 5, return: 6, input: { f: 'cas', key: 'k', from: null, to: 'b' }, output: { type: 'unknown' } },
    ]);
  });

  it('numbers each operation as the trace does (op), so an explanation\'s #14 is the events\' op 14', () => {
    const read = (time: number, client: number, op: number): TraceEvent => ({ type: 'call', time, client, op, node: 1, input: { type: 'read', key: 'k' } });
    const history = historyFromTrace([read(1, 1, 14), read(2, 2, 9), read(3, 3, 14)]);
    // The third reuses 14 (hand-made traces number per client): it gets a number of its own.
    expect(history.operations.map((op) => op.id)).toEqual([14, 9, 2]);
  });

  it('marks where each command first reached the applied log, on any node, and says the log is complete', () => {
    const command = (clientId: number, sequence: number, value: string) =>
      ({ type: 'command' as const, command: { clientId, sequence, op: { type: 'put' as const, key: 'k', value } } });
    const apply = (time: number, node: number, index: number, clientId?: number, sequence?: number): TraceEvent =>
      ({ type: 'apply', time, node, entry: { index, term: 1, digest: 0, ...(clientId === undefined || sequence === undefined ? {} : { clientId, sequence }) } });
    const events: TraceEvent[] = [
      { type: 'call', time: 1, client: 1, op: 1, node: 1, input: command(1, 1, 'a') },
      { type: 'call', time: 2, client: 2, op: 2, node: 1, input: command(2, 1, 'b') },
      apply(3, 1, 1),                 // a no-op
      apply(4, 2, 5, 1, 1),           // client 1's put, on node 2 first
      apply(5, 1, 5, 1, 1),
      { type: 'return', time: 6, client: 1, op: 1, output: { type: 'result', result: { type: 'ok' } } },
      { type: 'return', time: 7, client: 2, op: 2, output: { type: 'unknown' } },
      { type: 'call', time: 8, client: 1, op: 3, node: 1, input: { type: 'read', key: 'k' } },
      apply(9, 3, 4, 1, 1),           // a lower index of the same command (a retry): the lowest counts
      apply(10, 1, 6, 9, 9),          // a command of no operation in the history
    ];
    const history = historyFromTrace(events);
    expect(history.appliedLog).toBe(true);
    expect(history.operations.map((op) => op.applied)).toEqual([4, undefined, undefined]);
    // What a run keeps: calls, returns and the first apply of each command.
    const keep = historyEventFilter();
    expect(events.map((event) => keep(event))).toEqual([true, true, false, true, false, true, true, true, false, true]);
  });
});
