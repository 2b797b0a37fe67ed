import { describe, expect, it } from 'vitest';
import { BUDGET_CHECKER } from '../../sim/simulation.ts';
import { huntMutant } from './hunt.ts';

describe('huntMutant', () => {
  it('passes over runaway runs (a budget failure) and goes on to the next seed', () => {
    // A budget of 5 trace events makes every run a runaway; the hunt must not stop or throw.
    const hunt = huntMutant(null, { firstSeed: 1, lastSeed: 3, durationMs: 1_000, budgets: { eventsMax: 5 } },
      (checker) => checker !== BUDGET_CHECKER);
    expect(hunt.failingSeed).toBeNull();
    expect(hunt.seedsTried).toBe(3);
    expect(hunt.passedOver).toEqual([1, 2, 3].map((seed) => ({ seed, checker: BUDGET_CHECKER })));
  });
});
