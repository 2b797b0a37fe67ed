// The conformance suite: lab-style tests (after the behaviours the MIT 6.5840 Raft lab tests) written
// in the scenario vocabulary, run over several seeds against any implementation of the core
// contract. Each test declares the capabilities it needs, keeps the lab's bounds where the lab has
// them, and checks that it exercised what it tests, so a run where nothing happened fails as vacuous.
import type { BugId } from '../../core/index.ts';
import type { OptionsOverride } from '../../sim/options.ts';
import { BUILTIN } from '../impl.ts';
import type { Capability, Implementation } from '../impl.ts';
import { Cluster, ScenarioError, labOptions } from '../vocabulary.ts';
import type { ScenarioReport } from '../vocabulary.ts';

/** Figures a test reports besides its verdict (the RPC counts, say), with the bound each is held to. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly bound?: number;
  readonly unit?: string;
}

export interface ConformanceTest {
  /** kebab-case, unique. */
  readonly name: string;
  /** One sentence: the behaviour it tests. */
  readonly purpose: string;
  readonly nodes: number;
  /**
   * The features it needs beyond elections, replication and persistence, which every
   * implementation has (scenarios/impl.ts): the lab's timing runs without PreVote and CheckQuorum.
   */
  readonly needs: readonly Capability[];
  /** Options over the lab's timing (LAB_TIMING). */
  readonly options?: OptionsOverride;
  /** Seeds run by default (1..ciSeeds); RAFTSIM_NIGHTLY runs more. */
  readonly ciSeeds: number;
  /** The script; it records figures with `figure` and must end with at least one `exercised` check. */
  readonly script: (cluster: Cluster, figure: (figure: Figure) => void) => void;
}

export interface TestResult {
  readonly test: string;
  readonly seed: number;
  readonly verdict: 'pass' | 'fail' | 'unknown' | 'skipped';
  /** The checker or 'scenario' that failed, and why. */
  readonly checker: string | null;
  readonly message: string | null;
  readonly figures: readonly Figure[];
  readonly simulatedMs: number;
  readonly wallMs: number;
}

export interface RunOptions {
  readonly implementation?: Implementation;
  readonly bugs?: readonly BugId[];
  /** False: the checkers off, only the test's own checks decide (what the test alone catches). */
  readonly checkers?: boolean;
}

/** A check that the run did what the test is about (a churn run that committed nothing fails here). */
export function exercised(cluster: Cluster, what: string, ok: boolean, detail = ''): void {
  cluster.check(`exercised: ${what}`, ok, detail);
}

/** Holds a figure to its bound as a check (the lab's bounds); returns the figure for the report. */
export function bounded(cluster: Cluster, figure: Figure): Figure {
  if (figure.bound !== undefined) {
    cluster.check(`${figure.name} <= ${figure.bound}`, figure.value <= figure.bound, `${figure.value}${figure.unit === undefined ? '' : ` ${figure.unit}`}`);
  }
  return figure;
}

export function missingCapabilities(test: ConformanceTest, implementation: Implementation): Capability[] {
  return test.needs.filter((need) => !implementation.capabilities[need]);
}

/** Runs one test on one seed; never throws for a failing implementation (a node error is its verdict). */
export function runTest(test: ConformanceTest, seed: number, options: RunOptions = {}): TestResult & { readonly report: ScenarioReport | null } {
  const implementation = options.implementation ?? BUILTIN;
  const missing = missingCapabilities(test, implementation);
  if (missing.length > 0) {
    return {
      test: test.name, seed, verdict: 'skipped', checker: null, message: `needs ${missing.join(', ')}`,
      figures: [], simulatedMs: 0, wallMs: 0, report: null,
    };
  }
  const started = performance.now();
  const cluster = new Cluster({
    scenario: `conformance/${test.name}`, seed, options: labOptions({ ...test.options, nodes: test.nodes }),
    bugs: options.bugs ?? [], checkers: options.checkers ?? true,
  }, implementation.factory === undefined ? {} : { factory: implementation.factory });
  cluster.note(`conformance ${test.name}: ${test.purpose}`);
  const figures: Figure[] = [];
  let failure: Error | null = null;
  try {
    test.script(cluster, (figure) => figures.push(bounded(cluster, figure)));
    if (!cluster.checks.some((check) => check.what.startsWith('exercised: '))) {
      cluster.check('exercised: the test checks what it exercised', false, 'no exercised check');
    }
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    failure = error;
  }
  const report = cluster.finish(failure);
  return {
    test: test.name, seed, verdict: report.verdict, checker: report.failure?.checker ?? null,
    message: report.failure?.message ?? null, figures, simulatedMs: report.sim.timeMs,
    wallMs: Math.round(performance.now() - started), report,
  };
}

/** How many seeds each test runs: its CI count, or RAFTSIM_CONFORMANCE_SEEDS, or 10 under RAFTSIM_NIGHTLY. */
export function seedsFor(test: ConformanceTest, env: Readonly<Record<string, string | undefined>>): number {
  const explicit = Number(env['RAFTSIM_CONFORMANCE_SEEDS']);
  if (Number.isInteger(explicit) && explicit > 0) return explicit;
  if (env['RAFTSIM_NIGHTLY'] !== undefined && env['RAFTSIM_NIGHTLY'] !== '' && env['RAFTSIM_NIGHTLY'] !== '0') {
    return Math.max(10, test.ciSeeds);
  }
  return test.ciSeeds;
}

export interface TestSummary {
  readonly test: string;
  readonly results: readonly TestResult[];
  readonly line: string;
  readonly ok: boolean;
}

/** Runs a test over seeds 1..seeds (or from..to) and sums it up in one line. */
export function runSeeds(test: ConformanceTest, seeds: number | { readonly from: number; readonly to: number }, options: RunOptions = {},
  onFailure: ((result: TestResult, report: ScenarioReport) => void) | null = null): TestSummary {
  const { from, to } = typeof seeds === 'number' ? { from: 1, to: seeds } : seeds;
  const results: TestResult[] = [];
  for (let seed = from; seed <= to; seed++) {
    const { report, ...result } = runTest(test, seed, options);
    results.push(result);
    if (result.verdict === 'fail' && report !== null && onFailure !== null) onFailure(result, report);
  }
  return { test: test.name, results, line: summaryLine(test, results), ok: results.every((result) => result.verdict !== 'fail') };
}

export function summaryLine(test: ConformanceTest, results: readonly TestResult[]): string {
  const name = test.name.padEnd(28);
  if (results.length > 0 && results.every((result) => result.verdict === 'skipped')) {
    return `${name} skip  ${results[0]?.message ?? ''}`;
  }
  const failed = results.filter((result) => result.verdict === 'fail');
  const unknown = results.filter((result) => result.verdict === 'unknown');
  const wallMs = results.reduce((sum, result) => sum + result.wallMs, 0);
  const simS = results.reduce((sum, result) => sum + result.simulatedMs, 0) / 1000;
  const verdict = failed.length > 0 ? 'FAIL' : unknown.length > 0 ? 'unkn' : 'pass';
  const seeds = `${results.length - failed.length}/${results.length} seeds`;
  const figures = figureSummary(results);
  const firstFail = failed[0];
  const why = firstFail === undefined ? '' : `  first: seed ${firstFail.seed} ${firstFail.checker ?? ''}: ${firstFail.message ?? ''}`;
  return `${name} ${verdict}  ${seeds.padEnd(12)} ${simS.toFixed(0).padStart(5)} s sim ${String(wallMs).padStart(6)} ms${figures}${why}`;
}

/** The worst value of each figure over the seeds, with its bound. */
function figureSummary(results: readonly TestResult[]): string {
  const worst = new Map<string, Figure>();
  for (const result of results) {
    for (const figure of result.figures) {
      const seen = worst.get(figure.name);
      if (seen === undefined || figure.value > seen.value) worst.set(figure.name, figure);
    }
  }
  if (worst.size === 0) return '';
  const parts = [...worst.values()].map((figure) => `${figure.name} max ${figure.value}${figure.bound === undefined ? '' : `/${figure.bound}`}`);
  return `  [${parts.join(', ')}]`;
}
