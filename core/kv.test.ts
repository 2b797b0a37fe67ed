import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { KvStateMachine } from './kv.ts';
import type { KvCommand, KvOp } from './types.ts';

function commandOf(op: KvOp, clientId = 1, sequence = 1): KvCommand {
  return { clientId, sequence, op };
}

/** Applies each op as a new command of client 1, returning the results. */
function run(machine: KvStateMachine, ops: readonly KvOp[]) {
  return ops.map((op, index) => machine.apply(commandOf(op, 1, index + 1)));
}

describe('KvStateMachine operations', () => {
  it('reads an absent key as null, through the log and through read()', () => {
    const machine = new KvStateMachine();
    expect(machine.apply(commandOf({ type: 'get', key: 'x' }))).toEqual({ type: 'value', value: null });
    expect(machine.read('x')).toBeNull();
    expect(machine.size).toBe(0);
  });

  it('put overwrites, get returns the latest value', () => {
    const machine = new KvStateMachine();
    const results = run(machine, [
      { type: 'put', key: 'x', value: '1' },
      { type: 'put', key: 'x', value: '2' },
      { type: 'get', key: 'x' },
      { type: 'get', key: 'y' },
    ]);
    expect(results).toEqual([{ type: 'ok' }, { type: 'ok' }, { type: 'value', value: '2' }, { type: 'value', value: null }]);
    expect(machine.read('x')).toBe('2');
  });

  it('append concatenates, starting from the empty string when absent', () => {
    const machine = new KvStateMachine();
    run(machine, [
      { type: 'append', key: 'x', value: 'a' },
      { type: 'append', key: 'x', value: 'bc' },
      { type: 'append', key: 'y', value: '' },
    ]);
    expect(machine.read('x')).toBe('abc');
    expect(machine.read('y')).toBe('');
  });

  it('delete removes a key and deleting an absent key is harmless', () => {
    const machine = new KvStateMachine();
    const results = run(machine, [
      { type: 'put', key: 'x', value: '1' },
      { type: 'delete', key: 'x' },
      { type: 'delete', key: 'never' },
    ]);
    expect(results.slice(1)).toEqual([{ type: 'ok' }, { type: 'ok' }]);
    expect(machine.read('x')).toBeNull();
    expect(machine.size).toBe(0);
  });

  it('cas succeeds only when the current value equals from, null meaning absent', () => {
    const machine = new KvStateMachine();
    const results = run(machine, [
      { type: 'cas', key: 'x', from: 'nope', to: 'a' },
      { type: 'cas', key: 'x', from: null, to: 'a' },
      { type: 'cas', key: 'x', from: null, to: 'b' },
      { type: 'cas', key: 'x', from: 'a', to: 'c' },
      { type: 'cas', key: 'x', from: '', to: 'd' },
    ]);
    expect(results).toEqual([
      { type: 'cas', ok: false, value: null },
      { type: 'cas', ok: true, value: 'a' },
      { type: 'cas', ok: false, value: 'a' },
      { type: 'cas', ok: true, value: 'c' },
      { type: 'cas', ok: false, value: 'c' },
    ]);
    expect(machine.read('x')).toBe('c');
  });

  it('treats the empty string as a present value, distinct from absent', () => {
    const machine = new KvStateMachine();
    run(machine, [{ type: 'put', key: 'x', value: '' }]);
    expect(machine.read('x')).toBe('');
    expect(machine.apply(commandOf({ type: 'cas', key: 'x', from: null, to: 'z' }, 1, 2)))
      .toEqual({ type: 'cas', ok: false, value: '' });
  });

  it('rejects malformed session ids', () => {
    const machine = new KvStateMachine();
    expect(() => machine.apply(commandOf({ type: 'get', key: 'x' }, -1, 1))).toThrow(/clientId/);
    expect(() => machine.apply(commandOf({ type: 'get', key: 'x' }, 1, 1.5))).toThrow(/sequence/);
  });
});

describe('KvStateMachine client sessions', () => {
  it('applies a retried command once and answers the retry with the first result', () => {
    const machine = new KvStateMachine();
    const first = machine.execute(commandOf({ type: 'append', key: 'x', value: 'a' }, 7, 1));
    const retry = machine.execute(commandOf({ type: 'append', key: 'x', value: 'a' }, 7, 1));
    expect(first.outcome).toBe('applied');
    expect(retry).toEqual({ outcome: 'duplicate', result: first.result });
    expect(machine.read('x')).toBe('a');
  });

  it('answers a retried cas with the first answer even though the state moved on', () => {
    const machine = new KvStateMachine();
    const cas = commandOf({ type: 'cas', key: 'x', from: null, to: 'a' }, 1, 1);
    expect(machine.apply(cas)).toEqual({ type: 'cas', ok: true, value: 'a' });
    machine.apply(commandOf({ type: 'put', key: 'x', value: 'b' }, 2, 1));
    // Re-executing would say ok: false; the client must see its command's single effect.
    expect(machine.apply(cas)).toEqual({ type: 'cas', ok: true, value: 'a' });
    expect(machine.read('x')).toBe('b');
  });

  it('never applies a stale command (a sequence below the last applied)', () => {
    const machine = new KvStateMachine();
    machine.apply(commandOf({ type: 'append', key: 'x', value: 'a' }, 1, 1));
    machine.apply(commandOf({ type: 'append', key: 'x', value: 'b' }, 1, 2));
    const stale = machine.execute(commandOf({ type: 'append', key: 'x', value: 'a' }, 1, 1));
    expect(stale.outcome).toBe('stale');
    expect(machine.read('x')).toBe('ab');
    expect(machine.session(1)?.sequence).toBe(2);
  });

  it('keeps sessions per client: the same sequence from another client is new', () => {
    const machine = new KvStateMachine();
    machine.apply(commandOf({ type: 'append', key: 'x', value: 'a' }, 1, 5));
    expect(machine.execute(commandOf({ type: 'append', key: 'x', value: 'a' }, 2, 5)).outcome).toBe('applied');
    expect(machine.read('x')).toBe('aa');
    expect(machine.session(3)).toBeNull();
  });

  it('with client-retry-no-dedup, applies a retried command again (the mutant misbehaves)', () => {
    const machine = new KvStateMachine(new Set(['client-retry-no-dedup']));
    const append = commandOf({ type: 'append', key: 'x', value: 'a' }, 1, 1);
    machine.apply(append);
    expect(machine.execute(append).outcome).toBe('applied');
    expect(machine.read('x')).toBe('aa');
    const cas = commandOf({ type: 'cas', key: 'y', from: null, to: 'b' }, 1, 2);
    machine.apply(cas);
    expect(machine.apply(cas)).toEqual({ type: 'cas', ok: false, value: 'b' });
  });
});

describe('KvStateMachine snapshots', () => {
  function populated(): KvStateMachine {
    const machine = new KvStateMachine();
    machine.apply(commandOf({ type: 'put', key: 'b', value: '2' }, 2, 1));
    machine.apply(commandOf({ type: 'put', key: 'a', value: '1' }, 1, 1));
    machine.apply(commandOf({ type: 'cas', key: 'c', from: null, to: '3' }, 1, 2));
    machine.apply(commandOf({ type: 'get', key: 'a' }, 3, 9));
    return machine;
  }

  it('round-trips data and sessions through JSON', () => {
    const original = populated();
    const restored = KvStateMachine.fromSnapshot(JSON.parse(JSON.stringify(original.snapshot())));
    expect(restored.snapshot()).toEqual(original.snapshot());
    expect(restored.read('c')).toBe('3');
    // The restored session still deduplicates: the retry is answered, not applied.
    const retry = restored.execute(commandOf({ type: 'cas', key: 'c', from: null, to: '3' }, 1, 2));
    expect(retry).toEqual({ outcome: 'duplicate', result: { type: 'cas', ok: true, value: '3' } });
  });

  it('is independent of the machine afterwards, in both directions', () => {
    const machine = populated();
    const snapshot = machine.snapshot();
    const frozenCopy = JSON.stringify(snapshot);
    machine.apply(commandOf({ type: 'put', key: 'a', value: 'changed' }, 1, 3));
    machine.apply(commandOf({ type: 'delete', key: 'b' }, 2, 2));
    expect(JSON.stringify(snapshot)).toBe(frozenCopy);

    const restored = KvStateMachine.fromSnapshot(snapshot);
    (snapshot.data as [string, string][]).push(['z', 'sneaky']);
    (snapshot.sessions[0]?.result as { type: string }).type = 'value';
    expect(restored.read('z')).toBeNull();
    expect(restored.session(1)?.result).toEqual({ type: 'cas', ok: true, value: '3' });
  });

  it('is the same for the same state reached in a different order', () => {
    const left = new KvStateMachine();
    left.apply(commandOf({ type: 'put', key: 'x', value: '1' }, 1, 1));
    left.apply(commandOf({ type: 'put', key: 'y', value: '2' }, 2, 1));
    const right = new KvStateMachine();
    right.apply(commandOf({ type: 'put', key: 'y', value: '2' }, 2, 1));
    right.apply(commandOf({ type: 'put', key: 'x', value: '1' }, 1, 1));
    expect(JSON.stringify(left.snapshot())).toBe(JSON.stringify(right.snapshot()));
  });

  it('restore replaces the whole state, including sessions', () => {
    const machine = populated();
    machine.restore(new KvStateMachine().snapshot());
    expect(machine.size).toBe(0);
    expect(machine.session(1)).toBeNull();
  });

  it('rejects malformed snapshots without changing the machine', () => {
    const machine = populated();
    const good = machine.snapshot();
    const bad: unknown[] = [
      null, [], { ...good, format: 'other' }, { ...good, data: [['a']] }, { ...good, data: [['a', 1]] },
      { ...good, data: [['a', '1'], ['a', '2']] },
      { ...good, sessions: [{ clientId: 1, sequence: -1, result: { type: 'ok' } }] },
      { ...good, sessions: [{ clientId: 1, sequence: 1, result: { type: 'cas', value: null } }] },
      { ...good, sessions: [good.sessions[0], good.sessions[0]] },
    ];
    for (const snapshot of bad) expect(() => machine.restore(snapshot)).toThrow(/kv snapshot|kv session/);
    expect(machine.snapshot()).toEqual(good);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: duplicated retries anywhere later in the log change nothing.

const keyArbitrary = fc.constantFrom('a', 'b', 'c');
const valueArbitrary = fc.constantFrom('', 'x', 'yz', '1');
const opArbitrary: fc.Arbitrary<KvOp> = fc.oneof(
  keyArbitrary.map((key) => ({ type: 'get' as const, key })),
  fc.record({ type: fc.constant('put' as const), key: keyArbitrary, value: valueArbitrary }),
  fc.record({ type: fc.constant('append' as const), key: keyArbitrary, value: valueArbitrary }),
  fc.record({ type: fc.constant('cas' as const), key: keyArbitrary, from: fc.option(valueArbitrary, { nil: null }), to: valueArbitrary }),
  keyArbitrary.map((key) => ({ type: 'delete' as const, key })),
);
const workloadArbitrary = fc.record({
  ops: fc.array(fc.record({ clientId: fc.nat(3), op: opArbitrary }), { maxLength: 40 }),
  // Each retry copies command `source` and lands `delay` positions after it.
  retries: fc.array(fc.record({ source: fc.nat(), delay: fc.nat(10) }), { maxLength: 30 }),
});

interface Step { readonly command: KvCommand; readonly original: number | null }

function withSequences(ops: readonly { clientId: number; op: KvOp }[]): KvCommand[] {
  const next = new Map<number, number>();
  return ops.map(({ clientId, op }) => {
    const sequence = (next.get(clientId) ?? 0) + 1;
    next.set(clientId, sequence);
    return { clientId, sequence, op };
  });
}

function interleaveRetries(commands: readonly KvCommand[], retries: readonly { source: number; delay: number }[]): Step[] {
  const steps: Step[] = commands.map((command, index) => ({ command, original: index }));
  if (commands.length === 0) return steps;
  const placed = retries.map(({ source, delay }) => {
    const index = source % commands.length;
    return { at: index + delay, command: commands[index] as KvCommand };
  });
  // Stable sort: a retry goes after the original at its position and after earlier retries.
  const ordered = steps.map((step, at) => ({ at, step }));
  for (const retry of placed) ordered.push({ at: retry.at, step: { command: retry.command, original: null } });
  return ordered.sort((left, right) => left.at - right.at).map(({ step }) => step);
}

describe('KvStateMachine dedup property', () => {
  test.prop([workloadArbitrary])('random duplicate retries leave the state and first answers unchanged', ({ ops, retries }) => {
    const commands = withSequences(ops);
    const clean = new KvStateMachine();
    const cleanResults = commands.map((command) => clean.apply(command));

    const noisy = new KvStateMachine();
    const lastSequence = new Map<number, number>();
    for (const step of interleaveRetries(commands, retries)) {
      const { outcome, result } = noisy.execute(step.command);
      const { clientId, sequence } = step.command;
      if (step.original !== null) {
        expect(outcome).toBe('applied');
        expect(result).toEqual(cleanResults[step.original]);
        lastSequence.set(clientId, sequence);
      } else if (sequence === lastSequence.get(clientId)) {
        expect(outcome).toBe('duplicate');
        expect(result).toEqual(cleanResults[commands.indexOf(step.command)]);
      } else {
        expect(outcome).toBe('stale');
      }
    }
    expect(noisy.snapshot()).toEqual(clean.snapshot());
  });

  it('the same property fails under client-retry-no-dedup (the property can catch the mutant)', () => {
    const outcome = fc.check(fc.property(workloadArbitrary, ({ ops, retries }) => {
      const commands = withSequences(ops);
      const clean = new KvStateMachine();
      for (const command of commands) clean.apply(command);
      const noisy = new KvStateMachine(new Set(['client-retry-no-dedup']));
      for (const step of interleaveRetries(commands, retries)) noisy.apply(step.command);
      return JSON.stringify(noisy.snapshot().data) === JSON.stringify(clean.snapshot().data);
    }), { seed: 42, numRuns: 500 });
    expect(outcome.failed).toBe(true);
  });
});
