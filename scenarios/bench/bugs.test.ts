// The bug bench's density: every seed of a range runs, and the share that fails is counted by
// checker; a mutant under 1% is listed as weak.
import { describe, expect, it } from 'vitest';
import { densityOf, formatDensityTable, formatSearchTable } from './bugs.ts';

describe('mutant density', () => {
  it('counts every failing seed of the range by checker, and lists weak mutants', () => {
    const strong = densityOf('vote-not-persisted', 3);
    expect(strong.seeds).toBe(3);
    expect(strong.failed).toBeGreaterThanOrEqual(1);
    expect(strong.byChecker.reduce((sum, [, count]) => sum + count, 0)).toBe(strong.failed);
    const weak = { bug: 'election-timeout-not-randomized' as const, seeds: 200, failed: 1, unknown: 0, byChecker: [['liveness', 1] as const], catalogued: 1, firstCatalogued: 77 };
    const lines = formatDensityTable([strong, weak]);
    expect(lines[2]).toContain('`vote-not-persisted`');
    expect(lines[3]).toContain('0.5% (1) (weak)');
    expect(lines.at(-1)).toBe('weak (under 1% of seeds): election-timeout-not-randomized');
  }, 60_000);
});

describe('search against plain seeds', () => {
  it('prints runs to the first failure (or more than the budget) and failures per 1,000 runs', () => {
    const lines = formatSearchTable([
      { bug: 'commit-prev-term-by-count', runs: 200, plainFirst: null, plainFailures: 0, searchFirst: 150, searchFailures: 3, searchChildFailures: 2 },
      { bug: null, runs: 200, plainFirst: null, plainFailures: 0, searchFirst: null, searchFailures: 0, searchChildFailures: 0 },
    ]);
    expect(lines[0]).toContain('200 runs each');
    expect(lines[2]).toBe('| `commit-prev-term-by-count` | > 200 | 0 | 150 | 15 (10) |');
    expect(lines[3]).toBe('| correct core (false alarms) | > 200 | 0 | > 200 | 0 (0) |');
  });
});
