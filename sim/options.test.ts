import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  DEFAULT_OPTIONS, GENERATED_PARTITION_KINDS, MEMBERSHIP_LEADER_CUT_RATIO, MEMBERSHIP_NODES_MIN, MEMBERSHIP_REGIME_RATIO, MEMBERSHIP_OFF, NO_STALLS, PRESETS, PRESET_NAMES,
  CLUSTER_RESTART_REGIME_RATIO, FLAPPING_REGIME_RATIO, LEADER_ISOLATION_REGIME_RATIO, STALL_REGIME_RATIO, formatOptions,
  isPresetName, leaderChurn, membershipChangesOn, mergeOptions, swarmFlapping, swarmLeaderIsolation, swarmMembership, swarmOptions,
  swarmRestarts, TWO_NODE_ROUNDS, validateOptions,
} from './options.ts';
import type { SimOptions } from './options.ts';
import { createRng } from './random.ts';
import { selectedBy } from './regime-checks.ts';

/** A JSON copy of the defaults with one field changed by `edit`, as a trace header could hold. */
function edited(edit: (raw: Record<string, Record<string, unknown>>) => void): unknown {
  const raw = JSON.parse(JSON.stringify(DEFAULT_OPTIONS)) as Record<string, Record<string, unknown>>;
  edit(raw);
  return raw;
}

function section(raw: Record<string, Record<string, unknown>>, name: string): Record<string, unknown> {
  const value = raw[name];
  if (value === undefined) throw new Error(`no section ${name}`);
  return value;
}

describe('validateOptions', () => {
  it('accepts the defaults the design asks for', () => {
    expect(DEFAULT_OPTIONS.nodes).toBe(5);
    expect(DEFAULT_OPTIONS.clients).toBe(3);
    expect(DEFAULT_OPTIONS.keys).toBe(5);
    expect(DEFAULT_OPTIONS.durationMs).toBe(120_000);
    expect(DEFAULT_OPTIONS.tickMs).toBe(100);
    expect(DEFAULT_OPTIONS.raft.electionTicks).toBe(10);
  });

  it('round-trips through JSON and freezes the result', () => {
    const copy = validateOptions(JSON.parse(JSON.stringify(DEFAULT_OPTIONS)));
    expect(copy).toEqual(DEFAULT_OPTIONS);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(Object.isFrozen(copy.network)).toBe(true);
    expect(Object.isFrozen(copy.faults.partitionKinds)).toBe(true);
  });

  const cases: [string, (raw: Record<string, Record<string, unknown>>) => void, string][] = [
    ['nodes out of range', (raw) => { (raw as Record<string, unknown>)['nodes'] = 10; }, 'nodes must be an integer in 1..9 (got 10)'],
    ['nodes not an integer', (raw) => { (raw as Record<string, unknown>)['nodes'] = 2.5; }, 'nodes must be an integer in 1..9'],
    ['nodes as a string', (raw) => { (raw as Record<string, unknown>)['nodes'] = '5'; }, 'nodes must be an integer in 1..9 (got "5")'],
    ['clients too many', (raw) => { (raw as Record<string, unknown>)['clients'] = 65; }, 'clients must be an integer in 0..64'],
    ['delay range inverted', (raw) => { section(raw, 'network')['delayMsMin'] = 60; }, 'network.delayMsMax must be >= network.delayMsMin'],
    ['loss above 1', (raw) => { section(raw, 'network')['lossRatio'] = 1.5; }, 'network.lossRatio must be a number in [0, 1]'],
    ['duplicate NaN', (raw) => { section(raw, 'network')['duplicateRatio'] = Number.NaN; }, 'network.duplicateRatio must be a number in [0, 1]'],
    ['a misspelt field', (raw) => { section(raw, 'network')['delayMs'] = 3; }, 'unknown option network.delayMs'],
    ['a misspelt top field', (raw) => { (raw as Record<string, unknown>)['node'] = 3; }, 'unknown option node'],
    ['a missing section', (raw) => { delete (raw as Record<string, unknown>)['raft']; }, 'raft must be an object'],
    ['a missing field', (raw) => { delete section(raw, 'faults')['tornWriteRatio']; }, 'faults.tornWriteRatio must be a number in [0, 1] (got undefined)'],
    ['heartbeat not below election', (raw) => { section(raw, 'raft')['heartbeatTicks'] = 10; }, 'raft.heartbeatTicks must be < raft.electionTicks'],
    ['lease without quorum check', (raw) => { Object.assign(section(raw, 'raft'), { leaseReads: true, checkQuorum: false }); }, 'raft.leaseReads requires raft.checkQuorum'],
    ['preVote not boolean', (raw) => { section(raw, 'raft')['preVote'] = 1; }, 'raft.preVote must be true or false'],
    ['unknown partition kind', (raw) => { section(raw, 'faults')['partitionKinds'] = ['halves', 'moon']; }, 'faults.partitionKinds: unknown kind "moon"'],
    ['explicit is not drawable', (raw) => { section(raw, 'faults')['partitionKinds'] = ['explicit']; }, 'faults.partitionKinds: unknown kind "explicit"'],
    ['repeated partition kind', (raw) => { section(raw, 'faults')['partitionKinds'] = ['ring', 'ring']; }, 'faults.partitionKinds must not repeat a kind'],
    ['partitions on with no kind', (raw) => { section(raw, 'faults')['partitionKinds'] = []; }, 'faults.partitionKinds must not be empty when faults.partitionIntervalMsMean > 0'],
    ['liveness too short', (raw) => { (raw as Record<string, unknown>)['livenessMs'] = 1000; }, 'livenessMs must be >= 2 * raft.electionTicks * tickMs (2000)'],
    ['drift too large', (raw) => { (raw as Record<string, unknown>)['clockDriftRatioMax'] = 0.9; }, 'clockDriftRatioMax must be a number in [0, 0.5]'],
    ['membership ratio above 1', (raw) => { section(raw, 'membership')['changeAfterElectionRatio'] = 2; }, 'membership.changeAfterElectionRatio must be a number in [0, 1]'],
    ['membership interval negative', (raw) => { section(raw, 'membership')['changeIntervalMsMean'] = -1; }, 'membership.changeIntervalMsMean must be an integer'],
    ['a misspelt membership field', (raw) => { section(raw, 'membership')['intervalMs'] = 1; }, 'unknown option membership.intervalMs'],
    ['stall ratio above 1', (raw) => { section(raw, 'network')['stallRatio'] = 2; }, 'network.stallRatio must be a number in [0, 1]'],
    ['stall range inverted', (raw) => { Object.assign(section(raw, 'network'), { stallMsMin: 500, stallMsMax: 100 }); }, 'network.stallMsMax must be >= network.stallMsMin'],
    ['stalls of no length', (raw) => { section(raw, 'network')['stallRatio'] = 0.1; }, 'network.stallMsMax must be >= 1 when network.stallRatio > 0'],
    ['node stall ratio negative', (raw) => { section(raw, 'network')['stallNodeRatio'] = -0.5; }, 'network.stallNodeRatio must be a number in [0, 1]'],
  ];
  it.each(cases)('rejects %s with a message naming the field', (_name, edit, message) => {
    expect(() => validateOptions(edited(edit))).toThrow(message);
  });

  it('reads a record without membership (an older trace) as membership changes off', () => {
    const options = validateOptions(edited((raw) => { delete (raw as Record<string, unknown>)['membership']; }));
    expect(options.membership).toEqual(MEMBERSHIP_OFF);
    expect(membershipChangesOn(options.membership)).toBe(false);
    expect(membershipChangesOn({ changeIntervalMsMean: 0, changeAfterElectionRatio: 0.5 })).toBe(true);
    expect(membershipChangesOn({ changeIntervalMsMean: 100, changeAfterElectionRatio: 0 })).toBe(true);
  });

  it('reads a header written before stalls existed as stalls off', () => {
    const old = edited((raw) => {
      for (const key of ['stallRatio', 'stallMsMin', 'stallMsMax', 'stallNodeRatio']) delete section(raw, 'network')[key];
    });
    expect(validateOptions(old)).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS.network.stallRatio).toBe(0);
  });

  it('rejects something that is not an object', () => {
    expect(() => validateOptions(null)).toThrow('options must be an object');
    expect(() => validateOptions([])).toThrow('options must be an object');
  });

  it('puts partition kinds in canonical order', () => {
    const options = validateOptions(edited((raw) => { section(raw, 'faults')['partitionKinds'] = ['ring', 'halves']; }));
    expect(options.faults.partitionKinds).toEqual(['halves', 'ring']);
  });

  it('allows no partition kinds when partitions are off', () => {
    const options = validateOptions(edited((raw) => {
      Object.assign(section(raw, 'faults'), { partitionKinds: [], partitionIntervalMsMean: 0 });
    }));
    expect(options.faults.partitionKinds).toEqual([]);
  });
});

describe('mergeOptions', () => {
  it('overrides nested fields and keeps their siblings', () => {
    const merged = mergeOptions(DEFAULT_OPTIONS, { nodes: 3, durationMs: 5_000, network: { lossRatio: 0.5 } });
    expect(merged.nodes).toBe(3);
    expect(merged.durationMs).toBe(5_000);
    expect(merged.network.lossRatio).toBe(0.5);
    expect(merged.network.delayMsMax).toBe(DEFAULT_OPTIONS.network.delayMsMax);
    expect(merged.faults).toEqual(DEFAULT_OPTIONS.faults);
    expect(DEFAULT_OPTIONS.nodes).toBe(5);
  });

  it('validates the result', () => {
    expect(() => mergeOptions(DEFAULT_OPTIONS, { nodes: 0 })).toThrow('nodes must be an integer in 1..9');
    expect(() => mergeOptions(DEFAULT_OPTIONS, { network: { delayMsMax: 0 } })).toThrow('network.delayMsMax must be >= network.delayMsMin');
  });
});

describe('PRESETS', () => {
  function faultKindsOn(options: SimOptions): string[] {
    const { crashIntervalMsMean, partitionIntervalMsMean, pauseIntervalMsMean } = options.faults;
    return [
      ...(crashIntervalMsMean > 0 ? ['crash'] : []),
      ...(partitionIntervalMsMean > 0 ? ['partition'] : []),
      ...(pauseIntervalMsMean > 0 ? ['pause'] : []),
    ];
  }

  it('has every named preset, each valid', () => {
    for (const name of PRESET_NAMES) {
      expect(isPresetName(name)).toBe(true);
      expect(validateOptions(JSON.parse(JSON.stringify(PRESETS[name])))).toEqual(PRESETS[name]);
    }
    expect(isPresetName('nope')).toBe(false);
  });

  it('does what each name says', () => {
    expect(faultKindsOn(PRESETS.calm)).toEqual([]);
    expect(PRESETS.calm.network.lossRatio).toBe(0);
    expect(PRESETS.calm.network.duplicateRatio).toBe(0);
    expect(faultKindsOn(PRESETS.partitions)).toEqual(['partition']);
    expect(faultKindsOn(PRESETS.crashes)).toEqual(['crash']);
    expect(faultKindsOn(PRESETS.pauses)).toEqual(['pause']);
    expect(faultKindsOn(PRESETS['flaky-network'])).toEqual([]);
    expect(PRESETS['flaky-network'].network.lossRatio).toBeGreaterThan(DEFAULT_OPTIONS.network.lossRatio);
    expect(faultKindsOn(PRESETS.chaos)).toEqual(['crash', 'partition', 'pause']);
    expect(PRESETS.chaos.faults.faultyNodesMax).toBeGreaterThanOrEqual(PRESETS.chaos.nodes);
  });
});

describe('swarmOptions', () => {
  const seeds = Array.from({ length: 300 }, (_, seed) => seed);
  const drawn = seeds.map((seed) => swarmOptions(createRng(seed, 'options')));

  it('is deterministic for a seed and differs between seeds', () => {
    expect(swarmOptions(createRng(7, 'options'))).toEqual(swarmOptions(createRng(7, 'options')));
    const distinct = new Set(drawn.map((options) => JSON.stringify(options)));
    expect(distinct.size).toBeGreaterThan(290);
  });

  it('keeps the size of the run from the base', () => {
    const base = mergeOptions(DEFAULT_OPTIONS, { durationMs: 7_000, tickMs: 10 });
    const options = swarmOptions(createRng(3, 'options'), base);
    expect(options.durationMs).toBe(7_000);
    expect(options.tickMs).toBe(10);
    expect(options.raft.leaseReads).toBe(false);
  });

  it('gives a cluster of two nodes TWO_NODE_ROUNDS times the liveness phase, since each election needs both votes', () => {
    const twos = drawn.filter((options) => options.nodes === 2);
    const others = drawn.filter((options) => options.nodes !== 2);
    expect(twos.length).toBeGreaterThan(10);
    const phase = (options: SimOptions): number => Math.max(DEFAULT_OPTIONS.livenessMs, 4 * options.raft.electionTicks * options.tickMs);
    for (const options of twos) expect(options.livenessMs).toBe(TWO_NODE_ROUNDS * phase(options));
    for (const options of others) expect(options.livenessMs).toBe(phase(options));
    expect(TWO_NODE_ROUNDS).toBeGreaterThan(1);
  });

  it('covers different fault regimes across seeds', () => {
    const some = (predicate: (options: SimOptions) => boolean): boolean => drawn.some(predicate);
    expect(some((o) => o.network.lossRatio === 0)).toBe(true);
    expect(some((o) => o.network.lossRatio >= 0.1)).toBe(true);
    expect(some((o) => o.network.duplicateRatio === 0)).toBe(true);
    expect(some((o) => o.network.duplicateRatio >= 0.2)).toBe(true);
    expect(some((o) => o.faults.crashIntervalMsMean === 0)).toBe(true);
    expect(some((o) => o.faults.crashIntervalMsMean > 0 && o.faults.crashIntervalMsMean <= o.durationMs / 10)).toBe(true);
    expect(some((o) => o.faults.partitionIntervalMsMean > 0 && o.faults.partitionKinds.length === 1)).toBe(true);
    expect(some((o) => o.faults.faultyNodesMax >= o.nodes)).toBe(true);
    expect(some((o) => !o.raft.preVote && !o.raft.checkQuorum)).toBe(true);
    for (const kind of GENERATED_PARTITION_KINDS) {
      expect(some((o) => o.faults.partitionKinds.includes(kind))).toBe(true);
    }
    expect(new Set(drawn.map((o) => o.nodes)).size).toBeGreaterThanOrEqual(5);
  });

  it('draws stalls only from their own stream, so seeds without them keep every other draw', () => {
    let stalled = 0;
    for (const seed of seeds.slice(0, 100)) {
      const plain = swarmOptions(createRng(seed, 'options'));
      const withStalls = swarmOptions(createRng(seed, 'options'), DEFAULT_OPTIONS, createRng(seed, 'regime-stall'));
      expect(plain.network.stallRatio).toBe(0);
      expect({ ...withStalls, network: { ...withStalls.network, ...NO_STALLS } }).toEqual(plain);
      if (withStalls.network.stallRatio === 0) continue;
      stalled++;
      const electionMs = withStalls.raft.electionTicks * withStalls.tickMs;
      // Longer than an election timeout: what the ordinary delays never are.
      expect(withStalls.network.stallMsMin).toBeGreaterThanOrEqual(electionMs);
      expect(withStalls.network.stallMsMax).toBeGreaterThan(withStalls.network.stallMsMin);
    }
    expect(stalled).toBeGreaterThan(100 * STALL_REGIME_RATIO / 2);
    expect(stalled).toBeLessThan(100 * STALL_REGIME_RATIO * 2);
  });

  it('leaves time between faults for an election', () => {
    for (const options of drawn) {
      const electionMs = options.raft.electionTicks * options.tickMs;
      for (const mean of [options.faults.crashIntervalMsMean, options.faults.partitionIntervalMsMean, options.faults.pauseIntervalMsMean]) {
        expect(mean === 0 || mean >= 4 * electionMs).toBe(true);
      }
      expect(options.network.delayMsMax).toBeLessThanOrEqual(electionMs / 2);
    }
  });
});

describe('swarmMembership', () => {
  const seeds = Array.from({ length: 300 }, (_, seed) => seed);

  it('leaves a run that does not select it as it was, drawing only the selection', () => {
    let selected = 0;
    let cut = 0;
    for (const seed of seeds) {
      const options = swarmOptions(createRng(seed, 'options'));
      const rng = createRng(seed, 'regime');
      const drawn = swarmMembership(rng, options);
      if (drawn === options) {
        expect(membershipChangesOn(drawn.membership)).toBe(false);
        const probe = createRng(seed, 'regime');
        if (options.nodes >= MEMBERSHIP_NODES_MIN) probe.next();
        expect(rng.next()).toBe(probe.next());
        continue;
      }
      selected++;
      const { leaderCutIntervalMsMean, leaderCutAfterMsMax, leaderCutDurationMsMax } = options.faults;
      const faults = { ...drawn.faults, leaderCutIntervalMsMean, leaderCutAfterMsMax, leaderCutDurationMsMax };
      expect({ ...drawn, membership: options.membership, faults }).toEqual(options);
      expect(options.nodes).toBeGreaterThanOrEqual(MEMBERSHIP_NODES_MIN);
      expect(drawn.membership.changeAfterElectionRatio).toBeGreaterThan(0);
      if (drawn.faults.leaderCutIntervalMsMean > 0) cut++;
    }
    // Leader cuts in their share of the runs of the regime, never outside it.
    expect(cut / selected).toBeGreaterThan(MEMBERSHIP_LEADER_CUT_RATIO - 0.2);
    expect(cut / selected).toBeLessThan(Math.min(1, MEMBERSHIP_LEADER_CUT_RATIO + 0.2));
    const eligible = seeds.filter((seed) => swarmOptions(createRng(seed, 'options')).nodes >= MEMBERSHIP_NODES_MIN).length;
    expect(selected / eligible).toBeGreaterThan(MEMBERSHIP_REGIME_RATIO - 0.15);
    expect(selected / eligible).toBeLessThan(MEMBERSHIP_REGIME_RATIO + 0.15);
  });

  it('with leader cuts: a change after every election, cuts lasting some election timeouts, in bursts apart', () => {
    const cutRuns = seeds.map((seed) => swarmMembership(createRng(seed, 'regime'), swarmOptions(createRng(seed, 'options'))))
      .filter((options) => options.faults.leaderCutIntervalMsMean > 0);
    expect(cutRuns.length).toBeGreaterThan(10);
    for (const options of cutRuns) {
      const electionMs = options.raft.electionTicks * options.tickMs;
      expect(options.membership.changeAfterElectionRatio).toBe(1);
      expect(options.faults.leaderCutDurationMsMax).toBeGreaterThanOrEqual(2 * electionMs);
      expect(options.faults.leaderCutIntervalMsMean).toBeGreaterThanOrEqual(4 * electionMs);
      expect(options.faults.leaderCutAfterMsMax).toBeLessThanOrEqual(Math.max(options.tickMs, options.network.delayMsMax));
    }
  });

    it('is deterministic and never selects a cluster too small to change', () => {
    const options = swarmOptions(createRng(9, 'options'));
    expect(swarmMembership(createRng(4, 'regime'), options)).toEqual(swarmMembership(createRng(4, 'regime'), options));
    const small = mergeOptions(options, { nodes: MEMBERSHIP_NODES_MIN - 1 });
    for (const seed of seeds) expect(swarmMembership(createRng(seed, 'regime'), small)).toBe(small);
  });
});

describe('leaderChurn', () => {
  const counting = (seed: number): { rng: ReturnType<typeof createRng>; draws: () => number } => {
    const rng = createRng(seed, 'regime');
    let draws = 0;
    const counted = Object.create(rng) as typeof rng;
    counted.next = () => { draws++; return rng.next(); };
    counted.int = (n) => { draws++; return rng.int(n); };
    counted.range = (a, b) => { draws++; return rng.range(a, b); };
    counted.chance = (ratio) => { draws++; return rng.chance(ratio); };
    return { rng: counted, draws: () => draws };
  };

  it('leaves the options of a seed that does not select it untouched, the very same record', () => {
    let unselected = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const options = mergeOptions(DEFAULT_OPTIONS, { nodes: 5 });
      const { rng, draws } = counting(seed);
      const churned = leaderChurn(rng, options);
      if (churned.faults.leaderCrashIntervalMsMean > 0) continue;
      unselected++;
      expect(churned).toBe(options);
      expect(draws()).toBe(1);
    }
    expect(unselected).toBeGreaterThan(20);
  });

  it('draws nothing and changes nothing for clusters of fewer than three nodes', () => {
    for (const nodes of [1, 2]) {
      const options = mergeOptions(DEFAULT_OPTIONS, { nodes });
      const { rng, draws } = counting(nodes);
      expect(leaderChurn(rng, options)).toBe(options);
      expect(draws()).toBe(0);
    }
  });

  it('when selected: leader crashes on, one-entry appends, one in flight, and at least four clients', () => {
    const selected = Array.from({ length: 200 }, (_, seed) => leaderChurn(createRng(seed, 'regime'), mergeOptions(DEFAULT_OPTIONS, { nodes: 3, clients: 1 })))
      .filter((options) => options.faults.leaderCrashIntervalMsMean > 0);
    expect(selected.length).toBeGreaterThan(20);
    expect(selected.length).toBeLessThan(100);
    for (const options of selected) {
      expect(options.raft.maxEntriesPerMessage).toBe(1);
      expect(options.raft.maxInflightMessages).toBe(1);
      expect(options.clients).toBeGreaterThanOrEqual(4);
      expect(options.raft.heartbeatTicks).toBeLessThan(options.raft.electionTicks);
      expect(options.faults.leaderCrashIntervalMsMean).toBeLessThanOrEqual(options.raft.electionTicks * options.tickMs);
    }
  });

  it('reads options written before leader crashes existed as leader crashes off', () => {
    const old = edited((raw) => {
      delete section(raw, 'faults')['leaderCrashIntervalMsMean'];
      delete section(raw, 'faults')['leaderCrashAfterMsMax'];
    });
    expect(validateOptions(old).faults).toEqual(DEFAULT_OPTIONS.faults);
    expect(DEFAULT_OPTIONS.faults.leaderCrashIntervalMsMean).toBe(0);
    expect(() => validateOptions(edited((raw) => { section(raw, 'faults')['leaderCrashAfterMsMax'] = -1; })))
      .toThrow('faults.leaderCrashAfterMsMax must be an integer in 0..');
  });
});

describe('swarmRestarts and swarmFlapping', () => {
  const seeds = Array.from({ length: 300 }, (_, seed) => seed);
  const options = mergeOptions(DEFAULT_OPTIONS, { clockDriftRatioMax: 0.05 });
  const electionMs = options.raft.electionTicks * options.tickMs;

  it('restart whole clusters in their share of seeds, by power losses, rolling restarts or both', () => {
    const selected = selectedBy(swarmRestarts, seeds, () => options).map(({ after }) => after);
    expect(selected.length / seeds.length).toBeCloseTo(CLUSTER_RESTART_REGIME_RATIO, 1);
    for (const record of selected) {
      const { powerLossIntervalMsMean = 0, rollingRestartIntervalMsMean = 0 } = record.faults;
      expect(powerLossIntervalMsMean + rollingRestartIntervalMsMean).toBeGreaterThan(0);
      for (const meanMs of [powerLossIntervalMsMean, rollingRestartIntervalMsMean].filter((value) => value > 0)) {
        expect(meanMs).toBeGreaterThanOrEqual(5 * electionMs);
      }
      expect({ ...record, clockDriftRatioMax: options.clockDriftRatioMax, faults: options.faults }).toEqual(options);
    }
    // Some with both kinds, some whose clocks do not drift, so restarted timers tick in step.
    expect(selected.some((record) => (record.faults.powerLossIntervalMsMean ?? 0) > 0 && (record.faults.rollingRestartIntervalMsMean ?? 0) > 0)).toBe(true);
    expect(selected.filter((record) => record.clockDriftRatioMax === 0).length).toBeGreaterThan(selected.length / 4);
    expect(swarmRestarts(createRng(1, 'regime'), mergeOptions(options, { nodes: 1 }))).toEqual(mergeOptions(options, { nodes: 1 }));
  });

  it('flap links within a couple of election timeouts in their share of seeds, never with leader cuts', () => {
    const selected = selectedBy(swarmFlapping, seeds, () => options).map(({ after }) => after);
    expect(selected.length / seeds.length).toBeCloseTo(FLAPPING_REGIME_RATIO, 1);
    for (const record of selected) {
      expect(record.faults.partitionIntervalMsMean).toBeLessThanOrEqual(2 * electionMs);
      expect(record.faults.partitionDurationMsMax).toBeLessThanOrEqual(2 * electionMs);
      expect(record.faults.partitionKinds).toEqual(options.faults.partitionKinds);
    }
    const cut = mergeOptions(options, { faults: { leaderCutIntervalMsMean: 4 * electionMs } });
    for (const seed of seeds.slice(0, 20)) expect(swarmFlapping(createRng(seed, 'regime'), cut)).toBe(cut);
  });

  it('write the restart fields only when on, so records without them read as before', () => {
    expect(Object.keys(DEFAULT_OPTIONS.faults)).not.toContain('powerLossIntervalMsMean');
    const off = mergeOptions(DEFAULT_OPTIONS, { faults: { powerLossIntervalMsMean: 0, rollingRestartIntervalMsMean: 0 } });
    expect(off).toEqual(DEFAULT_OPTIONS);
    expect(() => mergeOptions(DEFAULT_OPTIONS, { faults: { rollingRestartIntervalMsMean: -1 } }))
      .toThrow('faults.rollingRestartIntervalMsMean must be an integer in 0..');
  });
});

describe('swarmLeaderIsolation', () => {
  const seeds = Array.from({ length: 300 }, (_, seed) => seed);
  const options = DEFAULT_OPTIONS;
  const electionMs = options.raft.electionTicks * options.tickMs;

  it('cuts leaders off in its share of seeds, within a heartbeat of their election, with writes to take and logs compacted', () => {
    const selected = selectedBy(swarmLeaderIsolation, seeds, () => options).map(({ after }) => after);
    expect(selected.length / seeds.length).toBeCloseTo(LEADER_ISOLATION_REGIME_RATIO, 1);
    for (const record of selected) {
      const { leaderCutIntervalMsMean, leaderCutAfterMsMax, leaderCutDurationMsMax } = record.faults;
      expect(leaderCutIntervalMsMean).toBeGreaterThanOrEqual(electionMs);
      expect(leaderCutDurationMsMax).toBeGreaterThanOrEqual(2 * electionMs);
      expect(leaderCutAfterMsMax).toBeLessThanOrEqual(options.tickMs * options.raft.heartbeatTicks);
      expect(record.clients).toBeGreaterThanOrEqual(Math.max(3, options.clients));
      // Nothing else changes: no leader crashes, the same network and Raft knobs.
      expect([options.snapshotEveryEntries, 5, 10, 20]).toContain(record.snapshotEveryEntries);
      expect({ ...record, clients: options.clients, snapshotEveryEntries: options.snapshotEveryEntries, faults: { ...record.faults, leaderCutIntervalMsMean: 0, leaderCutAfterMsMax: 0, leaderCutDurationMsMax: 1 } })
        .toEqual(options);
    }
    // Some cut within a network delay of the election (before the first entries land), some up to a heartbeat.
    const afters = new Set(selected.map((record) => record.faults.leaderCutAfterMsMax));
    expect(afters.has(options.network.delayMsMax)).toBe(true);
    expect(afters.has(options.tickMs * options.raft.heartbeatTicks)).toBe(true);
    // Most compact often, so a cut leader comes back to a log compacted past its own.
    const compacting = selected.filter((record) => record.snapshotEveryEntries <= 20).length;
    expect(compacting / selected.length).toBeGreaterThan(0.6);
    expect(compacting / selected.length).toBeLessThan(0.9);
  });

  it('leaves small clusters, leader cuts already drawn and flapping links alone', () => {
    const excluded = [
      mergeOptions(options, { nodes: 2 }),
      mergeOptions(options, { faults: { leaderCutIntervalMsMean: 4 * electionMs } }),
      mergeOptions(options, { faults: { partitionIntervalMsMean: electionMs } }),
    ];
    for (const record of excluded) {
      for (const seed of seeds.slice(0, 30)) expect(swarmLeaderIsolation(createRng(seed, 'regime'), record)).toBe(record);
    }
  });
});

describe('formatOptions', () => {
  function parse(lines: readonly string[]): Map<string, string> {
    const fields = new Map<string, string>();
    for (const line of lines) {
      for (const token of line.split(/\s+/).slice(1)) {
        const [key, value] = token.split('=');
        if (key === undefined || value === undefined) throw new Error(`bad token ${token}`);
        expect(fields.has(key)).toBe(false);
        fields.set(key, value);
      }
    }
    return fields;
  }

  test.prop([fc.integer({ min: 0, max: 1_000_000 })])('prints every field once with its value', (seed) => {
    const options = swarmMembership(createRng(seed, 'regime'), swarmOptions(createRng(seed, 'options')));
    const printed = parse(formatOptions(options));
    const leaves = [
      ...Object.entries(options).filter(([, value]) => typeof value !== 'object'),
      ...Object.entries(options.raft), ...Object.entries(options.network), ...Object.entries(options.faults),
      ...Object.entries(options.membership),
    ];
    expect(printed.size).toBe(leaves.length);
    for (const [key, value] of leaves) {
      expect(printed.get(key)).toBe(Array.isArray(value) ? value.join(',') : String(value));
    }
  });
});
