// Hunting a mutant: the default swarm scenario over a range of seeds, with one bug switched on,
// until a seed fails. This is what the mutant tests and `npm run bench -- bugs` run.
import type { BugId } from '../../core/index.ts';
import type { RunReport, RunSpec } from '../../reports/run-report.ts';
import type { RunBudgets } from '../../sim/simulation.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';

export interface HuntOptions {
  readonly firstSeed: number;
  readonly lastSeed: number;
  /** The safety phase of each run; short runs find most mutants sooner. */
  readonly durationMs: number;
  /** The linearizability search bound: a history too hard to decide is `unknown`, not a failure. */
  readonly linBudgetSteps?: number;
  /**
   * Bounds on each run (sim/simulation.ts, RunBudgets; the defaults when absent): a runaway run
   * stops with a `budget` failure, which the hunt passes over unless `accept` takes it.
   */
  readonly budgets?: Partial<RunBudgets>;
}

export interface HuntResult {
  readonly bug: BugId | null;
  /** Seeds run, the failing one included. */
  readonly seedsTried: number;
  readonly failingSeed: number | null;
  readonly report: RunReport | null;
  readonly wallMs: number;
  /** Seeds whose verdict was unknown (a budget ran out). */
  readonly unknownSeeds: readonly number[];
  /** Failures passed over because `accept` refused their checker, in seed order. */
  readonly passedOver: readonly { readonly seed: number; readonly checker: string }[];
}

export const HUNT_LIN_BUDGET_STEPS = 2_000_000;

export function huntSpec(seed: number, bug: BugId | null, options: HuntOptions): RunSpec {
  const spec = specForSeed(String(seed), {
    preset: null, override: { durationMs: options.durationMs }, bugs: bug === null ? [] : [bug], record: false,
  });
  return {
    ...spec, linBudgetSteps: options.linBudgetSteps ?? HUNT_LIN_BUDGET_STEPS,
    ...(options.budgets === undefined ? {} : { budgets: options.budgets }),
  };
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Runs seeds firstSeed..lastSeed in order and stops at the first failure whose checker `accept`
 * takes (by default any); the failures it refuses are passed over and listed.
 */
export function huntMutant(bug: BugId | null, options: HuntOptions, accept: (checker: string) => boolean = () => true): HuntResult {
  const started = nowMs();
  const unknownSeeds: number[] = [];
  const passedOver: { seed: number; checker: string }[] = [];
  for (let seed = options.firstSeed; seed <= options.lastSeed; seed++) {
    const report = runSimulation(huntSpec(seed, bug, options));
    if (report.verdict === 'unknown') unknownSeeds.push(seed);
    if (report.verdict !== 'fail') continue;
    const checker = report.failure?.checker ?? 'unknown';
    if (!accept(checker)) {
      passedOver.push({ seed, checker });
      continue;
    }
    return { bug, seedsTried: seed - options.firstSeed + 1, failingSeed: seed, report, wallMs: nowMs() - started, unknownSeeds, passedOver };
  }
  const seedsTried = Math.max(0, options.lastSeed - options.firstSeed + 1);
  return { bug, seedsTried, failingSeed: null, report: null, wallMs: nowMs() - started, unknownSeeds, passedOver };
}

/** Every failing seed of the range on the correct core (the false alarms), with its checker. */
export function falseAlarms(options: HuntOptions): { seed: number; checker: string }[] {
  const alarms: { seed: number; checker: string }[] = [];
  for (let seed = options.firstSeed; seed <= options.lastSeed; seed++) {
    const report = runSimulation(huntSpec(seed, null, options));
    if (report.verdict === 'fail') alarms.push({ seed, checker: report.failure?.checker ?? 'unknown' });
  }
  return alarms;
}
