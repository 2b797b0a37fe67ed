// A runaway seed of a sweep ends as a verdict like any other: a `budget` failure that names the
// budget, its trace saved, nothing shrunk (every re-run would run away as long), the sweep goes on.
import { existsSync, rmSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { parseSimArguments } from '../cli/sim-args.ts';
import { BUDGET_CHECKER } from '../../sim/simulation.ts';
import { runSeed } from './seed.ts';

// Every run of this file gets a budget of 40 trace events: each seed is a runaway.
vi.mock('../run.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../run.ts')>();
  return { ...original, runSimulation: (spec: Parameters<typeof original.runSimulation>[0]) => original.runSimulation({ ...spec, budgets: { eventsMax: 40 } }) };
});

describe('runSeed', () => {
  it('reports a runaway seed as a budget failure with its trace saved, and does not shrink it', () => {
    const args = parseSimArguments(['--seeds', '3..4', '--time', '2s', '--json']);
    for (const seed of ['3', '4']) {
      const outcome = runSeed(seed, args);
      expect(outcome.result.verdict).toBe('fail');
      expect(outcome.result.checker).toBe(BUDGET_CHECKER);
      expect(outcome.result.message).toContain('budget of 40 trace events');
      expect(outcome.result.shrunk).toBeUndefined();
      expect(outcome.problem).toContain(BUDGET_CHECKER);
      const trace = outcome.result.trace;
      expect(trace).not.toBeNull();
      expect(existsSync(trace as string)).toBe(true);
      rmSync(trace as string, { force: true });
    }
  });
});
