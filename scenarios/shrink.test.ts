import { describe, expect, it } from 'vitest';
import type { FaultEvent } from '../sim/faults.ts';
import { DEFAULT_OPTIONS, mergeOptions } from '../sim/options.ts';
import type { RunReport, RunSpec } from '../reports/run-report.ts';
import type { BugId } from '../core/index.ts';
import { runSimulation } from './run.ts';
import type { RunHooks } from './run.ts';
import { huntSpec } from './mutants/hunt.ts';
import { faultUnits, referenceOf, shrinkFailure } from './shrink.ts';
import { specForSeed } from './spec.ts';

const crash = (at: number, node: number): FaultEvent => ({ at, type: 'crash', node, torn: false });
const restart = (at: number, node: number): FaultEvent => ({ at, type: 'restart', node });
const partition = (at: number): FaultEvent => ({ at, type: 'partition', kind: 'isolate', cut: [[1, 2], [2, 1]] });
const heal = (at: number): FaultEvent => ({ at, type: 'heal' });

function specWith(schedule: FaultEvent[]): RunSpec {
  return { seed: 1, options: DEFAULT_OPTIONS, schedule, bugs: [], scenario: null, record: false };
}

/**
 * A stand-in run: fails with `checker` when `fails` holds for the spec, at `time`, in a trace of
 * `length(spec)` events (by default one per fault event).
 */
function stubRun(fails: (spec: RunSpec) => boolean, checker = 'election-safety',
  length: (spec: RunSpec) => number = (spec) => spec.schedule.length, time = 25_000) {
  let runs = 0;
  const run = (spec: RunSpec): RunReport => {
    runs++;
    const failed = fails(spec);
    return {
      spec, verdict: failed ? 'fail' : 'pass', sim: { traceEvents: length(spec) } as never, verdicts: [], sometimes: null, lin: null, operations: 0, failures: [],
      failure: failed ? { checker, time, message: 'stub', witnesses: [] } : null,
    };
  };
  return { run, runs: () => runs };
}

describe('faultUnits', () => {
  it('pairs each start with its end and leaves strays alone', () => {
    const schedule = [crash(10, 1), partition(20), crash(30, 2), restart(40, 1), heal(50), restart(60, 3), restart(70, 2)];
    expect(faultUnits(schedule)).toEqual([[0, 3], [1, 4], [2, 6], [5]]);
  });
});

describe('shrinkFailure', () => {
  const big = Array.from({ length: 12 }, (_, index) => [crash(1_000 * index + 100, 1 + (index % 5)), restart(1_000 * index + 600, 1 + (index % 5))]).flat();
  const has = (spec: RunSpec, at: number): boolean => spec.schedule.some((event) => event.at === at);

  it('keeps only the events the failure needs, crash with restart', () => {
    // Fails when the crashes at 3100 and 8100 both happen.
    const stub = stubRun((spec) => has(spec, 3_100) && has(spec, 8_100));
    const result = shrinkFailure(stub.run(specWith(big)), { run: stub.run });
    expect(result.spec.schedule.map((event) => event.at)).toEqual([3_100, 8_100]);
    expect(result.eventsBefore).toBe(24);
    expect(result.eventsAfter).toBe(2);
    expect(result.checker).toBe('election-safety');
    // The safety phase shrinks, but not below the last fault the failure needs.
    expect(result.durationMsAfter).toBeGreaterThan(8_100);
    expect(result.durationMsAfter).toBeLessThan(DEFAULT_OPTIONS.durationMs);
  });

  it('never adopts a run that fails with another checker', () => {
    const stub = stubRun((spec) => spec.schedule.length < 24, 'liveness');
    const failing = stubRun(() => true).run(specWith(big));
    const result = shrinkFailure(failing, { run: stub.run });
    expect(result.spec.schedule).toHaveLength(24);
  });

  it('stops at its run bound', () => {
    const stub = stubRun((spec) => spec.schedule.length % 2 === 0 && spec.schedule.length > 0);
    const result = shrinkFailure(stub.run(specWith(big)), { run: stub.run, runsMax: 5 });
    expect(result.runs).toBe(5);
    expect(result.exhausted).toBe(true);
  });

  it('pins leader crashes to the nodes they hit, then shrinks the plain crashes', () => {
    const aimed = (at: number): FaultEvent => ({ at, type: 'crash-leader', afterMs: 0, downMs: 100, torn: false });
    const schedule = [aimed(1_000), aimed(2_000), aimed(3_000), aimed(4_000)];
    // Each run says its leader crashes hit node 1 + (at / 1000) % 5; a removal re-aims the rest.
    const resolved = (spec: RunSpec) => spec.schedule.filter((event) => event.type === 'crash-leader')
      .map((event, index) => ({ at: event.at, node: 1 + (index % 5), downMs: 100, torn: false }));
    let runs = 0;
    const run = (spec: RunSpec): RunReport => {
      runs++;
      // Fails only when node 3 is crashed at 3000: the third leader crash, or its pinned form.
      const failed = spec.schedule.some((event) => event.at === 3_000 && event.type === 'crash' && event.node === 3)
        || resolved(spec).some((crash) => crash.at === 3_000 && crash.node === 3);
      return {
        spec, verdict: failed ? 'fail' : 'pass', sim: { leaderCrashes: resolved(spec), traceEvents: 0 } as never, verdicts: [], sometimes: null, failures: [],
        lin: null, operations: 0, failure: failed ? { checker: 'leader-completeness', time: 5_000, message: 'stub', witnesses: [] } : null,
      };
    };
    const result = shrinkFailure(run(specWith(schedule)), { run });
    // Unpinned, no leader crash can go (each removal re-aims the third); pinned, one crash is left.
    expect(result.spec.schedule).toEqual([crash(3_000, 3)]);
    expect(runs).toBeLessThan(40);
  });

  it('never takes a candidate whose trace is longer than the best so far', () => {
    // Each fault removed lengthens the run (the failure comes later): none may go.
    const stub = stubRun(() => true, 'election-safety', (spec) => 1_000 - 10 * spec.schedule.length);
    const result = shrinkFailure(stub.run(specWith(big)), { run: stub.run });
    expect(result.spec.schedule).toHaveLength(24);
    expect(result.traceEventsAfter).toBe(result.traceEventsBefore);
  });

  it('shortens the run itself while the failure holds: the safety phase and the clients\' work', () => {
    // The trace grows with the safety phase and the clients; the failure needs the crash at 3100.
    const length = (spec: RunSpec): number => spec.options.durationMs / 10 + 100 * spec.options.clients + spec.schedule.length;
    const stub = stubRun((spec) => has(spec, 3_100), 'linearizability', length, 200_000);
    const start = specWith(big);
    const result = shrinkFailure(stub.run(start), { run: stub.run });
    expect(result.spec.schedule.map((event) => event.at)).toEqual([3_100]);
    expect(result.clientsBefore).toBe(DEFAULT_OPTIONS.clients);
    expect(result.clientsAfter).toBe(1);
    expect(result.durationMsAfter).toBeLessThanOrEqual(3_200);
    expect(result.traceEventsAfter).toBeLessThan(result.traceEventsBefore / 10);
  });

  it('ends the safety phase right after a failure found in it', () => {
    const stub = stubRun((spec) => has(spec, 3_100), 'invariants', (spec) => spec.schedule.length, 4_321);
    const seen: RunSpec[] = [];
    shrinkFailure(stub.run(specWith(big)), { run: (spec) => { seen.push(spec); return stub.run(spec); } });
    // The first re-run: the same run up to the failure, the faults after it gone.
    expect(seen[0]?.options.durationMs).toBe(4_400);
    expect(seen[0]?.schedule.map((event) => event.at)).toEqual([100, 600, 1_100, 1_600, 2_100, 2_600, 3_100, 3_600, 4_100]);
  });

  it('saves a run stopped at a budget as it is, without a re-run', () => {
    const stub = stubRun(() => true, 'budget');
    const result = shrinkFailure(stub.run(specWith(big)), { run: stub.run });
    expect(stub.runs()).toBe(1);
    expect(result.spec.schedule).toHaveLength(24);
    expect(result.exhausted).toBe(false);
  });

  it('shrinks differentially: a candidate the reference fails is not taken', () => {
    // The mutant fails whenever the crash at 3100 happens; the reference fails too once the crash at 8100 is gone.
    const mutant = stubRun((spec) => has(spec, 3_100));
    const run = (spec: RunSpec): RunReport => (spec.bugs.length > 0 ? mutant.run(spec) : stubRun(() => !has(spec, 8_100)).run(spec));
    const failing = mutant.run({ ...specWith(big), bugs: ['vote-not-persisted'] });
    const plain = shrinkFailure(failing, { run, reference: null });
    expect(plain.mode).toBe('plain');
    expect(plain.spec.schedule.map((event) => event.at)).toEqual([3_100]);
    const differential = shrinkFailure(failing, { run });
    expect(differential.mode).toBe('differential');
    expect(differential.spec.schedule.map((event) => event.at)).toEqual([3_100, 8_100]);
    expect(differential.referenceRuns).toBeGreaterThan(1);
    // An original the reference fails too shrinks plainly, and says so.
    const hopeless = shrinkFailure(failing, { run, reference: (spec) => ({ ...referenceOf(spec), schedule: [] }) });
    expect(hopeless.mode).toBe('reference-fails-original');
    expect(hopeless.spec.schedule.map((event) => event.at)).toEqual([3_100]);
  });

  it('decides the default reference from the hooks: a mutant behind another implementation shrinks plainly', () => {
    const mutant = stubRun((spec) => has(spec, 3_100));
    const seen: { bugs: number; hooks: RunHooks }[] = [];
    const run = (spec: RunSpec, hooks: RunHooks): RunReport => {
      seen.push({ bugs: spec.bugs.length, hooks });
      return spec.bugs.length > 0 ? mutant.run(spec) : stubRun(() => false).run(spec);
    };
    const failing = mutant.run({ ...specWith(big), bugs: ['vote-not-persisted'] });
    const factory = (): never => { throw new Error('never called by a stub run'); };
    const other = shrinkFailure(failing, { run, hooks: { factory } });
    expect(other.mode).toBe('plain');
    expect(other.referenceRuns).toBe(0);
    // Every re-run got the implementation's hooks.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((call) => call.bugs > 0 && call.hooks.factory === factory)).toBe(true);
    seen.length = 0;
    const builtin = shrinkFailure(failing, { run });
    expect(builtin.mode).toBe('differential');
    expect(seen.every((call) => call.hooks.factory === undefined)).toBe(true);
    // An explicit reference runs with its own hooks, the failing side with its own.
    seen.length = 0;
    const referenceFactory = (): never => { throw new Error('never called by a stub run'); };
    const against = shrinkFailure(failing, { run, hooks: { factory }, reference: referenceOf, referenceHooks: { factory: referenceFactory } });
    expect(against.mode).toBe('differential');
    expect(seen.filter((call) => call.bugs === 0).every((call) => call.hooks.factory === referenceFactory)).toBe(true);
    expect(seen.filter((call) => call.bugs > 0).every((call) => call.hooks.factory === factory)).toBe(true);
    expect(seen.some((call) => call.bugs === 0)).toBe(true);
  });

  it('refuses a run that did not fail', () => {
    const stub = stubRun(() => false);
    expect(() => shrinkFailure(stub.run(specWith(big)))).toThrow(/failing run/);
  });
});

describe('shrinking real runs', () => {
  // Both shrank to longer traces than they started from before the shrinker kept no longer ones: 86 -> 516 events
  // (seed 1), and 636 -> 804 for count-duplicate-votes on seed 7, its first failing seed before the cluster
  // restart and flapping link regimes (then 33, and 43 since 33 draws client routing).
  it.each([
    ['1', 'vote-not-persisted', null],
    ['43', 'count-duplicate-votes', 20_000],
  ] as const)('seed %s with %s: the shrunk trace is no longer than the failing run\'s', (seed, bug, durationMs) => {
    const spec = specForSeed(seed, { preset: null, override: durationMs === null ? {} : { durationMs }, bugs: [bug as BugId], record: false });
    // Shrinking re-runs stop at the headline (untilHeadline): the lengths compared are those runs'.
    const failing = runSimulation({ ...spec, hash: true, untilHeadline: true });
    expect(failing.verdict).toBe('fail');
    const shrunk = shrinkFailure(failing);
    const rerun = runSimulation({ ...shrunk.spec, record: true, untilHeadline: true });
    expect(rerun.failure?.checker).toBe(failing.failure?.checker);
    expect(rerun.sim.traceEvents).toBe(shrunk.traceEventsAfter);
    expect(rerun.sim.traceEvents).toBeLessThanOrEqual(failing.sim.traceEvents);
    expect(shrunk.eventsAfter).toBeLessThan(shrunk.eventsBefore);
  });
});

describe('differential shrinking of a real mutant failure', () => {
  // No real case is known in this version. Since the leader ignores stale AppendEntries replies,
  // no plain shrink of a catalogued mutant failure was found to pass through a schedule the
  // correct core fails, at any run bound up to the full one: every mutant at seeds 1..500 (20 s),
  // and the seven nearest to liveness (no-stepdown-on-higher-term, no-prevote-no-checkquorum,
  // ae-accept-stale-term, election-timeout-not-randomized, matchindex-from-leader-state,
  // ae-truncate-without-conflict, ack-before-durable) also at seeds 501..2000 (20 s) and 1..500
  // (120 s). The old case (no-stepdown-on-higher-term, seed 71, where the correct core flooded the
  // network) no longer fails at all. So the correct side here is the correct core deliberately
  // weakened: PreVote and CheckQuorum off (and lease reads, which need CheckQuorum), nothing this
  // mutant (a leader's record of its followers' match indexes) touches.
  // matchindex-from-leader-state at seed 104 (20 s) fails by leader completeness. With 3 re-runs
  // plain shrinking cuts the safety phase short and drops faults, and lands on a schedule the
  // weakened core fails by liveness (with neither PreVote nor CheckQuorum, a node that cannot hear
  // the others keeps calling elections: what the full core must cope with, sim/faults.ts). The
  // full correct core passes it: no real false lead, only the mechanism on real runs. The
  // differential shrink never takes such a schedule. (The case moves with the swarm's draws: seed
  // 342 showed it, then 137, until the leader pause, moment crash and leader isolation regimes
  // changed those runs, 145 until swarm runs drew their time scale; a scan like the one above found 104.)
  const weakened = (spec: RunSpec): RunSpec => ({
    ...referenceOf(spec), options: mergeOptions(spec.options, { raft: { preVote: false, checkQuorum: false, leaseReads: false } }),
  });
  it('matchindex-from-leader-state, seed 104, against a weakened correct core: plain shrinking stops on a schedule the reference fails, differential does not', () => {
    const failing = runSimulation(huntSpec(104, 'matchindex-from-leader-state', { firstSeed: 104, lastSeed: 104, durationMs: 20_000 }));
    expect(failing.failure?.checker).toBe('leader-completeness');
    const run = (spec: RunSpec): RunReport => runSimulation({ ...spec, record: false });
    const plain = shrinkFailure(failing, { reference: null, runsMax: 3 });
    expect(plain.mode).toBe('plain');
    expect(plain.durationMsAfter).toBeLessThan(plain.durationMsBefore);
    expect(run(weakened(plain.spec)).failure?.checker).toBe('liveness');
    expect(run(referenceOf(plain.spec)).verdict).toBe('pass');
    // With the same 3 re-runs the differential shrink refuses that candidate; with 16 it shrinks
    // further, through schedules the weakened core passes only.
    const onlyPassing = (runsMax: number) => {
      const differential = shrinkFailure(failing, { reference: weakened, runsMax });
      expect(differential.mode).toBe('differential');
      expect(run(weakened(differential.spec)).verdict).toBe('pass');
      expect(run(differential.spec).failure?.checker).toBe('leader-completeness');
      return differential;
    };
    expect(onlyPassing(3).durationMsAfter).toBe(plain.durationMsBefore);
    const differential = onlyPassing(16);
    expect(differential.eventsAfter).toBeLessThan(differential.eventsBefore);
  }, 60_000);
});
