// `npm run bench -- bugs`: the bug-finding benchmark. For each mutant of core/bugs.ts, the default
// swarm scenario runs seeds in order until one fails by a checker the catalogue expects (failures
// by other checkers are listed, not counted); the failure is shrunk. False alarms are failures of
// the correct core over every seed tried for any mutant.
import { BUG_IDS } from '../../core/index.ts';
import type { BugId } from '../../core/index.ts';
import { catalogued } from '../mutants/catalogue.ts';
import { huntMutant, falseAlarms } from '../mutants/hunt.ts';
import type { HuntOptions } from '../mutants/hunt.ts';
import { shrinkFailure } from '../shrink.ts';
import type { Metric } from './metric.ts';

/** Seeds per mutant and the safety phase of each run; the environment can widen them. */
export const BENCH_SEEDS_MAX = Number(process.env['RAFTSIM_BENCH_SEEDS'] ?? 500);
export const BENCH_DURATION_MS = 20_000;

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
  return [
    { metric: 'bugs.found', value: found.length, unit: `of ${BUG_IDS.length}` },
    { metric: 'bugs.median_ms_to_find', value: Math.round(median(found.map((row) => row.msToFind))), unit: 'ms' },
    { metric: 'bugs.max_shrunk_events', value: Math.max(0, ...found.map((row) => row.eventsAfter ?? 0)), unit: 'events' },
    { metric: 'bugs.false_alarms', value: alarms.length, unit: `of ${seedsTried} seeds` },
  ];
}
