// The shrinker: from a failing run to a small one that fails the same way. The simulator's seed
// stays fixed; what shrinks is the fault schedule (delta debugging over fault units, a crash with
// its restart, a pause with its resume, a partition with its heal; then over single events) and
// the run itself: the length of the safety phase and the clients' work. Every candidate is a full
// re-run, so the result replays exactly, and a candidate is taken only when it fails with the same
// checker in a trace no longer (in events) than the best so far: a shrunk trace is never longer
// than the run it came from (removing a fault can make a run fail later, after far more events).
// A differential shrink (a mutant of the built-in core, or an implementation with a reference)
// also runs every such candidate on the correct side and takes it only when that passes: the
// shrunk schedule shows the bug, not a schedule on which any Raft fails.
import { compareFaults, pinLeaderCrashes } from '../sim/faults.ts';
import type { FaultEvent } from '../sim/faults.ts';
import { mergeOptions } from '../sim/options.ts';
import { BUDGET_CHECKER } from '../sim/simulation.ts';
import type { RunHooks, RunReport, RunSpec } from '../reports/run-report.ts';
import { runSimulation } from './run.ts';

export interface ShrinkOptions {
  /** Bound on re-runs; the best spec so far is returned when it runs out. */
  readonly runsMax?: number;
  /** Runs the candidate with the given hooks; tests pass a stub, everyone else the default (no recording). */
  readonly run?: (spec: RunSpec, hooks: RunHooks) => RunReport;
  /**
   * The hooks every re-run of the failing side gets: the factory of the implementation under test
   * (default none: the built-in core). A sink here would hear every re-run.
   */
  readonly hooks?: RunHooks;
  /**
   * The correct side of a differential shrink: the spec the reference runs for a candidate (same
   * seed, options and schedule). Default: for a mutant of the built-in core (bugs, and no factory
   * in `hooks`), the same spec with no bug (referenceOf); null: plain shrinking.
   */
  readonly reference?: ((spec: RunSpec) => RunSpec) | null;
  /** The hooks the reference runs with (default none: the built-in core). */
  readonly referenceHooks?: RunHooks;
}

/** How a shrink went: `plain` (no reference), `differential`, or plain because the reference fails the original too. */
export type ShrinkMode = 'plain' | 'differential' | 'reference-fails-original';

export interface ShrinkResult {
  /** The smallest failing spec found (record as in the input). */
  readonly spec: RunSpec;
  readonly checker: string;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  readonly durationMsBefore: number;
  readonly durationMsAfter: number;
  /** Trace events of the failing run and of the shrunk one (never more). */
  readonly traceEventsBefore: number;
  readonly traceEventsAfter: number;
  readonly clientsBefore: number;
  readonly clientsAfter: number;
  /** Re-runs spent, the original's included. */
  readonly runs: number;
  /** True when runsMax ran out before no single removal helped any more. */
  readonly exhausted: boolean;
  /** Whether every candidate taken also passed on the reference (and the original did). */
  readonly mode: ShrinkMode;
  /** Runs of the reference, the original's included (not counted in `runs`). */
  readonly referenceRuns: number;
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
  referenceRuns = 0;
  best: RunSpec;
  /** A failing report of `best` (the caller's for the start). */
  bestReport: RunReport;

  constructor(
    start: RunSpec,
    startReport: RunReport,
    readonly checker: string,
    private readonly runsMax: number,
    private readonly run: (spec: RunSpec) => RunReport,
    private readonly reference: ((spec: RunSpec) => RunSpec) | null,
    private readonly runReference: (spec: RunSpec) => RunReport,
  ) {
    this.best = start;
    this.bestReport = startReport;
  }

  get exhausted(): boolean {
    return this.runs >= this.runsMax;
  }

  /** Adopts `candidate` when it fails with the same checker in a trace no longer than the best's. */
  attempt(candidate: RunSpec): boolean {
    if (this.exhausted) return false;
    this.runs++;
    // A candidate longer than the best cannot be taken: it stops at that length (a budget failure).
    const eventsMax = Math.min(candidate.budgets?.eventsMax ?? Number.MAX_SAFE_INTEGER, this.bestReport.sim.traceEvents);
    const report = this.run({ ...candidate, budgets: { ...candidate.budgets, eventsMax } });
    if (report.verdict !== 'fail' || report.failure?.checker !== this.checker) return false;
    if (report.sim.traceEvents > this.bestReport.sim.traceEvents) return false;
    if (!this.passesOnReference(candidate)) return false;
    this.best = candidate;
    this.bestReport = report;
    return true;
  }

  /** True without a reference; else whether the reference passes the spec (its own bounds). */
  passesOnReference(spec: RunSpec): boolean {
    if (this.reference === null) return true;
    this.referenceRuns++;
    return this.runReference(this.reference(spec)).verdict === 'pass';
  }

  /** Goes back to an earlier best (a failing spec and its report). */
  restore(spec: RunSpec, report: RunReport): void {
    this.best = spec;
    this.bestReport = report;
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

  /**
   * The safety phase ends right after a failure found in it: the run up to the failure is the same
   * (the liveness phase is queued at the same point, only later), and the faults after it go.
   */
  endAfterFailure(): void {
    const failureMs = this.bestReport.failure?.time;
    if (failureMs === undefined || failureMs >= this.best.options.durationMs) return;
    this.attemptDuration(Math.max(100, roundUp(failureMs + 1, 100)));
  }

  /**
   * Shorter safety phases, not before the last fault: the liveness phase comes sooner. Shortest
   * first; after each success, again from the new length.
   */
  shortenDuration(): void {
    for (let round = 0; round < 16 && !this.exhausted; round++) {
      const durationMs = this.best.options.durationMs;
      const lastFaultMs = this.best.schedule.reduce((last, event) => Math.max(last, event.at), 0);
      const candidates = new Set<number>();
      for (const share of [0.1, 0.25, 0.5, 0.75]) candidates.add(roundUp(Math.max(lastFaultMs + 1, durationMs * share), 100));
      if (![...candidates].sort((a, b) => a - b).some((candidate) => this.attemptDuration(candidate))) return;
    }
  }

  private attemptDuration(candidate: number): boolean {
    const durationMs = this.best.options.durationMs;
    if (candidate >= durationMs || this.exhausted) return false;
    const options = mergeOptions(this.best.options, { durationMs: candidate });
    // A partition at exactly durationMs is kept through the liveness phase: it moves with the end.
    const schedule = this.best.schedule.flatMap((event) => event.at < candidate ? [event]
      : event.at === durationMs && event.type === 'partition' ? [{ ...event, at: candidate }] : []);
    return this.attempt({ ...this.best, options, schedule });
  }

  /** Less client work: fewer clients (each with its own operations), down to one while the failure holds. */
  fewerClients(): void {
    for (let round = 0; round < 8 && this.best.options.clients > 1 && !this.exhausted; round++) {
      const clients = this.best.options.clients;
      const candidates = [1, Math.floor(clients / 2), clients - 1].filter((count, index, all) => count >= 1 && count < clients && all.indexOf(count) === index);
      if (!candidates.some((count) => this.attempt({ ...this.best, options: mergeOptions(this.best.options, { clients: count }) }))) return;
    }
  }
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function singles(schedule: readonly FaultEvent[]): number[][] {
  return schedule.map((_, index) => [index]);
}

/** The correct core's side of a mutant: the same run with no bug switched on. */
export function referenceOf(spec: RunSpec): RunSpec {
  return { ...spec, bugs: [] };
}

/**
 * A mutant of the built-in core (bugs switched on, no other implementation in the hooks) shrinks
 * differentially against the correct core by default.
 */
function defaultReference(spec: RunSpec, hooks: RunHooks): ((spec: RunSpec) => RunSpec) | null {
  return spec.bugs.length > 0 && hooks.factory === undefined ? referenceOf : null;
}

function defaultRun(spec: RunSpec, hooks: RunHooks): RunReport {
  return runSimulation({ ...spec, record: false, hash: false, untilHeadline: true, linBudgetSteps: spec.linBudgetSteps ?? SHRINK_LIN_BUDGET_STEPS }, hooks);
}

/**
 * Whether shrinkFailure would shrink this run: a failing one, not stopped at a budget (a runaway
 * run; every re-run would run away as long again, so it is saved as it is).
 */
export function shrinkable(report: RunReport): boolean {
  return report.verdict === 'fail' && report.failure !== null && report.failure.checker !== BUDGET_CHECKER;
}

/**
 * Shrinks a failing spec. `failing` is its report (from any run of the same spec). The result
 * fails with the same checker in a trace no longer than the original's; its schedule is a subset
 * of the original, in the same order. A run stopped at a budget is returned as it is (no re-run).
 */
export function shrinkFailure(failing: RunReport, options: ShrinkOptions = {}): ShrinkResult {
  const checker = failing.failure?.checker;
  if (failing.verdict !== 'fail' || checker === undefined) throw new Error('shrinkFailure needs a failing run');
  const original = failing.spec;
  const start = { ...original, schedule: [...original.schedule].sort(compareFaults) };
  const hooks = options.hooks ?? {};
  const referenceHooks = options.referenceHooks ?? {};
  const runWith = options.run ?? defaultRun;
  const run = (spec: RunSpec): RunReport => runWith(spec, hooks);
  const runReference = (spec: RunSpec): RunReport => runWith(spec, referenceHooks);
  const wanted = shrinkable(failing) ? options.reference === undefined ? defaultReference(original, hooks) : options.reference : null;
  // An original the reference fails too cannot be shrunk differentially: it shrinks plainly, and says so.
  const probe = new Shrinker(start, failing, checker, 0, run, wanted, runReference);
  const mode: ShrinkMode = wanted === null ? 'plain' : probe.passesOnReference(start) ? 'differential' : 'reference-fails-original';
  const shrinker = new Shrinker(start, failing, checker, shrinkable(failing) ? options.runsMax ?? SHRINK_RUNS_MAX_DEFAULT : 0, run,
    mode === 'differential' ? wanted : null, runReference);
  shrinker.referenceRuns = probe.referenceRuns;
  shrinker.endAfterFailure();
  // Cheapest first: no faults at all (some mutants fail on a healthy network).
  if (!shrinker.attempt(shrinker.withSchedule([]))) {
    shrinker.removeGroups(faultUnits);
    shrinker.removeGroups(singles);
    // Removing a leader crash re-aims every later one, so few go: pin the rest to the nodes they
    // hit in the smallest failing run, then shrink again over plain crashes and restarts. A pinned
    // crash is two events (crash, restart): when too few of them go, the unpinned schedule stays.
    const unpinned = { spec: shrinker.best, report: shrinker.bestReport };
    if (shrinker.best.schedule.some((event) => event.type === 'crash-leader' || event.type === 'cut-leader')
      && shrinker.attempt(shrinker.withSchedule(pinLeaderCrashes(shrinker.best.schedule, shrinker.bestReport.sim.leaderCrashes,
        shrinker.bestReport.sim.leaderCuts)))) {
      shrinker.removeGroups(faultUnits);
      shrinker.removeGroups(singles);
      if (shrinker.best.schedule.length > unpinned.spec.schedule.length
        && shrinker.bestReport.sim.traceEvents >= unpinned.report.sim.traceEvents) shrinker.restore(unpinned.spec, unpinned.report);
    }
  }
  shrinker.shortenDuration();
  shrinker.fewerClients();
  // A shorter run may let faults go that a longer one needed.
  if (shrinker.best.schedule.length > 0 && (shrinker.best.options.durationMs < original.options.durationMs
    || shrinker.best.options.clients < original.options.clients)) shrinker.removeGroups(singles);
  return {
    spec: { ...shrinker.best, record: original.record },
    checker,
    eventsBefore: original.schedule.length,
    eventsAfter: shrinker.best.schedule.length,
    durationMsBefore: original.options.durationMs,
    durationMsAfter: shrinker.best.options.durationMs,
    traceEventsBefore: failing.sim.traceEvents,
    traceEventsAfter: shrinker.bestReport.sim.traceEvents,
    clientsBefore: original.options.clients,
    clientsAfter: shrinker.best.options.clients,
    runs: shrinker.runs,
    exhausted: shrinker.exhausted && shrinkable(failing),
    mode,
    referenceRuns: shrinker.referenceRuns,
  };
}

const MODE_NOTES: Readonly<Record<ShrinkMode, string>> = {
  plain: '',
  differential: '; differential: every step also passes on the correct side',
  'reference-fails-original': '; not differential: the correct side fails the original run too',
};

/**
 * One line for summaries: "shrunk (invariants): 14 -> 1 fault events, safety phase 120000 -> 100
 * ms, clients 7 -> 1, trace 86 -> 40 events (12 re-runs)".
 */
export function describeShrink(result: ShrinkResult): string {
  if (result.checker === BUDGET_CHECKER) return `not shrunk (${result.checker}): a run stopped at a budget is saved as it ran`;
  const clients = result.clientsAfter === result.clientsBefore ? '' : `, clients ${result.clientsBefore} -> ${result.clientsAfter}`;
  return `shrunk (${result.checker}): ${result.eventsBefore} -> ${result.eventsAfter} fault events, `
    + `safety phase ${result.durationMsBefore} -> ${result.durationMsAfter} ms${clients}, `
    + `trace ${result.traceEventsBefore} -> ${result.traceEventsAfter} events `
    + `(${result.runs} re-runs${result.exhausted ? ', run budget exhausted' : ''})${MODE_NOTES[result.mode]}`;
}
