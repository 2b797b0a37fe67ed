// Regression seeds of the liveness phase on the correct core: a leader that held office while
// clients drained must count towards "a leader held office with all work done" (3311, 17773), and
// no client reply is lost once the network is calm (4021 lost one read's reply four times running),
// and a node removed by its own uncommitted entry still campaigns (58073, 66805, 73851: the old
// leader held the only copy of its removal, and the others could not win without its vote).
import { describe, expect, it } from 'vitest';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

describe('the liveness phase settles on the correct core', () => {
  // Swarm seeds with a kept one-way cut whose clients drain late in the phase (1 s safety phase).
  it.each(['3311', '17773', '4021', '58073', '66805', '73851'])('seed %s at --time 1s passes', (seed) => {
    const spec = specForSeed(seed, { preset: null, override: { durationMs: 1_000 }, bugs: [], record: false });
    const report = runSimulation(spec);
    expect(report.failure).toBeNull();
    expect(report.verdict).toBe('pass');
  });
});
