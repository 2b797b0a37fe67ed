// One judge: a saved trace re-judged offline (reports/judge.ts) gives the live verdict of every
// checker, over default swarm seeds and the failing seeds of every catalogued mutant, through the
// trace file's own encoding. RAFTSIM_JUDGE_SEEDS=N widens the swarm sample (the note's full runs).
import { describe, expect, it } from 'vitest';
import { BUG_IDS } from '../core/index.ts';
import type { BugId } from '../core/index.ts';
import { headlineOf, isSafety, judgeTrace } from '../reports/judge.ts';
import { decodeTrace, encodeTrace } from '../reports/trace-file.ts';
import { headerOf } from './cli/runs.ts';
import { runSimulation } from './run.ts';
import type { RunReport } from './run.ts';
import { specForSeed } from './spec.ts';

const SEEDS = Number(process.env['RAFTSIM_JUDGE_SEEDS'] ?? 24);
/** The safety phase of the swarm sample (RAFTSIM_JUDGE_TIME_MS=0: each seed's own, 120 s by default). */
const TIME_MS = Number(process.env['RAFTSIM_JUDGE_TIME_MS'] ?? 5_000);

/** The live run's verdicts, and the same trace written, read back and judged again. */
function bothWays(seed: number, bugs: readonly BugId[], durationMs: number | null): { live: RunReport; offline: ReturnType<typeof judgeTrace> } {
  const spec = specForSeed(String(seed), { preset: null, override: durationMs === null ? {} : { durationMs }, bugs, record: true });
  const live = runSimulation(spec);
  const text = [...encodeTrace(headerOf(String(seed), spec), live.sim.events ?? [])].join('\n');
  const trace = decodeTrace(text);
  return { live, offline: judgeTrace(trace.header.options, trace.events) };
}

describe('re-judging a saved trace offline', () => {
  it(`gives every checker's live verdict on default swarm seeds 1..${SEEDS}`, { timeout: 3_600_000 }, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { live, offline } = bothWays(seed, [], TIME_MS === 0 ? null : TIME_MS);
      expect({ seed, verdicts: offline.verdicts, failure: offline.failure?.checker }).toEqual({ seed, verdicts: live.verdicts, failure: live.failure?.checker });
    }
  });

  // The first failing seed of each mutant at 20 s (scenarios/mutants/mutants.test.ts), a sample of
  // 8 in npm test (all 20 with RAFTSIM_JUDGE_SEEDS): online checkers, final checks, linearizability
  // and the simulator's own stops.
  const FAILING: Readonly<Record<BugId, number>> = {
    'vote-skip-uptodate-check': 5, 'vote-not-persisted': 1, 'vote-clear-on-same-term': 6, 'count-duplicate-votes': 7,
    'no-stepdown-on-higher-term': 34, 'election-timeout-not-randomized': 191, 'no-prevote-no-checkquorum': 132,
    'ae-truncate-without-conflict': 5, 'ae-accept-stale-term': 9, 'follower-commit-unbounded': 70, 'ae-append-nonidempotent': 2,
    'commit-prev-term-by-count': 46, 'matchindex-from-leader-state': 5, 'commitindex-regress': 2, 'no-noop-on-election': 29,
    'read-local-on-leader': 28, 'ack-before-durable': 2, 'snapshot-install-stale': 22, 'single-server-change-no-term-commit': 17,
    'client-retry-no-dedup': 1,
  };
  const IN_CI: readonly BugId[] = ['vote-not-persisted', 'ack-before-durable', 'client-retry-no-dedup', 'ae-append-nonidempotent',
    'commitindex-regress', 'vote-skip-uptodate-check', 'no-noop-on-election', 'no-stepdown-on-higher-term', 'no-prevote-no-checkquorum'];
  const sample = process.env['RAFTSIM_JUDGE_SEEDS'] === undefined ? IN_CI : BUG_IDS;
  it.each(sample)('gives the live verdicts of a failing run of %s', (bug) => {
    const { live, offline } = bothWays(FAILING[bug], [bug], 20_000);
    expect(live.verdict).toBe('fail');
    expect(offline.failure).toMatchObject({ checker: live.failure?.checker, message: live.failure?.message });
    expect(offline.verdicts).toEqual(live.verdicts);
  });

  // The liveness phase's own rules are the checker's, decided from the checkpoint the phase wrote:
  // a member left behind the leader (no-stepdown-on-higher-term), no leader that lasted under a
  // kept partition (no-prevote-no-checkquorum); without the checkpoint there is nothing to judge.
  it.each([
    ['no-stepdown-on-higher-term', /stayed behind leader/],
    ['no-prevote-no-checkquorum', /No leader held office/],
  ] as const)('judges the liveness phase of %s from its checkpoint offline', (bug, rule) => {
    const { live, offline } = bothWays(FAILING[bug], [bug], 20_000);
    const events = live.sim.events ?? [];
    const checkpoint = events.findIndex((event) => event.type === 'checkpoint');
    expect(live.failure?.message).toMatch(rule);
    expect(offline.failure?.witnesses).toContain(checkpoint);
    const options = specForSeed(String(FAILING[bug]), { preset: null, override: { durationMs: 20_000 }, bugs: [bug], record: false }).options;
    const without = judgeTrace(options, events.filter((event) => event.type !== 'checkpoint' && event.type !== 'violation'));
    expect(without.failure?.message ?? '').not.toMatch(rule);
  });

  it('reports a node\'s own failed assertion from the trace (commitindex-regress)', () => {
    const { live, offline } = bothWays(FAILING['commitindex-regress'], ['commitindex-regress'], 20_000);
    const assertion = (live.sim.events ?? []).findIndex((event) => event.type === 'assertion');
    expect(assertion).toBeGreaterThan(0);
    expect(offline.failure).toMatchObject({ checker: 'invariants', witnesses: [assertion] });
  });

  // A failure does not end the run (docs/design.md, "Verdicts"): every checker judges it all, and
  // every failure is reported in the order found, the first safety violation as the headline.
  it('gives every checker a verdict after a failure at the end of the run (client-retry-no-dedup, seed 1, 8 s)', () => {
    const report = runSimulation(specForSeed('1', { preset: null, override: { durationMs: 8_000 }, bugs: ['client-retry-no-dedup'], record: false }));
    expect(report.failure?.checker).toBe('linearizability');
    expect(report.verdicts.filter((verdict) => verdict.verdict === 'unknown')).toEqual([]);
    expect(report.verdicts.find((verdict) => verdict.checker === 'liveness')?.verdict).toBe('pass');
  });

  it('reports a later failure after an earlier one, live and offline (election-timeout-not-randomized, seed 296)', () => {
    const { live, offline } = bothWays(296, ['election-timeout-not-randomized'], 20_000);
    expect(live.failures.map((failure) => failure.checker)).toEqual(['availability', 'liveness']);
    expect(live.failure?.checker).toBe('availability');
    expect(offline.failures).toEqual(live.failures);
    // The run went on after the first one, to the end of its plan; each is written in the trace.
    const events = live.sim.events ?? [];
    expect(events.filter((event) => event.type === 'violation').map((event) => event.type === 'violation' && event.checker)).toEqual(['availability', 'liveness']);
    expect(live.sim.timeMs).toBe(20_000 + live.spec.options.livenessMs);
  });

  it('makes the first safety violation the headline, progress failures after it', () => {
    const at = (checker: string, time: number) => ({ checker, time, message: checker, witnesses: [] });
    expect(headlineOf([at('availability', 1), at('durability', 2), at('liveness', 3)])?.checker).toBe('durability');
    expect(headlineOf([at('liveness', 1), at('budget', 2)])?.checker).toBe('liveness');
    expect(headlineOf([at('stability', 1), at('availability', 2), at('election-safety', 3)])?.checker).toBe('election-safety');
    expect(isSafety('stability')).toBe(false);
    expect(headlineOf([])).toBeNull();
  });
});
