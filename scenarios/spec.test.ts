// Swarm options for a seed: each regime added later draws from its own stream, so a seed that does
// not select it keeps the options (and therefore the run) it had before the regime existed.
import { describe, expect, it } from 'vitest';
import { withDeterminismGuard } from './guard.ts';
import { runSimulation } from './run.ts';
import { optionsForSeed, specForSeed } from './spec.ts';
import { DEFAULT_OPTIONS, mergeOptions, membershipChangesOn, swarmOptions } from '../sim/options.ts';
import { RandomStreams } from '../sim/random.ts';

const seeds = Array.from({ length: 80 }, (_, index) => index + 1);

describe('optionsForSeed in swarm mode', () => {
  it('gives a seed outside the membership regime exactly the swarm draw', () => {
    let outside = 0;
    for (const seed of seeds) {
      const options = optionsForSeed(seed, null, { durationMs: 20_000 });
      if (membershipChangesOn(options.membership)) continue;
      outside++;
      const swarm = swarmOptions(new RandomStreams(seed).stream('swarm'), DEFAULT_OPTIONS);
      expect(options).toEqual(mergeOptions(swarm, { durationMs: 20_000 }));
    }
    expect(outside).toBeGreaterThan(seeds.length / 2);
  });

  it('puts some seeds in the membership regime, with only the membership record changed', () => {
    const inside = seeds.filter((seed) => membershipChangesOn(optionsForSeed(seed, null, {}).membership));
    expect(inside.length).toBeGreaterThan(5);
    for (const seed of inside) {
      const options = optionsForSeed(seed, null, {});
      const swarm = swarmOptions(new RandomStreams(seed).stream('swarm'), DEFAULT_OPTIONS);
      expect({ ...options, membership: swarm.membership }).toEqual(swarm);
    }
  });

  it('lets an override switch the regime off, and presets never select it', () => {
    const seed = seeds.find((candidate) => membershipChangesOn(optionsForSeed(candidate, null, {}).membership)) as number;
    const off = optionsForSeed(seed, null, { membership: { changeIntervalMsMean: 0, changeAfterElectionRatio: 0 } });
    expect(membershipChangesOn(off.membership)).toBe(false);
    for (const candidate of seeds) expect(membershipChangesOn(optionsForSeed(candidate, 'default', {}).membership)).toBe(false);
  });

  it('runs a seed of the regime deterministically', () => {
    const seed = seeds.find((candidate) => membershipChangesOn(optionsForSeed(candidate, null, {}).membership)) as number;
    const hashOf = (): string | null => {
      const spec = specForSeed(String(seed), { preset: null, override: { durationMs: 20_000 }, bugs: [], record: false });
      return withDeterminismGuard(() => runSimulation({ ...spec, hash: true, linearizability: false })).sim.hash;
    };
    expect(hashOf()).toBe(hashOf());
  });
});
