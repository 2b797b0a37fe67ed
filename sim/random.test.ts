import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import seedrandom from 'seedrandom';
import { createRng, parseSeed, RandomStreams, Rng } from './random.ts';

function draws(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.next());
}

describe('RandomStreams', () => {
  it('gives the same sequence for the same (seed, name), in separate instances', () => {
    const first = draws(new RandomStreams(42).stream('network'), 100);
    const second = draws(new RandomStreams(42).stream('network'), 100);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(95);
  });

  it('treats 42, 42n, "42" and "0x2a" as the same seed', () => {
    const expected = draws(new RandomStreams(42).stream('faults'), 20);
    for (const seed of [42n, '42', '0x2a', ' 0X2A ']) {
      expect(draws(new RandomStreams(seed).stream('faults'), 20)).toEqual(expected);
    }
  });

  it('keeps streams independent: draws in one never shift another', () => {
    const quiet = new RandomStreams(7);
    const expected = draws(quiet.stream('clients'), 50);

    const busy = new RandomStreams(7);
    const network = busy.stream('network');
    const interleaved: number[] = [];
    for (let index = 0; index < 50; index++) {
      draws(network, index % 5);
      busy.stream('node-3-timers').next();
      interleaved.push(busy.stream('clients').next());
    }
    expect(interleaved).toEqual(expected);
  });

  it('gives different names and different seeds different sequences', () => {
    const base = draws(new RandomStreams(1).stream('a'), 10);
    expect(draws(new RandomStreams(1).stream('b'), 10)).not.toEqual(base);
    expect(draws(new RandomStreams(2).stream('a'), 10)).not.toEqual(base);
    expect(draws(new RandomStreams(-1).stream('a'), 10)).not.toEqual(base);
    expect(draws(new RandomStreams(2n ** 64n + 1n).stream('a'), 10)).not.toEqual(base);
  });

  it('does not let (seed, name) pairs collide through concatenation', () => {
    expect(draws(createRng(1, '2/x'), 10)).not.toEqual(draws(createRng(12, 'x'), 10));
    expect(draws(createRng(1, '2/x'), 10)).not.toEqual(draws(createRng(12, '/x'), 10));
  });

  it('returns the same stream object when a name is asked for twice', () => {
    const streams = new RandomStreams(3);
    const first = streams.stream('x');
    const firstDraw = first.next();
    expect(streams.stream('x')).toBe(first);
    expect(streams.stream('x').next()).not.toBe(firstDraw);
  });

  it('has neighbouring seeds uncorrelated (first draws of seeds 1..2000 look uniform)', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let seed = 1; seed <= 2000; seed++) {
      const bucket = Math.floor(new RandomStreams(seed).stream('network').next() * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(140); // expected 200, sd ~13
  });
});

describe('Rng draws', () => {
  test.prop([fc.string({ maxLength: 40 })], { numRuns: 50 })('are seedrandom tychei\'s draws for the same key', (key) => {
    const reference = seedrandom.tychei(key);
    const rng = new Rng(key);
    expect(draws(rng, 2000)).toEqual(Array.from({ length: 2000 }, () => reference()));
  });

  test.prop([fc.integer({ min: 1, max: 2 ** 32 }), fc.integer()])('int stays in [0, max)', (max, seed) => {
    const rng = createRng(seed, 'int');
    for (let index = 0; index < 50; index++) {
      const value = rng.int(max);
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(max);
    }
  });

  test.prop([fc.integer({ min: -1000, max: 1000 }), fc.nat(50), fc.integer()])('range stays in [min, max]', (min, span, seed) => {
    const rng = createRng(seed, 'range');
    for (let index = 0; index < 50; index++) {
      const value = rng.range(min, min + span);
      expect(value).toBeGreaterThanOrEqual(min);
      expect(value).toBeLessThanOrEqual(min + span);
    }
  });

  it('range reaches both ends', () => {
    const rng = createRng(5, 'ends');
    const seen = new Set(Array.from({ length: 200 }, () => rng.range(3, 5)));
    expect([...seen].sort()).toEqual([3, 4, 5]);
  });

  it('is roughly uniform (chi-squared over 20 buckets)', () => {
    const rng = createRng(11, 'uniform');
    const bucketCount = 20;
    const samples = 100_000;
    const counts = new Array<number>(bucketCount).fill(0);
    for (let index = 0; index < samples; index++) {
      const bucket = rng.int(bucketCount);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    const expected = samples / bucketCount;
    const chiSquared = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquared).toBeLessThan(43.8); // 19 degrees of freedom, p = 0.001
  });

  it('chance respects its ratio and its edges', () => {
    const rng = createRng(9, 'chance');
    let hits = 0;
    for (let index = 0; index < 20_000; index++) if (rng.chance(0.25)) hits++;
    expect(hits).toBeGreaterThan(4700);
    expect(hits).toBeLessThan(5300);
    for (let index = 0; index < 1000; index++) {
      expect(rng.chance(0)).toBe(false);
      expect(rng.chance(1)).toBe(true);
    }
  });

  it('pick and shuffle draw from the stream and keep every element', () => {
    const rng = createRng(2, 'pick');
    const items = ['a', 'b', 'c', 'd', 'e'];
    const picked = new Set(Array.from({ length: 200 }, () => rng.pick(items)));
    expect(picked.size).toBe(items.length);
    const shuffled = rng.shuffle([...items]);
    expect([...shuffled].sort()).toEqual(items);
    const orders = new Set(Array.from({ length: 300 }, () => rng.shuffle([...items]).join('')));
    expect(orders.size).toBeGreaterThan(100); // 120 orders exist
  });

  it('rejects bad arguments with precise messages', () => {
    const rng = createRng(1, 'bad');
    expect(() => rng.int(0)).toThrow(/maxExclusive must be >= 1/);
    expect(() => rng.int(2.5)).toThrow(/must be an integer/);
    expect(() => rng.range(5, 4)).toThrow(/min must be <= maxInclusive/);
    expect(() => rng.chance(1.5)).toThrow(/ratio must be in \[0, 1\]/);
    expect(() => rng.pick([])).toThrow(/empty/);
    expect(() => new RandomStreams(1.5)).toThrow(/safe integer/);
  });
});

describe('parseSeed', () => {
  it('accepts decimal, hex and negative seeds', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed('-7')).toBe(-7);
    expect(parseSeed('0x2A')).toBe(42);
    expect(parseSeed('-0xff')).toBe(-255);
    expect(parseSeed(' 0 ')).toBe(0);
    expect(parseSeed('007')).toBe(7);
  });

  it('returns a bigint beyond the safe integer range', () => {
    expect(parseSeed('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSeed('9007199254740993')).toBe(9007199254740993n);
    expect(parseSeed('0xffffffffffffffffff')).toBe(0xffffffffffffffffffn);
    expect(parseSeed('-9007199254740993')).toBe(-9007199254740993n);
  });

  it('throws a clear message for anything else', () => {
    for (const bad of ['', ' ', 'abc', '1.5', '1e3', '0x', '--1', '+1', '0b101', '42abc', '1 2']) {
      expect(() => parseSeed(bad)).toThrow(/seed must be a decimal or 0x-prefixed hexadecimal integer, got/);
    }
    expect(() => parseSeed('1'.repeat(100))).toThrow(/seed is too long/);
  });

  test.prop([fc.bigInt({ min: -(2n ** 128n), max: 2n ** 128n })])('round-trips decimal and hex text', (value) => {
    const hex = (value < 0n ? '-0x' : '0x') + (value < 0n ? -value : value).toString(16);
    expect(BigInt(parseSeed(value.toString()))).toBe(value);
    expect(BigInt(parseSeed(hex))).toBe(value);
  });
});
