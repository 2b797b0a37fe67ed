// Swarm options for a seed: each regime added later draws from its own stream, so a seed that does
// not select it keeps the options (and therefore the run) it had before the regime existed.
import { describe, expect, it } from 'vitest';
import { withDeterminismGuard } from './guard.ts';
import { runSimulation } from './run.ts';
import { optionsForSeed, specForSeed } from './spec.ts';
import {
  DEFAULT_OPTIONS, leaderChurn, mergeOptions, membershipChangesOn, swarmFlapping, swarmLeaderIsolation, swarmLeaderPauses, swarmLease, swarmMembership,
  SWARM_TICK_MS, swarmOptions, swarmRestarts, swarmTimescale, swarmTransfers,
} from '../sim/options.ts';
import type { SimOptions } from '../sim/options.ts';
import { generateSchedule } from '../sim/faults.ts';
import { huntSpec } from './mutants/hunt.ts';
import { RandomStreams } from '../sim/random.ts';

const seeds = Array.from({ length: 120 }, (_, index) => index + 1);

/** Whether a seed's swarm draw went through the leader isolation regime (drawn after the others in order, moment crashes aside). */
function leaderIsolated(seed: number): boolean {
  const streams = new RandomStreams(seed);
  const swarm = swarmOptions(streams.stream('swarm'), swarmTimescale(streams.stream('regime-timescale')), streams.stream('regime-stall'));
  const before = [
    (options: SimOptions) => swarmMembership(streams.stream('regime-membership'), options),
    (options: SimOptions) => leaderChurn(streams.stream('regime-leader-churn'), options),
    (options: SimOptions) => swarmLease(streams.stream('regime-lease'), options),
    (options: SimOptions) => swarmTransfers(streams.stream('regime-transfer'), options),
    (options: SimOptions) => swarmRestarts(streams.stream('regime-restart'), options),
    (options: SimOptions) => swarmFlapping(streams.stream('regime-flap'), options),
    (options: SimOptions) => swarmLeaderPauses(streams.stream('regime-leader-pause'), options),
  ].reduce((options, regime) => regime(options), swarm);
  return swarmLeaderIsolation(streams.stream('regime-leader-isolation'), before) !== before;
}

/**
 * Whether a seed's options went through the cluster restart, flapping link, leader isolation,
 * leader pause or moment crash regime (drawn last): the first two's eligibility reads only fields
 * the later ones leave alone, so asking it again of the final options gives the same selection;
 * the last two write fields of their own, which a selected seed's options hold.
 */
/**
 * The options without the held calls and client routing regimes (drawn after every other): each
 * only adds its own field (faults.pauseHoldsCalls, clientAnyNodeRatio) to the seeds it selects.
 */
function withoutCallRegimes(options: SimOptions): SimOptions {
  const { clientAnyNodeRatio: _ratio, ...rest } = options;
  const { pauseHoldsCalls: _held, ...faults } = options.faults;
  return { ...rest, faults };
}

function lateRegime(seed: number, options: SimOptions): boolean {
  const streams = new RandomStreams(seed);
  return swarmRestarts(streams.stream('regime-restart'), options) !== options
    || swarmFlapping(streams.stream('regime-flap'), options) !== options || leaderIsolated(seed)
    || (options.faults.leaderPauseIntervalMsMean ?? 0) > 0 || (options.faults.momentCrashIntervalMsMean ?? 0) > 0;
}

describe('the time scale of swarm runs', () => {
  it('draws every tick length of SWARM_TICK_MS, each run keeping its draw to the end', () => {
    const ticks = seeds.map((seed) => optionsForSeed(seed, null, {}).tickMs);
    expect([...new Set(ticks)].sort((a, b) => a - b)).toEqual([...new Set(SWARM_TICK_MS)].sort((a, b) => a - b));
    // Half the runs at the shortest tick: about 60 of 120, far from every run or none.
    const shortest = ticks.filter((tick) => tick === Math.min(...SWARM_TICK_MS)).length;
    expect(shortest).toBeGreaterThan(40);
    expect(shortest).toBeLessThan(80);
  });

  it('scales what is drawn in ticks: a seed at the default tick draws what the swarm drew before the time scale', () => {
    const atDefault = seeds.filter((seed) => optionsForSeed(seed, null, {}).tickMs === DEFAULT_OPTIONS.tickMs);
    expect(atDefault.length).toBeGreaterThan(10);
    for (const seed of atDefault.slice(0, 10)) {
      const streams = new RandomStreams(seed);
      expect(swarmOptions(streams.stream('swarm'), swarmTimescale(streams.stream('regime-timescale')), streams.stream('regime-stall')))
        .toEqual(swarmOptions(new RandomStreams(seed).stream('swarm'), DEFAULT_OPTIONS, new RandomStreams(seed).stream('regime-stall')));
    }
    // Elsewhere the election timeout and the network's delays follow the tick.
    for (const seed of seeds.filter((candidate) => !atDefault.includes(candidate)).slice(0, 20)) {
      const options = optionsForSeed(seed, null, {});
      expect(options.clientTimeoutMs % (options.raft.electionTicks * options.tickMs)).toBe(0);
      expect(options.network.delayMsMin).toBeLessThanOrEqual(options.tickMs / 10);
    }
  });
});

describe('optionsForSeed in swarm mode', () => {
  it('gives a seed outside the membership regime exactly the swarm draw', () => {
    let outside = 0;
    for (const seed of seeds) {
      const options = optionsForSeed(seed, null, { durationMs: 20_000 });
      if (membershipChangesOn(options.membership) || options.faults.leaderCrashIntervalMsMean > 0 || options.raft.leaseReads) continue;
      if (lateRegime(seed, options)) continue;
      outside++;
      const swarm = swarmOptions(new RandomStreams(seed).stream('swarm'), swarmTimescale(new RandomStreams(seed).stream('regime-timescale')), new RandomStreams(seed).stream('regime-stall'));
      expect(withoutCallRegimes(options)).toEqual(mergeOptions(swarm, { durationMs: 20_000 }));
    }
    // Twelve regimes in all: some seeds still select none of them.
    expect(outside).toBeGreaterThan(seeds.length / 12);
  });

  it('puts some seeds in the membership regime, with only the membership record and leader cuts changed', () => {
    const inside = seeds.filter((seed) => membershipChangesOn(optionsForSeed(seed, null, {}).membership));
    expect(inside.length).toBeGreaterThan(5);
    const plain = (options: SimOptions): boolean => options.faults.leaderCrashIntervalMsMean === 0 && !options.raft.leaseReads;
    for (const seed of inside.filter((candidate) => plain(optionsForSeed(candidate, null, {})) && !lateRegime(candidate, optionsForSeed(candidate, null, {})))) {
      const options = withoutCallRegimes(optionsForSeed(seed, null, {}));
      const swarm = swarmOptions(new RandomStreams(seed).stream('swarm'), swarmTimescale(new RandomStreams(seed).stream('regime-timescale')), new RandomStreams(seed).stream('regime-stall'));
      const { leaderCutIntervalMsMean, leaderCutAfterMsMax, leaderCutDurationMsMax } = swarm.faults;
      const faults = { ...options.faults, leaderCutIntervalMsMean, leaderCutAfterMsMax, leaderCutDurationMsMax };
      expect({ ...options, membership: swarm.membership, faults }).toEqual(swarm);
    }
  });

  it('lets an override switch the regime off, and presets never select it', () => {
    const seed = seeds.find((candidate) => membershipChangesOn(optionsForSeed(candidate, null, {}).membership)) as number;
    const off = optionsForSeed(seed, null, { membership: { changeIntervalMsMean: 0, changeAfterElectionRatio: 0, transferIntervalMsMean: 0 } });
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

const choices = { preset: null, override: { durationMs: 5_000 }, bugs: [], record: false } as const;

describe('the leader isolation regime', () => {
  it('selects some seeds outside the membership regime, whose schedules aim cuts at leaders', () => {
    const selected = seeds.filter(leaderIsolated);
    expect(selected.length).toBeGreaterThan(seeds.length / 20);
    for (const seed of selected) {
      const spec = specForSeed(String(seed), choices);
      expect(spec.options.faults.leaderCutIntervalMsMean).toBeGreaterThan(0);
    }
    const specs = selected.map((seed) => specForSeed(String(seed), choices));
    expect(specs.filter((spec) => spec.schedule.some((event) => event.type === 'cut-leader')).length).toBeGreaterThan(selected.length / 2);
    expect(specs.some((spec) => !membershipChangesOn(spec.options.membership))).toBe(true);
  });
});

describe('specForSeed and the leader churn regime', () => {
  it('keeps the options and schedule of seeds that do not select it', () => {
    let unselected = 0;
    for (let seed = 1; seed <= 90; seed++) {
      const spec = specForSeed(String(seed), choices);
      if (spec.options.faults.leaderCrashIntervalMsMean > 0) continue;
      // The lease and transfer regimes, drawn after it, change their seeds' options (sim/lease-regime.test.ts).
      if (spec.options.raft.leaseReads || (spec.options.membership.transferIntervalMsMean ?? 0) > 0) continue;
      if (lateRegime(seed, spec.options)) continue;
      unselected++;
      const streams = new RandomStreams(seed);
      const swarm = swarmOptions(streams.stream('swarm'), swarmTimescale(streams.stream('regime-timescale')), streams.stream('regime-stall'));
      const options = mergeOptions(swarmMembership(streams.stream('regime-membership'), swarm), choices.override);
      expect(withoutCallRegimes(spec.options)).toEqual(options);
      // Leader cuts (of the membership regime) come from their own stream and leave the rest alone.
      const uncut = mergeOptions(options, { faults: { leaderCutIntervalMsMean: 0 } });
      expect(spec.schedule.filter((event) => event.type !== 'cut-leader')).toEqual(generateSchedule(uncut, streams.stream('schedule')));
    }
    expect(unselected).toBeGreaterThan(20);
  });

  it('selects it in some seeds, whose schedules aim crashes at leaders', () => {
    const selected = Array.from({ length: 60 }, (_, index) => specForSeed(String(index + 1), choices))
      .filter((spec) => spec.options.faults.leaderCrashIntervalMsMean > 0);
    expect(selected.length).toBeGreaterThan(3);
    for (const spec of selected) expect(spec.schedule.some((event) => event.type === 'crash-leader')).toBe(true);
  });

  it('runs a selected seed the same way twice, its leader crashes resolved to the same nodes', () => {
    const seed = Array.from({ length: 60 }, (_, index) => index + 1)
      .find((candidate) => huntSpec(candidate, null, { firstSeed: 1, lastSeed: 1, durationMs: 5_000 }).options.faults.leaderCrashIntervalMsMean > 0);
    expect(seed).toBeDefined();
    const spec = huntSpec(seed as number, null, { firstSeed: 1, lastSeed: 1, durationMs: 5_000 });
    const first = runSimulation({ ...spec, hash: true });
    const second = runSimulation({ ...spec, hash: true });
    expect(first.sim.leaderCrashes.length).toBeGreaterThan(0);
    expect(second.sim.leaderCrashes).toEqual(first.sim.leaderCrashes);
    expect(second.sim.hash).toBe(first.sim.hash);
  });
});
