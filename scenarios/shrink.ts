// The shrinker: from a failing run to a small one that fails the same way. The simulator's seed
// stays fixed; what shrinks is the fault schedule (delta debugging over fault units, a crash with
// its restart, a pause with its resume, a partition with its heal; then over single events) and
// the length of the safety phase. Every candidate is a full re-run, so the result replays exactly.
import { compareFaults, pinLeaderCrashes } from '../sim/faults.ts';
import type { FaultEvent } from '../sim/faults.ts';
import { mergeOptions } from '../sim/options.ts';
import type { RunReport, RunSpec } from '../reports/run-report.ts';
import { runSimulation } from './run.ts';

export interface ShrinkOptions {
  /** Bound on re-runs; the best spec so far is returned when it runs out. */
  readonly runsMax?: number;
  /** Runs the candidate; tests pass a stub, everyone else the default (no recording). */
  readonly run?: (spec: RunSpec) => RunReport;
}

export interface ShrinkResult {
  /** The smallest failing spec found (record as in the input). */
  readonly spec: RunSpec;
  readonly checker: string;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  readonly durationMsBefore: number;
  readonly durationMsAfter: number;
  /** Re-runs spent, the original's included. */
  readonly runs: number;
  /** True when runsMax ran out before no single removal helped any more. */
  readonly exhausted: boolean;
}

export const SHRINK_RUNS_MAX_DEFAULT = 300;
/** The linearizability search bound for candidates: a run whose check runs out is not a failure. */
const SHRINK_LIN_BUDGET_STEPS = 2_000_000;

/**
 * Groups a schedule into fault units: each start with the first matching end after it (crash and
 * restart of one node, pause and resume of one node, partition and the next heal). An end with no
 * start, or a start with no end, is a unit alone. Returns lists of indexes into `schedule`.
 */
export function faultUnits(schedule: readonly FaultEvent[]): number[][] {
  const units: number[][] = [];
  const open = new Map<string, number[]>();
  const keyOf = (event: FaultEvent): string | null => {
    switch (event.type) {
      case 'crash': case 'restart': return `crash:${event.node}`;
      case 'pause': case 'resume': return `pause:${event.node}`;
      case 'partition': case 'heal': return 'network';
      // Resolved at run time and restarting its own target: a unit alone.
      case 'crash-leader': case 'cut-leader': return null;
      default: return null;
    }
  };
  for (const [index, event] of schedule.entries()) {
    const key = keyOf(event);
    const isStart = event.type === 'crash' || event.type === 'pause' || event.type === 'partition';
    const pending = key === null ? undefined : open.get(key);
    if (isStart) {
      // A second start before an end (two partitions in a row): the first stands alone.
      if (pending !== undefined) units.push(pending);
      open.set(key as string, [index]);
    } else if (pending !== undefined) {
      pending.push(index);
      units.push(pending);
      open.delete(key as string);
    } else {
      units.push([index]);
    }
  }
  for (const pending of open.values()) units.push(pending);
  return units.sort((a, b) => (a[0] as number) - (b[0] as number));
}

class Shrinker {
  runs = 0;
  best: RunSpec;
  /** A failing report of `best` (the caller's for the start). */
  bestReport: RunReport;

  constructor(
    start: RunSpec,
    startReport: RunReport,
    readonly checker: string,
    private readonly runsMax: number,
    private readonly run: (spec: RunSpec) => RunReport,
  ) {
    this.best = start;
    this.bestReport = startReport;
  }

  get exhausted(): boolean {
    return this.runs >= this.runsMax;
  }

  /** Adopts `candidate` when it fails with the same checker. */
  attempt(candidate: RunSpec): boolean {
    if (this.exhausted) return false;
    this.runs++;
    const report = this.run(candidate);
    if (report.verdict !== 'fail' || report.failure?.checker !== this.checker) return false;
    this.best = candidate;
    this.bestReport = report;
    return true;
  }

  withSchedule(schedule: readonly FaultEvent[]): RunSpec {
    return { ...this.best, schedule };
  }

  /** Delta debugging over groups of schedule indexes: remove chunks, halving their size. */
  removeGroups(groupsOf: (schedule: readonly FaultEvent[]) => number[][]): void {
    let groups = groupsOf(this.best.schedule);
    let chunk = Math.max(1, Math.ceil(groups.length / 2));
    // Each round either removes at least one group or halves the chunk; both are bounded.
    for (let round = 0; round < 4 * this.best.schedule.length + 64 && groups.length > 0 && !this.exhausted; round++) {
      let removed = false;
      for (let start = 0; start < groups.length && !this.exhausted; start += chunk) {
        const drop = new Set(groups.slice(start, start + chunk).flat());
        const schedule = this.best.schedule.filter((_, index) => !drop.has(index));
        if (this.attempt(this.withSchedule(schedule))) {
          removed = true;
          break;
        }
      }
      if (removed) {
        groups = groupsOf(this.best.schedule);
        chunk = Math.min(chunk, Math.max(1, Math.ceil(groups.length / 2)));
      } else if (chunk === 1) {
        return;
      } else {
        chunk = Math.ceil(chunk / 2);
      }
    }
  }

  /** Shorter safety phases: the faults after the new end go, the liveness phase comes sooner. */
  shortenDuration(failureTimeMs: number | null): void {
    const durationMs = this.best.options.durationMs;
    const lastFaultMs = this.best.schedule.reduce((last, event) => Math.max(last, event.at), 0);
    const candidates = new Set<number>();
    if (failureTimeMs !== null && failureTimeMs < durationMs) candidates.add(roundUp(failureTimeMs + 1, 100));
    for (const share of [0.25, 0.5, 0.75]) candidates.add(roundUp(Math.max(lastFaultMs + 1, durationMs * share), 100));
    for (const candidate of [...candidates].sort((a, b) => a - b)) {
      if (candidate >= this.best.options.durationMs || this.exhausted) continue;
      const options = mergeOptions(this.best.options, { durationMs: candidate });
      // A partition at exactly durationMs is kept through the liveness phase: it moves with the end.
      const schedule = this.best.schedule.flatMap((event) => event.at < candidate ? [event]
        : event.at === durationMs && event.type === 'partition' ? [{ ...event, at: candidate }] : []);
      if (this.attempt({ ...this.best, options, schedule })) return;
    }
  }
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function singles(schedule: readonly FaultEvent[]): number[][] {
  return schedule.map((_, index) => [index]);
}

function defaultRun(spec: RunSpec): RunReport {
  return runSimulation({ ...spec, record: false, hash: false, linBudgetSteps: spec.linBudgetSteps ?? SHRINK_LIN_BUDGET_STEPS });
}

/**
 * Shrinks a failing spec. `failing` is its report (from any run of the same spec). The result
 * fails with the same checker; its schedule is a subset of the original, in the same order.
 */
export function shrinkFailure(failing: RunReport, options: ShrinkOptions = {}): ShrinkResult {
  const checker = failing.failure?.checker;
  if (failing.verdict !== 'fail' || checker === undefined) throw new Error('shrinkFailure needs a failing run');
  const original = failing.spec;
  const shrinker = new Shrinker({ ...original, schedule: [...original.schedule].sort(compareFaults) }, failing, checker,
    options.runsMax ?? SHRINK_RUNS_MAX_DEFAULT, options.run ?? defaultRun);
  // Cheapest first: no faults at all (some mutants fail on a healthy network).
  if (!shrinker.attempt(shrinker.withSchedule([]))) {
    shrinker.removeGroups(faultUnits);
    shrinker.removeGroups(singles);
    // Removing a leader crash re-aims every later one, so few go: pin the rest to the nodes they
    // hit in the smallest failing run, then shrink again over plain crashes and restarts.
    if (shrinker.best.schedule.some((event) => event.type === 'crash-leader' || event.type === 'cut-leader')
      && shrinker.attempt(shrinker.withSchedule(pinLeaderCrashes(shrinker.best.schedule, shrinker.bestReport.sim.leaderCrashes,
        shrinker.bestReport.sim.leaderCuts)))) {
      shrinker.removeGroups(faultUnits);
      shrinker.removeGroups(singles);
    }
  }
  shrinker.shortenDuration(failing.failure?.time ?? null);
  return {
    spec: { ...shrinker.best, record: original.record },
    checker,
    eventsBefore: original.schedule.length,
    eventsAfter: shrinker.best.schedule.length,
    durationMsBefore: original.options.durationMs,
    durationMsAfter: shrinker.best.options.durationMs,
    runs: shrinker.runs,
    exhausted: shrinker.exhausted,
  };
}

/** One line for summaries: "shrunk: 23 -> 2 fault events, safety phase 20000 -> 4000 ms (41 runs)". */
export function describeShrink(result: ShrinkResult): string {
  return `shrunk (${result.checker}): ${result.eventsBefore} -> ${result.eventsAfter} fault events, `
    + `safety phase ${result.durationMsBefore} -> ${result.durationMsAfter} ms `
    + `(${result.runs} re-runs${result.exhausted ? ', run budget exhausted' : ''})`;
}
