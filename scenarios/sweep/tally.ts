// What a sweep (or a merge of shards) keeps: counts, the failures with their reproduce commands,
// and the "sometimes" counters summed. Nothing per passing seed, so memory stays bounded however
// many seeds run.
import { EXIT } from '../cli/common.ts';

/** The fields of one NDJSON result line that a tally reads (see seed.ts, SeedResult). */
export interface ResultLine {
  readonly seed: string;
  readonly verdict: 'pass' | 'fail' | 'unknown';
  readonly checker: string | null;
  readonly message: string | null;
  readonly trace: string | null;
  readonly reproduce: string | null;
  readonly sometimes: Readonly<Record<string, number>> | null;
}

/** Failures and unknowns kept in detail; past this they are only counted. */
export const DETAILS_KEPT_MAX = 200;

interface SometimesTotal {
  total: number;
  /** Seeds in which the counter was above zero. */
  seeds: number;
}

export class SweepTally {
  seeds = 0;
  passed = 0;
  failed = 0;
  unknown = 0;
  readonly details: ResultLine[] = [];
  private readonly sometimes = new Map<string, SometimesTotal>();
  private seedMin = Number.POSITIVE_INFINITY;
  private seedMax = Number.NEGATIVE_INFINITY;

  add(line: ResultLine): void {
    this.seeds++;
    if (line.verdict === 'pass') this.passed++;
    else if (line.verdict === 'fail') this.failed++;
    else this.unknown++;
    if (line.verdict !== 'pass' && this.details.length < DETAILS_KEPT_MAX) this.details.push(line);
    const numeric = Number(line.seed);
    if (Number.isSafeInteger(numeric)) {
      this.seedMin = Math.min(this.seedMin, numeric);
      this.seedMax = Math.max(this.seedMax, numeric);
    }
    for (const [name, value] of Object.entries(line.sometimes ?? {})) {
      const entry = this.sometimes.get(name) ?? { total: 0, seeds: 0 };
      entry.total += value;
      if (value > 0) entry.seeds++;
      this.sometimes.set(name, entry);
    }
  }

  exitCode(): number {
    if (this.failed > 0) return EXIT.fail;
    return this.unknown > 0 ? EXIT.unknown : EXIT.pass;
  }

  /** "1..100 (100 seeds, each once)" or a warning when shards overlap or leave gaps. */
  coverage(): string {
    if (this.seeds === 0 || this.seedMin > this.seedMax) return `${this.seeds} seeds`;
    const span = this.seedMax - this.seedMin + 1;
    const note = span === this.seeds ? 'no gaps' : `span ${span}: gaps or duplicates between the files`;
    return `seeds ${this.seedMin}..${this.seedMax} (${this.seeds} run, ${note})`;
  }

  verdictLine(): string {
    return `${this.passed} passed, ${this.failed} failed, ${this.unknown} unknown`;
  }

  /** "splitVotes: in 12 of 100 seeds (total 31)", sorted by name for stable output. */
  sometimesLines(): string[] {
    const names = [...this.sometimes.keys()].sort();
    return names.map((name) => {
      const entry = this.sometimes.get(name) as SometimesTotal;
      return `${name.padEnd(26)} in ${entry.seeds} of ${this.seeds} seeds (total ${entry.total})`;
    });
  }

  /** One block per failing or unknown seed: what broke and how to get it back. */
  detailLines(): string[] {
    const lines: string[] = [];
    for (const line of this.details) {
      const what = line.checker === null ? line.verdict : `${line.verdict} ${line.checker}: ${line.message ?? ''}`;
      lines.push(`seed ${line.seed} ${what}`);
      if (line.trace !== null) lines.push(`  npm run sim -- --replay ${line.trace}`);
      if (line.reproduce !== null) lines.push(`  ${line.reproduce}`);
    }
    const hidden = this.failed + this.unknown - this.details.length;
    if (hidden > 0) lines.push(`(${hidden} more not shown)`);
    return lines;
  }
}

/** Seeds as sorted, disjoint ranges: which seeds a merge saw, which twice, which not at all. */
export class SeedCoverage {
  /** Sorted by `first`, disjoint and not adjacent. */
  private readonly ranges: { first: number; last: number }[] = [];
  /** Seeds seen again, as ranges in the order met, with the file of the repeat. */
  readonly repeats: { first: number; last: number; where: string }[] = [];
  /** Seeds that are not integers (a hand-written file): counted, not placed. */
  others = 0;

  /** False when the seed was seen before (it is recorded as a repeat). */
  add(seedText: string, where: string): boolean {
    const seed = Number(seedText);
    if (!/^-?\d+$/.test(seedText) || !Number.isSafeInteger(seed)) {
      this.others++;
      return true;
    }
    const index = this.indexAtOrBefore(seed);
    const before = index >= 0 ? this.ranges[index] : undefined;
    if (before !== undefined && seed <= before.last) {
      const repeat = this.repeats.at(-1);
      if (repeat !== undefined && repeat.where === where && repeat.last === seed - 1) repeat.last = seed;
      else this.repeats.push({ first: seed, last: seed, where });
      return false;
    }
    const after = this.ranges[index + 1];
    if (before !== undefined && before.last === seed - 1) {
      before.last = seed;
      if (after !== undefined && after.first === seed + 1) {
        before.last = after.last;
        this.ranges.splice(index + 1, 1);
      }
    } else if (after !== undefined && after.first === seed + 1) after.first = seed;
    else this.ranges.splice(index + 1, 0, { first: seed, last: seed });
    return true;
  }

  /** The gaps between the seeds seen, and before and after them when `expected` is given. */
  gaps(expected: { first: number; last: number } | null): { first: number; last: number }[] {
    const gaps: { first: number; last: number }[] = [];
    let next = expected?.first ?? this.ranges[0]?.first ?? 0;
    for (const range of this.ranges) {
      if (range.first > next) gaps.push({ first: next, last: range.first - 1 });
      next = Math.max(next, range.last + 1);
    }
    if (expected !== null && next <= expected.last) gaps.push({ first: next, last: expected.last });
    return gaps;
  }

  /** Seeds seen outside `expected`. */
  outside(expected: { first: number; last: number }): { first: number; last: number }[] {
    const found: { first: number; last: number }[] = [];
    for (const range of this.ranges) {
      if (range.first < expected.first) found.push({ first: range.first, last: Math.min(range.last, expected.first - 1) });
      if (range.last > expected.last) found.push({ first: Math.max(range.first, expected.last + 1), last: range.last });
    }
    return found;
  }

  private indexAtOrBefore(seed: number): number {
    let low = 0;
    let high = this.ranges.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.ranges[middle] as { first: number }).first <= seed) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }
}

/** "3, 7..9, 12 (and 4 more ranges)": a short list of seed ranges for one line. */
export function formatSeedRanges(ranges: readonly { first: number; last: number }[], shown = 8): string {
  const text = ranges.slice(0, shown).map((range) => (range.first === range.last ? `${range.first}` : `${range.first}..${range.last}`)).join(', ');
  return ranges.length > shown ? `${text} (and ${ranges.length - shown} more ranges)` : text;
}
