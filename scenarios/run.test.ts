import { describe, expect, it } from 'vitest';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

describe('runSimulation', () => {
  it('reports the simulated clients\' retries in the clientRetries sometimes counter', () => {
    // Seeds 2 and 5 at 2 s: the clients time out and retry (4 and 13 times), reads among them.
    for (const seed of ['2', '5']) {
      const report = runSimulation(specForSeed(seed, { preset: null, override: { durationMs: 2000 }, bugs: [], record: false }));
      expect(report.sim.counters.clients.retries).toBeGreaterThan(0);
      expect(report.sometimes?.clientRetries).toBe(report.sim.counters.clients.retries);
    }
  });
});
