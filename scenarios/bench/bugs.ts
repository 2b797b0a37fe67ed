// `npm run bench -- bugs`: the bug-finding benchmark. For each mutant of core/bugs.ts, the default
// swarm scenario runs seeds in order until one fails by a checker the catalogue expects (failures
// by other checkers are listed, not counted); the failure is shrunk. False alarms are failures of
// the correct core over every seed tried for any mutant. Then the density: every mutant runs every
// seed of 1..RAFTSIM_DENSITY_SEEDS, and the share of seeds that fail, and by which checkers, shows
// how strongly the swarm finds it; a mutant under 1% is listed as weak. With RAFTSIM_SEARCH_RUNS=N,
// the guided search (scenarios/search.ts) against plain seeds: for every mutant, N runs of each,
// runs to the first failure by a catalogued checker and such failures per 1,000 runs; and the
// search on the correct core (its false alarms).
import { BUG_IDS } from '../../core/index.ts';
import type { BugId } from '../../core/index.ts';
import { catalogued } from '../mutants/catalogue.ts';
import { huntMutant, huntSpec, falseAlarms } from '../mutants/hunt.ts';
import { runSimulation } from '../run.ts';
import type { HuntOptions } from '../mutants/hunt.ts';
import { search } from '../search.ts';
import { shrinkFailure } from '../shrink.ts';
import type { Metric } from './metric.ts';

/** Seeds per mutant and the safety phase of each run; the environment can widen them. */
export const BENCH_SEEDS_MAX = Number(process.env['RAFTSIM_BENCH_SEEDS'] ?? 500);
export const BENCH_DURATION_MS = 20_000;
/** Seeds 1..N every mutant runs in full for its density (RAFTSIM_DENSITY_SEEDS; 0 skips it). */
export const DENSITY_SEEDS = Number(process.env['RAFTSIM_DENSITY_SEEDS'] ?? 100);
/** A mutant failing fewer than this share of seeds is listed as weak. */
export const WEAK_DENSITY = 0.01;
/** Runs per mutant of the search comparison, the same for plain seeds (RAFTSIM_SEARCH_RUNS; 0 skips it). */
export const SEARCH_RUNS = Number(process.env['RAFTSIM_SEARCH_RUNS'] ?? 0);

export interface DensityRow {
  readonly bug: BugId;
  readonly seeds: number;
  readonly failed: number;
  readonly unknown: number;
  /** Failing seeds by the checker that failed them, most first. */
  readonly byChecker: readonly (readonly [string, number])[];
  /** The failures by a checker the catalogue names for the mutant (or invariants). */
  readonly catalogued: number;
  /** The first seed failing by such a checker; null when none did. */
  readonly firstCatalogued: number | null;
}

/** Runs every seed of 1..seeds with `bug` on and counts the seeds that fail, by checker. */
export function densityOf(bug: BugId, seeds: number, durationMs: number = BENCH_DURATION_MS): DensityRow {
  const counts = new Map<string, number>();
  let unknown = 0;
  const expected = catalogued(bug);
  let inCatalogue = 0;
  let firstCatalogued: number | null = null;
  for (let seed = 1; seed <= seeds; seed++) {
    const report = runSimulation(huntSpec(seed, bug, { firstSeed: seed, lastSeed: seed, durationMs }));
    if (report.verdict === 'unknown') unknown++;
    if (report.verdict !== 'fail') continue;
    const checker = report.failure?.checker ?? 'unknown';
    counts.set(checker, (counts.get(checker) ?? 0) + 1);
    if (!expected(checker)) continue;
    inCatalogue++;
    firstCatalogued ??= seed;
  }
  const byChecker = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const failed = byChecker.reduce((sum, [, count]) => sum + count, 0);
  return { bug, seeds, failed, unknown, byChecker, catalogued: inCatalogue, firstCatalogued };
}

export interface SearchRow {
  /** null: the correct core (every failure is a false alarm). */
  readonly bug: BugId | null;
  readonly runs: number;
  readonly plainFirst: number | null;
  readonly plainFailures: number;
  readonly searchFirst: number | null;
  readonly searchFailures: number;
  /** Of the search's failures, those in children (perturbed schedules). */
  readonly searchChildFailures: number;
}

/** Plain seeds 1..runs against a search of as many runs from seed 1, counting failures by a catalogued checker. */
export function compareSearch(bug: BugId | null, runs: number, durationMs: number = BENCH_DURATION_MS): SearchRow {
  const accept = bug === null ? () => true : catalogued(bug);
  const options: HuntOptions = { firstSeed: 1, lastSeed: runs, durationMs };
  const plain = bug === null ? null : densityOf(bug, runs, durationMs);
  const plainAlarms = bug === null ? falseAlarms(options) : [];
  const found = search({ firstSeed: 1, runs, specOf: (seed) => huntSpec(seed, bug, options), accept });
  return {
    bug, runs,
    plainFirst: plain === null ? plainAlarms[0]?.seed ?? null : plain.firstCatalogued,
    plainFailures: plain === null ? plainAlarms.length : plain.catalogued,
    searchFirst: found.runsToFirstFailure,
    searchFailures: found.failures.length,
    searchChildFailures: found.failures.filter((run) => run.parent !== null).length,
  };
}

export function formatSearchTable(rows: readonly SearchRow[]): string[] {
  const perThousand = (failures: number, runs: number): string => (1000 * failures / Math.max(1, runs)).toFixed(0);
  const first = (runs: number | null, budget: number): string => (runs === null ? `> ${budget}` : String(runs));
  const lines = [
    `| mutant (${rows[0]?.runs ?? 0} runs each, ${BENCH_DURATION_MS / 1000} s) | plain: runs to first failure | plain: failures per 1,000 | search: runs to first failure | search: failures per 1,000 (in children) |`,
    '|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(`| ${row.bug === null ? 'correct core (false alarms)' : `\`${row.bug}\``} | ${first(row.plainFirst, row.runs)} | ${perThousand(row.plainFailures, row.runs)} `
      + `| ${first(row.searchFirst, row.runs)} | ${perThousand(row.searchFailures, row.runs)} (${perThousand(row.searchChildFailures, row.runs)}) |`);
  }
  return lines;
}

function percent(part: number, whole: number): string {
  return `${(100 * part / Math.max(1, whole)).toFixed(1)}%`;
}

export function formatDensityTable(rows: readonly DensityRow[]): string[] {
  const lines = [
    `| mutant | seeds failing (of 1..${rows[0]?.seeds ?? 0}, ${BENCH_DURATION_MS / 1000} s) | by a catalogued checker | by checker | unknown |`,
    '|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const weak = row.failed / Math.max(1, row.seeds) < WEAK_DENSITY ? ' (weak)' : '';
    const checkers = row.byChecker.length === 0 ? '-' : row.byChecker.map(([checker, count]) => `${checker} ${count}`).join(', ');
    lines.push(`| \`${row.bug}\` | ${percent(row.failed, row.seeds)} (${row.failed})${weak} | ${percent(row.catalogued, row.seeds)} | ${checkers} | ${row.unknown} |`);
  }
  const weak = rows.filter((row) => row.failed / Math.max(1, row.seeds) < WEAK_DENSITY).map((row) => row.bug);
  lines.push('', `weak (under ${100 * WEAK_DENSITY}% of seeds): ${weak.length === 0 ? 'none' : weak.join(', ')}`);
  return lines;
}

export interface BugRow {
  readonly bug: BugId;
  readonly checker: string | null;
  readonly seedsTried: number;
  readonly failingSeed: number | null;
  readonly msToFind: number;
  readonly eventsBefore: number | null;
  readonly eventsAfter: number | null;
  /** Earlier failures by checkers the catalogue does not name for the mutant. */
  readonly passedOver: readonly { readonly seed: number; readonly checker: string }[];
}

export function benchBugRow(bug: BugId, options: HuntOptions): BugRow {
  const hunt = huntMutant(bug, options, catalogued(bug));
  const passedOver = hunt.passedOver;
  if (hunt.report === null) {
    return { bug, checker: null, seedsTried: hunt.seedsTried, failingSeed: null, msToFind: hunt.wallMs, eventsBefore: null, eventsAfter: null, passedOver };
  }
  const shrunk = shrinkFailure(hunt.report);
  return {
    bug, checker: shrunk.checker, seedsTried: hunt.seedsTried, failingSeed: hunt.failingSeed, msToFind: hunt.wallMs,
    eventsBefore: shrunk.eventsBefore, eventsAfter: shrunk.eventsAfter, passedOver,
  };
}

export function formatBugTable(rows: readonly BugRow[]): string[] {
  const lines = [
    '| mutant | caught by | seeds to first failure | wall time to it | shrunk schedule (fault events) | earlier failures, other checkers |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const found = row.checker !== null;
    const earlier = row.passedOver.length === 0 ? '-'
      : row.passedOver.slice(0, 3).map((other) => `${other.checker} (seed ${other.seed})`).join(', ')
        + (row.passedOver.length > 3 ? `, ${row.passedOver.length - 3} more` : '');
    lines.push(`| \`${row.bug}\` | ${row.checker ?? 'not found'} | ${found ? `${row.seedsTried} (seed ${row.failingSeed})` : `> ${row.seedsTried}`} `
      + `| ${found ? `${Math.round(row.msToFind)} ms` : '-'} | ${found ? `${row.eventsBefore} -> ${row.eventsAfter}` : '-'} | ${earlier} |`);
  }
  return lines;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function benchBugs(print: (line: string) => void = () => undefined): Metric[] {
  const options: HuntOptions = { firstSeed: 1, lastSeed: BENCH_SEEDS_MAX, durationMs: BENCH_DURATION_MS };
  const rows = BUG_IDS.map((bug) => benchBugRow(bug, options));
  for (const line of formatBugTable(rows)) print(line);
  // Found means caught by a checker the catalogue expects for it (the hunt passes over others).
  const found = rows.filter((row) => row.checker !== null);
  const seedsTried = Math.max(...rows.map((row) => row.seedsTried));
  const alarms = falseAlarms({ ...options, lastSeed: options.firstSeed + seedsTried - 1 });
  const density = DENSITY_SEEDS > 0 ? BUG_IDS.map((bug) => densityOf(bug, DENSITY_SEEDS)) : [];
  if (density.length > 0) for (const line of ['', ...formatDensityTable(density)]) print(line);
  const densityMetrics: Metric[] = density.map((row) => ({
    metric: `bugs.density.${row.bug}`, value: Number((100 * row.failed / row.seeds).toFixed(1)), unit: `% of seeds 1..${row.seeds}`,
  }));
  const weak = density.filter((row) => row.failed / row.seeds < WEAK_DENSITY).length;
  const searched = SEARCH_RUNS > 0 ? [...BUG_IDS, null].map((bug) => compareSearch(bug, SEARCH_RUNS)) : [];
  if (searched.length > 0) for (const line of ['', ...formatSearchTable(searched)]) print(line);
  const mutantsSearched = searched.filter((row) => row.bug !== null);
  const searchMetrics: Metric[] = searched.length === 0 ? [] : [
    { metric: 'bugs.search.found', value: mutantsSearched.filter((row) => row.searchFirst !== null).length, unit: `of ${BUG_IDS.length} in ${SEARCH_RUNS} runs` },
    { metric: 'bugs.search.plain_found', value: mutantsSearched.filter((row) => row.plainFirst !== null).length, unit: `of ${BUG_IDS.length} in ${SEARCH_RUNS} seeds` },
    { metric: 'bugs.search.denser', value: mutantsSearched.filter((row) => row.searchFailures > row.plainFailures).length, unit: `of ${BUG_IDS.length} mutants` },
    { metric: 'bugs.search.false_alarms', value: searched.find((row) => row.bug === null)?.searchFailures ?? 0, unit: `of ${SEARCH_RUNS} runs` },
  ];
  return [
    ...searchMetrics,
    ...densityMetrics,
    ...(density.length > 0 ? [{ metric: 'bugs.weak', value: weak, unit: `of ${BUG_IDS.length} under ${100 * WEAK_DENSITY}% of seeds` }] : []),
    { metric: 'bugs.found', value: found.length, unit: `of ${BUG_IDS.length}` },
    { metric: 'bugs.median_ms_to_find', value: Math.round(median(found.map((row) => row.msToFind))), unit: 'ms' },
    { metric: 'bugs.max_shrunk_events', value: Math.max(0, ...found.map((row) => row.eventsAfter ?? 0)), unit: 'events' },
    { metric: 'bugs.false_alarms', value: alarms.length, unit: `of ${seedsTried} seeds` },
  ];
}
