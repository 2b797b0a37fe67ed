// A guided search, the alternative to running seeds one after another. Runs are plain seeds (in
// order from the first) and children: a child re-runs a corpus member's seed (the same options,
// the same simulator draws up to the first change) with its fault schedule perturbed around the
// moment one of its rare facts first happened. A fact is a "sometimes" counter reaching a power of
// two (truncations >= 4); a passing run that reached a fact no earlier run reached joins the
// corpus; a parent is chosen with a weight of one over the number of runs that reached its rarest
// fact. Every choice comes from the search's own random stream (keyed by its first seed and its
// budget), so the same search runs the same runs in any process. A child is data: a seed and a
// schedule, which `npm run sim -- --seed S --schedule FILE` runs again.
import { availabilityOptions } from '../reports/checkers/availability.ts';
import { CheckerSuite } from '../reports/checkers/suite.ts';
import type { SometimesCounters } from '../reports/checkers/types.ts';
import type { RunReport, RunSpec } from '../reports/run-report.ts';
import { compareFaults, describeFault } from '../sim/faults.ts';
import type { FaultEvent } from '../sim/faults.ts';
import { createRng } from '../sim/random.ts';
import type { Rng } from '../sim/random.ts';
import { runSimulation } from './run.ts';
import { faultUnits } from './shrink.ts';

export interface SearchOptions {
  /** Plain seeds run from here, in order; the search's own stream is keyed by it and the budget. */
  readonly firstSeed: number;
  /** The budget: runs in all, plain and children. */
  readonly runs: number;
  /** The plain run of a seed (record off). */
  readonly specOf: (seed: number) => RunSpec;
  /** Runs a spec; by default runSimulation. */
  readonly run?: (spec: RunSpec) => RunReport;
  /** Which failures count (by checker); by default all. */
  readonly accept?: (checker: string) => boolean;
  /** Stop at the first counted failure. */
  readonly stopAtFirst?: boolean;
  /** Told every run as it ends. */
  readonly onRun?: (run: SearchRun) => void;
}

export interface SearchRun {
  /** 1-based position in the search. */
  readonly index: number;
  readonly seed: number;
  /** The corpus member's run index this one perturbs; null for a plain seed. */
  readonly parent: number | null;
  /** What the perturbation did ("" for a plain seed). */
  readonly perturbation: string;
  readonly spec: RunSpec;
  readonly report: RunReport;
  /** A failure the search counts (accept took its checker). */
  readonly counted: boolean;
}

export interface SearchResult {
  readonly runs: number;
  readonly plainRuns: number;
  readonly children: number;
  readonly corpus: number;
  /** Counted failures, in run order. */
  readonly failures: readonly SearchRun[];
  /** Runs up to and including the first counted failure; null when none. */
  readonly runsToFirstFailure: number | null;
}

/** The half-width of the window around a moment where faults are shifted, added or removed. */
export const PERTURB_WINDOW_MS = 2_000;
/** Share of runs after the warm-up that are children (the rest are further plain seeds). */
export const CHILD_SHARE = 0.5;
const COUNTER_NAMES: readonly (keyof SometimesCounters)[] = [
  'splitVotes', 'depositions', 'truncations', 'snapshotInstalls', 'clientRetries', 'indeterminateOperations', 'leadersElected', 'termsSeen',
];
/** Events between two reads of the counters when the moments are found (their resolution). */
const MOMENT_STRIDE = 64;

/** The facts of a run: each counter at or above each power of two up to its value. */
export function factsOf(counters: SometimesCounters | null): string[] {
  if (counters === null) return [];
  return COUNTER_NAMES.flatMap((name) => {
    const facts: string[] = [];
    for (let at = 1; at <= counters[name]; at *= 2) facts.push(`${name}>=${at}`);
    return facts;
  });
}

/**
 * When each fact of a run first held (virtual ms): the run again with recording on, its events
 * through the checkers, the counters read every MOMENT_STRIDE events.
 */
export function factMoments(spec: RunSpec, run: (spec: RunSpec) => RunReport = runSimulation): Map<string, number> {
  const report = run({ ...spec, record: true });
  const suite = new CheckerSuite({ livenessBoundMs: spec.options.livenessMs, availability: availabilityOptions(spec.options) });
  const moments = new Map<string, number>();
  const events = report.sim.events ?? [];
  for (const [index, event] of events.entries()) {
    suite.observe(event, index);
    if (index % MOMENT_STRIDE !== MOMENT_STRIDE - 1 && index !== events.length - 1) continue;
    for (const fact of factsOf(suite.sometimes())) if (!moments.has(fact)) moments.set(fact, event.time);
  }
  return moments;
}

/**
 * Perturbs a schedule around `moment`: one or two of shifting a fault unit that starts within the
 * window, removing one, or adding a copy of one (any unit of the schedule, or a pause) there.
 * Times stay in [0, durationMs); the result is sorted as schedules are.
 */
export function perturbSchedule(schedule: readonly FaultEvent[], moment: number, durationMs: number, nodes: number, rng: Rng): { schedule: FaultEvent[]; note: string } {
  let current = [...schedule];
  const notes: string[] = [];
  const clamp = (at: number): number => Math.min(Math.max(0, Math.round(at)), durationMs - 1);
  for (let step = 1 + rng.int(2); step > 0; step--) {
    const units = faultUnits(current);
    const near = units.filter((unit) => Math.abs((current[unit[0] as number] as FaultEvent).at - moment) <= PERTURB_WINDOW_MS);
    const op = near.length === 0 ? 2 : rng.int(3);
    if (op === 0 || op === 1) {
      const unit = new Set(rng.pick(near));
      const first = current[[...unit][0] as number] as FaultEvent;
      const delta = rng.range(-PERTURB_WINDOW_MS, PERTURB_WINDOW_MS);
      notes.push(op === 0 ? `shifted ${describeFault(first)} by ${delta} ms` : `removed ${describeFault(first)}`);
      current = op === 1 ? current.filter((_, index) => !unit.has(index))
        : current.map((event, index) => (unit.has(index) ? { ...event, at: clamp(event.at + delta) } : event));
    } else {
      const source = units.length === 0 ? null : rng.pick(units).map((index) => current[index] as FaultEvent);
      const start = clamp(moment + rng.range(-PERTURB_WINDOW_MS, PERTURB_WINDOW_MS));
      const added = source === null ? pauseAt(start, 1 + rng.int(nodes), clamp(start + rng.range(100, PERTURB_WINDOW_MS)))
        : source.map((event) => ({ ...event, at: clamp(start + event.at - (source[0] as FaultEvent).at) }));
      notes.push(`added ${describeFault(added[0] as FaultEvent)}`);
      current = [...current, ...added];
    }
  }
  return { schedule: current.sort(compareFaults), note: notes.join('; ') };
}

function pauseAt(at: number, node: number, resumeAt: number): FaultEvent[] {
  return [{ at, type: 'pause', node }, { at: resumeAt, type: 'resume', node }];
}

interface Member {
  readonly index: number;
  readonly spec: RunSpec;
  readonly facts: readonly string[];
  readonly moments: ReadonlyMap<string, number>;
}

/** Runs the search: plain seeds, then plain seeds and children of the corpus, to the budget. */
export function search(options: SearchOptions): SearchResult {
  const run = options.run ?? runSimulation;
  const accept = options.accept ?? (() => true);
  const rng = createRng(options.firstSeed, `search/${options.runs}`);
  const warmUp = Math.min(options.runs, Math.max(8, Math.floor(options.runs / 5)));
  const reached = new Map<string, number>();
  const corpus: Member[] = [];
  const failures: SearchRun[] = [];
  let plainRuns = 0;
  for (let index = 1; index <= options.runs; index++) {
    const child = index > warmUp && corpus.length > 0 && rng.chance(CHILD_SHARE);
    let spec: RunSpec;
    let parent: Member | null = null;
    let perturbation = '';
    if (child) {
      parent = pickParent(corpus, reached, rng);
      const moment = momentOf(parent, reached, rng);
      const perturbed = perturbSchedule(parent.spec.schedule, moment, parent.spec.options.durationMs, parent.spec.options.nodes, rng);
      spec = { ...parent.spec, schedule: perturbed.schedule };
      perturbation = `around ${moment} ms: ${perturbed.note}`;
    } else {
      spec = options.specOf(options.firstSeed + plainRuns);
      plainRuns++;
    }
    const report = run(spec);
    const facts = factsOf(report.sometimes);
    const novel = facts.some((fact) => !reached.has(fact));
    for (const fact of facts) reached.set(fact, (reached.get(fact) ?? 0) + 1);
    const counted = report.verdict === 'fail' && accept(report.failure?.checker ?? 'unknown');
    const done: SearchRun = { index, seed: Number(spec.seed), parent: parent?.index ?? null, perturbation, spec, report, counted };
    options.onRun?.(done);
    if (counted) {
      failures.push(done);
      if (options.stopAtFirst === true) break;
    }
    if (novel && report.verdict === 'pass') corpus.push({ index, spec, facts, moments: factMoments(spec, run) });
  }
  const runs = failures.length > 0 && options.stopAtFirst === true ? (failures[0] as SearchRun).index : options.runs;
  return {
    runs, plainRuns, children: runs - plainRuns, corpus: corpus.length, failures,
    runsToFirstFailure: failures.length === 0 ? null : (failures[0] as SearchRun).index,
  };
}

function rarity(member: Member, reached: ReadonlyMap<string, number>): number {
  return Math.min(...member.facts.map((fact) => reached.get(fact) ?? 1));
}

/** A corpus member, weighted by one over the number of runs that reached its rarest fact. */
function pickParent(corpus: readonly Member[], reached: ReadonlyMap<string, number>, rng: Rng): Member {
  const weights = corpus.map((member) => 1 / rarity(member, reached));
  let draw = rng.next() * weights.reduce((sum, weight) => sum + weight, 0);
  for (const [index, weight] of weights.entries()) {
    draw -= weight;
    if (draw < 0) return corpus[index] as Member;
  }
  return corpus[corpus.length - 1] as Member;
}

/** The moment one of the member's rarest facts first held. */
function momentOf(member: Member, reached: ReadonlyMap<string, number>, rng: Rng): number {
  const rarest = rarity(member, reached);
  const facts = member.facts.filter((fact) => (reached.get(fact) ?? 1) === rarest && member.moments.has(fact));
  return facts.length === 0 ? rng.int(member.spec.options.durationMs) : member.moments.get(rng.pick(facts)) as number;
}
