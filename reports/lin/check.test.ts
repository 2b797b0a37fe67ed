// Hand-made histories with known answers, the verdicts of the Porcupine reference histories, and
// the budget and explanation behaviour of the driver.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { History, HistoryOperation, OperationInput, OperationOutput } from '../history.ts';
import { parseEtcdLog, parseKvLog, parseRaftsimHistory } from '../history.ts';
import { checkHistory } from './check.ts';
import { kvModel, registerModel, eraseModel } from './model.ts';

const porcupineData = resolve(dirname(fileURLToPath(import.meta.url)), 'testdata/porcupine');

function operation(id: number, call: number, ret: number | null, input: OperationInput, output: OperationOutput | null): HistoryOperation {
  return { id, client: id, input, call, return: ret, output };
}

function register(operations: HistoryOperation[], init: History['init'] = null): History {
  return { model: 'register', init, timed: true, operations };
}

const registerCheck = (history: History) => checkHistory(history, eraseModel(registerModel(history.init)));

describe('hand-made register histories', () => {
  it('rejects a stale read: a read that starts after a write returned sees the old value', () => {
    const result = registerCheck(register([
      operation(1, 0, 10, { f: 'write', value: 1 }, { type: 'done' }),
      operation(2, 20, 30, { f: 'read' }, { type: 'value', value: null }),
    ]));
    expect(result.verdict).toBe('fail');
    if (result.verdict !== 'fail') return;
    expect(result.explanation.prefix.map((op) => op.id)).toEqual([1]);
    expect(result.explanation.blocked.id).toBe(2);
    expect(result.explanation.state).toBe('1');
  });

  it('rejects a lost write: both writes returned, later reads see only the first', () => {
    const result = registerCheck(register([
      operation(1, 0, 10, { f: 'write', value: 1 }, { type: 'done' }),
      operation(2, 11, 20, { f: 'write', value: 2 }, { type: 'done' }),
      operation(3, 21, 30, { f: 'read' }, { type: 'value', value: 1 }),
    ]));
    expect(result.verdict).toBe('fail');
  });

  it('accepts a concurrent write and read in either order', () => {
    for (const seen of [null, 5]) {
      const result = registerCheck(register([
        operation(1, 0, 10, { f: 'write', value: 5 }, { type: 'done' }),
        operation(2, 5, 15, { f: 'read' }, { type: 'value', value: seen }),
      ]));
      expect(result.verdict).toBe('pass');
    }
  });

  it('accepts an indeterminate write as having happened or not, but not as undone', () => {
    const history = (reads: (number | null)[]): History => register([
      operation(1, 0, null, { f: 'write', value: 7 }, null),
      ...reads.map((value, index) => operation(2 + index, 10 + 10 * index, 15 + 10 * index, { f: 'read' }, { type: 'value', value })),
    ]);
    expect(registerCheck(history([null])).verdict).toBe('pass');
    expect(registerCheck(history([7])).verdict).toBe('pass');
    expect(registerCheck(history([null, 7])).verdict).toBe('pass');
    expect(registerCheck(history([7, null])).verdict).toBe('fail');
  });

  it('treats a returned {"unknown":true} as open: the cas may take effect after its return', () => {
    const result = registerCheck(register([
      operation(1, 0, 5, { f: 'cas', from: 0, to: 1 }, { type: 'unknown' }),
      operation(2, 10, 15, { f: 'read' }, { type: 'value', value: 0 }),
      operation(3, 20, 25, { f: 'read' }, { type: 'value', value: 1 }),
    ], 0));
    expect(result.verdict).toBe('pass');
  });

  it('checks a failed cas against the state: it must not have matched', () => {
    const cas = (ok: boolean) => registerCheck(register([
      operation(1, 0, 5, { f: 'write', value: 3 }, { type: 'done' }),
      operation(2, 10, 15, { f: 'cas', from: 3, to: 4 }, { type: 'ok', ok }),
      operation(3, 20, 25, { f: 'read' }, { type: 'value', value: ok ? 4 : 3 }),
    ])).verdict;
    expect(cas(true)).toBe('pass');
    expect(cas(false)).toBe('fail');
  });
});

describe('hand-made kv histories', () => {
  const kv = (lines: string[]) => {
    const history = parseRaftsimHistory([JSON.stringify({ format: 'raftsim-history/1', model: 'kv', init: null }), ...lines].join('\n'));
    return checkHistory(history, eraseModel(kvModel()));
  };
  const call = (id: number, input: object) => JSON.stringify({ type: 'call', id, client: id, input });
  const ret = (id: number, output: object) => JSON.stringify({ type: 'return', id, output });

  it('appends concatenate and keys are independent', () => {
    expect(kv([
      call(1, { f: 'append', key: 'a', value: 'x' }), ret(1, {}),
      call(2, { f: 'append', key: 'a', value: 'y' }), ret(2, {}),
      call(3, { f: 'get', key: 'b' }), ret(3, { value: '' }),
      call(4, { f: 'get', key: 'a' }), ret(4, { value: 'xy' }),
    ]).verdict).toBe('pass');
    expect(kv([
      call(1, { f: 'append', key: 'a', value: 'x' }), ret(1, {}),
      call(2, { f: 'append', key: 'a', value: 'y' }), ret(2, {}),
      call(4, { f: 'get', key: 'a' }), ret(4, { value: 'yx' }),
    ]).verdict).toBe('fail');
  });

  it('delete makes the key read as empty, and cas from null matches an absent key', () => {
    expect(kv([
      call(1, { f: 'put', key: 'a', value: 'x' }), ret(1, {}),
      call(2, { f: 'delete', key: 'a' }), ret(2, {}),
      call(3, { f: 'cas', key: 'a', from: null, to: 'z' }), ret(3, { ok: true }),
      call(4, { f: 'get', key: 'a' }), ret(4, { value: 'z' }),
    ]).verdict).toBe('pass');
  });

  it('stops at the first illegal key and names it', () => {
    const result = kv([
      call(1, { f: 'put', key: 'b', value: 'x' }), ret(1, {}),
      call(2, { f: 'get', key: 'b' }), ret(2, { value: 'nope' }),
      call(3, { f: 'get', key: 'a' }), ret(3, { value: '' }),
    ]);
    expect(result.verdict).toBe('fail');
    if (result.verdict === 'fail') expect(result.explanation.key).toBe('b');
  });
});

describe('budget', () => {
  it('answers unknown, never pass, when the budget runs out', () => {
    const history = parseKvLog(readFileSync(join(porcupineData, 'kv/c10-ok.txt'), 'utf8'));
    const result = checkHistory(history, eraseModel(kvModel()), { budgetSteps: 50 });
    expect(result.verdict).toBe('unknown');
    expect(result.steps).toBeLessThanOrEqual(50);
    expect(result.keys.some((key) => key.outcome === 'undecided')).toBe(true);
    if (result.verdict === 'unknown') expect(result.exhausted).toBe('steps');
    expect(checkHistory(history, eraseModel(kvModel())).verdict).toBe('pass');
  });

  it('answers unknown when the memory bound is reached first', () => {
    const history = parseKvLog(readFileSync(join(porcupineData, 'kv/c50-ok.txt'), 'utf8'));
    const result = checkHistory(history, eraseModel(kvModel()), { maxCacheEntries: 2000 });
    expect(result.verdict).toBe('unknown');
    if (result.verdict === 'unknown') expect(result.exhausted).toBe('memory');
  });

  it('interleaves keys: every key gets a slice before any gets a second', () => {
    const history = parseKvLog(readFileSync(join(porcupineData, 'kv/c50-ok.txt'), 'utf8'));
    const result = checkHistory(history, eraseModel(kvModel()), { budgetSteps: 10 * 100, sliceSteps: 100 });
    expect(result.verdict).toBe('unknown');
    for (const key of result.keys) expect(key.steps).toBe(100);
  });
});

// Expected verdicts: testdata/porcupine/README.md.
const LINEARIZABLE_ETCD = new Set([2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102]);

describe('Porcupine reference histories', () => {
  it('decides all 102 etcd histories as the README lists', () => {
    const files = readdirSync(join(porcupineData, 'jepsen')).filter((name) => /^etcd_\d{3}\.log$/.test(name)).sort();
    let checked = 0;
    let operations = 0;
    for (const name of files) {
      const number = Number(name.slice(5, 8));
      if (number === 95) continue; // empty: that cluster never started
      const history = parseEtcdLog(readFileSync(join(porcupineData, 'jepsen', name), 'utf8'));
      const result = checkHistory(history, eraseModel(registerModel(null)));
      expect({ name, verdict: result.verdict }).toEqual({ name, verdict: LINEARIZABLE_ETCD.has(number) ? 'pass' : 'fail' });
      checked++;
      operations += history.operations.length;
    }
    expect(checked).toBe(102);
    expect(operations).toBe(8523);
  });

  it.each([
    ['c01-ok', 'pass'], ['c01-bad', 'fail'], ['c10-ok', 'pass'], ['c10-bad', 'fail'], ['c50-ok', 'pass'], ['c50-bad', 'fail'],
  ])('decides kv %s: %s', (name, verdict) => {
    const history = parseKvLog(readFileSync(join(porcupineData, `kv/${name}.txt`), 'utf8'));
    const result = checkHistory(history, eraseModel(kvModel()));
    expect(result.verdict).toBe(verdict);
    if (name === 'c50-bad') {
      // Decided by the failing key while the hard keys are still open.
      expect(result.keys.filter((key) => key.outcome === 'undecided').length).toBeGreaterThan(0);
    }
  });
});
