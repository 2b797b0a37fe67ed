// A seed whose worker runs out of memory (a runaway the run's own budgets did not bound) ends as an
// `unknown` verdict naming the memory budget, and the sweep goes on (issue 17, item 1).
import { describe, expect, it } from 'vitest';
import { parseSimArguments } from '../cli/sim-args.ts';
import { BUDGET_CHECKER } from '../../sim/simulation.ts';
import type { SeedOutcome } from './seed.ts';
import { isOutOfMemory, sweepOnPool } from './sweep.ts';

describe('a sweep worker out of memory', () => {
  it('gives its seed an unknown verdict that names the memory budget, and the sweep goes on', async () => {
    // Seed 2 over 600 simulated seconds needs more than 24 MB of heap; a worker starts in about 9.
    const args = parseSimArguments(['--seeds', '2..2', '--time', '600s']);
    const outcomes: SeedOutcome[] = [];
    await sweepOnPool({ first: 2, last: 2 }, args, 1, (outcome) => outcomes.push(outcome), new AbortController().signal, 16);
    expect(outcomes.map((outcome) => [outcome.result.seed, outcome.result.verdict, outcome.result.checker])).toEqual([['2', 'unknown', BUDGET_CHECKER]]);
    expect(outcomes[0]?.result.message).toContain('a heap of 16 MB');
    expect(outcomes[0]?.result.reproduce).toContain('--seed 2');
    expect(outcomes[0]?.problem).toMatch(/^seed 2 unknown: budget: /);
  }, 60_000);

  it('tells an out-of-memory worker from other errors', () => {
    expect(isOutOfMemory(Object.assign(new Error('Worker terminated due to reaching memory limit'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }))).toBe(true);
    expect(isOutOfMemory(new Error('boom'))).toBe(false);
    expect(isOutOfMemory('ERR_WORKER_OUT_OF_MEMORY')).toBe(false);
  });
});
