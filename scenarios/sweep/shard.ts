// `--shard i/n` (1-based, as vitest and Playwright count): a deterministic, contiguous slice of a
// seed range. Slices differ in size by at most one seed and the n slices cover the range exactly
// once, so n machines (a CI matrix, a Kubernetes Indexed Job) can split a sweep with no scheduler.
import { UsageError } from '../files.ts';

export interface SeedRange {
  readonly first: number;
  readonly last: number;
}

export interface Shard {
  /** 1-based: 1 <= index <= count. */
  readonly index: number;
  readonly count: number;
}

export const SHARDS_MAX = 100_000;

/** "3/16": shard 3 of 16. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) throw new UsageError(`--shard must look like i/n (for example 3/16), got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > SHARDS_MAX) throw new UsageError(`--shard count must be in 1..${SHARDS_MAX}, got ${count}`);
  if (index < 1 || index > count) throw new UsageError(`--shard index must be in 1..${count} (shards count from 1), got ${index}`);
  return { index, count };
}

/**
 * The seeds of shard `index` of `count`: [first + floor((i-1)·total/n), first + floor(i·total/n) - 1].
 * Null when the shard is empty (more shards than seeds).
 */
export function shardRange(range: SeedRange, shard: Shard): SeedRange | null {
  if (range.last < range.first) throw new RangeError(`empty seed range ${range.first}..${range.last}`);
  if (shard.index < 1 || shard.index > shard.count) throw new RangeError(`shard ${shard.index}/${shard.count} out of range`);
  const total = range.last - range.first + 1;
  // total <= 10^8 (parseSeedRange) and count <= 10^5: the products stay exact in a double.
  const start = Math.floor(((shard.index - 1) * total) / shard.count);
  const end = Math.floor((shard.index * total) / shard.count);
  if (end <= start) return null;
  return { first: range.first + start, last: range.first + end - 1 };
}

export function seedCount(range: SeedRange | null): number {
  return range === null ? 0 : range.last - range.first + 1;
}

export function formatRange(range: SeedRange): string {
  return `${range.first}..${range.last}`;
}
