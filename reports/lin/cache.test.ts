// The state cache against a naive one (a set of strings naming the linearized operations and the
// state), on random walks of marks and unmarks over histories with finite and open operations;
// and its memory on a long sequential history, which must stay linear.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateCache } from './cache.ts';

const numberModel = {
  hash: (state: number): number => Math.imul(state, 0x9e3779b1),
  equal: (a: number, b: number): boolean => a === b,
};

type Step = { readonly kind: 'add'; readonly pick: number; readonly state: number } | { readonly kind: 'undo' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), pick: fc.nat(), state: fc.integer({ min: 0, max: 2 }) }),
  fc.constant<Step>({ kind: 'undo' }),
);

describe('StateCache', () => {
  it('answers as a naive set of (linearized operations, state) does', () => {
    fc.assert(fc.property(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 80 }),
      fc.array(step, { maxLength: 400 }),
      fc.boolean(),
      (openFlags, steps, collide) => {
        const count = openFlags.length;
        const open = Uint8Array.from(openFlags, (flag) => (flag ? 1 : 0));
        // Colliding keys give every set the same hash: the exact comparison alone must tell them apart.
        const cache = collide ? new StateCache(numberModel, count, open, new Int32Array(count)) : new StateCache(numberModel, count, open);
        const seen = new Set<string>();
        const stack: number[] = [];
        const key = (operations: readonly number[], state: number): string => `${[...operations].sort((a, b) => a - b).join(',')}|${state}`;
        for (const move of steps) {
          if (move.kind === 'undo') {
            const operation = stack.pop();
            if (operation !== undefined) cache.unmark(operation);
            continue;
          }
          const free = Array.from({ length: count }, (_, operation) => operation).filter((operation) => !stack.includes(operation));
          const operation = free[move.pick % Math.max(free.length, 1)];
          if (operation === undefined) continue;
          const naiveKey = key([...stack, operation], move.state);
          const expected = !seen.has(naiveKey);
          seen.add(naiveKey);
          expect(cache.addIfAbsent(operation, move.state)).toBe(expected);
          if (expected) stack.push(operation);
        }
        expect(cache.size).toBe(seen.size);
      },
    ), { numRuns: 300 });
  });

  it('keeps a few words per entry on a long sequential history, with open operations among it', () => {
    const count = 20_000;
    const open = new Uint8Array(count);
    for (let operation = 0; operation < count; operation += 500) open[operation] = 1;
    const cache = new StateCache(numberModel, count, open);
    // The search's path through a history of operations that do not overlap: one after another.
    for (let operation = 0; operation < count; operation++) {
      if (open[operation] === 1) continue;
      expect(cache.addIfAbsent(operation, operation % 3)).toBe(true);
    }
    const openWords = Math.ceil(40 / 32);
    expect(cache.size).toBe(count - 40);
    // Full bitsets would take count / 32 = 625 words per entry.
    expect(cache.words / cache.size).toBeLessThanOrEqual(1 + openWords);
  });
});
