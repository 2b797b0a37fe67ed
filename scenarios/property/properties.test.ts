// Property tests over whole runs: for generated options, fault schedules and workloads, every
// checker passes. fast-check shrinks a failing schedule to a minimal one (the simulator's seed is
// never shrunk) and the counterexample is saved as a trace with its replay commands.
// CI runs a fixed, fast profile; RAFTSIM_RUNS and RAFTSIM_SEED set a longer or different run. The
// test names do not carry the seed, so they stay the same whatever the profile.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { optionsArbitrary, runCaseArbitrary } from './arbitraries.ts';
import { checkRun, EVERY_CHECKER_PASSES, PropertyFailure } from './counterexample.ts';
import { propertyProfile } from './profile.ts';

const profile = propertyProfile(process.env);

describe('properties of whole runs', () => {
  const anyRun = 'every checker passes under any fault schedule';
  test(anyRun, () => {
    fc.assert(fc.property(runCaseArbitrary(), (runCase) => checkRun(anyRun, runCase, EVERY_CHECKER_PASSES)),
      { numRuns: profile.numRuns, seed: profile.seed });
  });

  // Five nodes and three clients on one key: the durability and linearizability checkers see the most.
  const contended = 'every checker passes on five nodes contending for one key';
  const fiveNodes = optionsArbitrary(fc.record({ clients: fc.constant(3), keys: fc.constant(1) }))
    .filter((options) => options.nodes === 5);
  test(contended, () => {
    fc.assert(fc.property(runCaseArbitrary(fiveNodes), (runCase) => checkRun(contended, runCase, EVERY_CHECKER_PASSES)),
      { numRuns: Math.max(1, Math.floor(profile.numRuns / 2)), seed: profile.seed + 1 });
  });

  // The property has teeth: with a real Raft bug switched on it fails, and the failure carries the trace.
  test('the same property fails when the core retries a command twice (client-retry-no-dedup)', () => {
    const withBug = runCaseArbitrary().map((runCase) => ({ ...runCase, bugs: ['client-retry-no-dedup' as const] }));
    const details = fc.check(fc.property(withBug, (runCase) => checkRun('mutant client-retry-no-dedup', runCase, EVERY_CHECKER_PASSES)),
      { numRuns: 60, seed: 1 });
    expect(details.failed).toBe(true);
    expect(details.errorInstance).toBeInstanceOf(PropertyFailure);
    expect((details.errorInstance as Error).message).toMatch(/linearizability|state-machine-safety|durability/);
  });
});
