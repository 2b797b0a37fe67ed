// The shards of a range cover it exactly once, in order, whatever the range and the shard count;
// bad --shard values are one clear usage error.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../files.ts';
import { parseShard, seedCount, shardRange } from './shard.ts';
import type { SeedRange } from './shard.ts';

const ranges = fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 5000 }))
  .map(([first, length]): SeedRange => ({ first, last: first + length }));

describe('shardRange', () => {
  test.prop([ranges, fc.integer({ min: 1, max: 300 })])('the shards of a range cover every seed exactly once, in order', (range, count) => {
    let next = range.first;
    const sizes: number[] = [];
    for (let index = 1; index <= count; index++) {
      const slice = shardRange(range, { index, count });
      sizes.push(seedCount(slice));
      if (slice === null) continue;
      expect(slice.first).toBe(next);
      expect(slice.last).toBeGreaterThanOrEqual(slice.first);
      next = slice.last + 1;
    }
    expect(next).toBe(range.last + 1);
    // Balanced: no shard has more than one seed more than another.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test.prop([ranges, fc.integer({ min: 1, max: 50 }).chain((count) => fc.tuple(fc.constant(count), fc.integer({ min: 1, max: count })))])(
    'is deterministic and keeps every seed of a shard inside the range', (range, [count, index]) => {
      const once = shardRange(range, { index, count });
      expect(shardRange({ ...range }, { index, count })).toEqual(once);
      if (once !== null) {
        expect(once.first).toBeGreaterThanOrEqual(range.first);
        expect(once.last).toBeLessThanOrEqual(range.last);
      }
    });

  it('splits the largest range the CLI accepts without rounding errors', () => {
    const range = { first: 1, last: 100_000_000 };
    const count = 99_991; // prime: no shard boundary falls on a round number
    let total = 0;
    for (const index of [1, 2, 50_000, count - 1, count]) total += seedCount(shardRange(range, { index, count }));
    expect(total).toBeGreaterThanOrEqual(5 * 1000);
    expect(shardRange(range, { index: count, count })?.last).toBe(100_000_000);
    expect(shardRange(range, { index: 1, count })?.first).toBe(1);
  });

  it('leaves shards empty when there are more shards than seeds', () => {
    const slices = [1, 2, 3, 4].map((index) => shardRange({ first: 5, last: 6 }, { index, count: 4 }));
    expect(slices.filter((slice) => slice !== null)).toEqual([{ first: 5, last: 5 }, { first: 6, last: 6 }]);
  });
});

describe('parseShard', () => {
  it('reads i/n, counting from 1', () => {
    expect(parseShard('3/16')).toEqual({ index: 3, count: 16 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 });
  });

  it.each(['0/4', '5/4', '1/0', '3', '-1/4', 'a/b', '1/4/2', '1.5/4'])('refuses %s with a usage error', (text) => {
    expect(() => parseShard(text)).toThrow(UsageError);
  });
});
