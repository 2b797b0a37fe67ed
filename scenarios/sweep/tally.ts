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
