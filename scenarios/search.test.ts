import { describe, expect, it } from 'vitest';
import type { SometimesCounters } from '../reports/checkers/types.ts';
import type { RunReport, RunSpec } from '../reports/run-report.ts';
import type { FaultEvent } from '../sim/faults.ts';
import { DEFAULT_OPTIONS } from '../sim/options.ts';
import { createRng } from '../sim/random.ts';
import { main } from './cli/sim.ts';
import { shellWords } from './cli/reproduce.ts';
import { runCli, startCommand } from './cli/test-io.ts';
import { factsOf, perturbSchedule, PERTURB_WINDOW_MS, search } from './search.ts';
import type { SearchRun } from './search.ts';

const ZERO: SometimesCounters = {
  splitVotes: 0, depositions: 0, truncations: 0, snapshotInstalls: 0, clientRetries: 0, indeterminateOperations: 0, leadersElected: 0, termsSeen: 0,
};
const crash = (at: number, node: number): FaultEvent => ({ at, type: 'crash', node, torn: false });
const restart = (at: number, node: number): FaultEvent => ({ at, type: 'restart', node });

describe('factsOf', () => {
  it('names each counter at each power of two up to its value', () => {
    expect(factsOf({ ...ZERO, truncations: 5, depositions: 1 })).toEqual(['depositions>=1', 'truncations>=1', 'truncations>=2', 'truncations>=4']);
    expect(factsOf(null)).toEqual([]);
  });
});

describe('perturbSchedule', () => {
  const schedule = [crash(1_000, 1), restart(1_500, 1), crash(9_000, 2), restart(9_400, 2)];

  it('changes the schedule near the moment only, keeps it sorted and in the run, and is a function of its stream', () => {
    for (let key = 0; key < 40; key++) {
      const once = perturbSchedule(schedule, 1_200, 10_000, 3, createRng(key, 'test'));
      expect(perturbSchedule(schedule, 1_200, 10_000, 3, createRng(key, 'test'))).toEqual(once);
      expect(once.note).not.toBe('');
      const times = once.schedule.map((event) => event.at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...times)).toBeLessThan(10_000);
      // The unit far from the moment is neither shifted nor removed.
      expect(once.schedule).toContainEqual(crash(9_000, 2));
      expect(once.schedule).toContainEqual(restart(9_400, 2));
    }
  });

  it('adds pauses near the moment to an empty schedule', () => {
    const results = Array.from({ length: 20 }, (_, key) => perturbSchedule([], 5_000, 10_000, 3, createRng(key, 'test')).schedule);
    expect(results.some((schedule) => schedule.length > 0)).toBe(true);
    for (const event of results.flat()) {
      expect(['pause', 'resume']).toContain(event.type);
      expect(Math.abs(event.at - 5_000)).toBeLessThanOrEqual(2 * PERTURB_WINDOW_MS);
    }
  });
});

describe('search', () => {
  // A stand-in run: seed S reaches truncations = S; a run fails only when its schedule has three
  // fault units or more, which no plain seed's schedule (one unit) has: only a child can fail.
  const stub = (spec: RunSpec): RunReport => {
    const failed = spec.schedule.length >= 6;
    const failure = failed ? { checker: 'liveness', time: 1, message: 'stub', witnesses: [] } : null;
    return {
      spec, verdict: failed ? 'fail' : 'pass', sim: { events: [] } as never, verdicts: [], lin: null, operations: 0,
      sometimes: { ...ZERO, truncations: Number(spec.seed) }, failure, failures: failure === null ? [] : [failure],
    };
  };
  const specOf = (seed: number): RunSpec => ({
    seed, options: DEFAULT_OPTIONS, schedule: [crash(1_000, 1), restart(1_500, 1)], bugs: [], scenario: null, record: false,
  });
  const trail = (runs: readonly SearchRun[]): string[] => runs.map((run) => `${run.index} ${run.seed} ${run.parent} ${run.perturbation} ${run.report.verdict}`);

  it('finds what no plain seed has, in children of the corpus, the same way every time', () => {
    const first: SearchRun[] = [];
    const result = search({ firstSeed: 1, runs: 60, specOf, run: stub, onRun: (run) => first.push(run) });
    expect(result.runs).toBe(60);
    expect(result.plainRuns + result.children).toBe(60);
    expect(result.children).toBeGreaterThan(10);
    expect(result.failures.length).toBeGreaterThan(0);
    for (const failure of result.failures) {
      expect(failure.parent).not.toBeNull();
      expect(stub(failure.spec).verdict).toBe('fail');
    }
    // The corpus: the plain seeds that reached a new power of two of truncations (1, 2, 4, 8, ...), no others.
    expect(result.corpus).toBeLessThanOrEqual(7);
    const again: SearchRun[] = [];
    search({ firstSeed: 1, runs: 60, specOf, run: stub, onRun: (run) => again.push(run) });
    expect(trail(again)).toEqual(trail(first));
    const other: SearchRun[] = [];
    search({ firstSeed: 2, runs: 60, specOf, run: stub, onRun: (run) => other.push(run) });
    expect(trail(other)).not.toEqual(trail(first));
  });

  it('stops at the first counted failure when asked, and counts only what accept takes', () => {
    const stopped = search({ firstSeed: 1, runs: 60, specOf, run: stub, stopAtFirst: true });
    expect(stopped.failures).toHaveLength(1);
    expect(stopped.runs).toBe(stopped.runsToFirstFailure);
    expect(search({ firstSeed: 1, runs: 60, specOf, run: stub, accept: () => false }).failures).toEqual([]);
  });
});

describe('npm run sim -- --search', () => {
  // 20 runs: a child fails at run 18 (18 sufficed before the leader pause, moment crash and leader
  // isolation regimes changed some of the plain seeds, 25 after them, until swarm runs drew their
  // time scale).
  const argv = ['--search', '--seeds', '1..20', '--bug', 'ae-truncate-without-conflict', '--time', '2s', '--json'];

  it('reports a failing child with a reproduce line that runs the same perturbed run again', async () => {
    const first = await runCli(main, argv);
    expect(first.code).toBe(1);
    const lines = first.out.map((line) => JSON.parse(line) as { parent: number | null; checker: string; message: string; reproduce: string });
    const child = lines.find((line) => line.parent !== null);
    expect(child, first.err.join('\n')).toBeDefined();
    const words = shellWords((child as NonNullable<typeof child>).reproduce);
    expect(words).toContain('--schedule');
    const rerun = await runCli(main, [...words.slice(words.indexOf('--') + 1), '--json']);
    expect(rerun.code).toBe(1);
    const result = JSON.parse(rerun.out.at(-1) as string) as { checker: string; message: string };
    expect([result.checker, result.message]).toEqual([child?.checker, child?.message]);
  }, 300_000);

  it('refuses what it cannot do with one line and exit 2', async () => {
    for (const [args, message] of [
      [['--search'], /--search needs --seeds/],
      [['--search', '--seeds', '1..4', '--jobs', '2'], /--search chooses its own runs; drop --jobs/],
      [['--seed', '3', '--reference', 'no/such/module.ts'], /--reference no\/such\/module.ts: no such file/],
    ] as const) {
      const result = await runCli(main, args);
      expect(result.code).toBe(2);
      expect(result.err).toHaveLength(1);
      expect(result.err[0]).toMatch(message);
    }
  });
});

describe('npm run sim -- --search: Ctrl-C on the real command', () => {
  it('stops the search at once, mid-run, and exits 130', async () => {
    // 20,000 runs take far longer than the test: the search is interrupted, not finished.
    const command = startCommand('scenarios/cli/sim.ts', ['--search', '--seeds', '1..20000']);
    await command.printed('stderr', 'search: 20000 runs from seed 1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    command.child.kill('SIGINT');
    expect(await command.exited).toBe(130);
    expect(command.err()).toContain('interrupted (SIGINT): the search stopped');
    expect(command.err()).not.toMatch(/search: \d+ runs \(/);
  }, 30_000);
});
