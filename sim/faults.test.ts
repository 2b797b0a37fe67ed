import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { LEADER_CUT_BURST, compareFaults, describeFault, generateSchedule, leaderCutSide, pinLeaderCrashes, validateSchedule } from './faults.ts';
import type { FaultEvent } from './faults.ts';
import {
  DEFAULT_OPTIONS, GENERATED_PARTITION_KINDS, LEADER_CHURN_RATIO, PRESETS, leaderChurn, leaseBounds, mergeOptions, swarmOptions,
} from './options.ts';
import type { GeneratedPartitionKind, SimOptions } from './options.ts';
import { connectedQuorum } from './partitions.ts';
import { createRng } from './random.ts';

function schedule(options: SimOptions, seed: number): FaultEvent[] {
  return generateSchedule(options, createRng(seed, 'faults'));
}

type NodeState = 'up' | 'crashed' | 'paused';

/**
 * Replays a schedule strictly: every transition must apply (crash or pause a running node,
 * restart a crashed one, resume a paused one, partition a whole network, heal a partition), the
 * fault budget must hold, and each fault must end within its bound. Returns the end state.
 */
function replayStrictly(options: SimOptions, events: readonly FaultEvent[],
  budget = Math.min(options.faults.faultyNodesMax, options.nodes)): { nodes: NodeState[]; partitioned: boolean } {
  const nodes: NodeState[] = Array.from({ length: options.nodes }, () => 'up');
  const startedAt = new Map<string, number>();
  let partitioned = false;
  const expectState = (node: number, state: NodeState, next: NodeState): void => {
    expect(nodes[node - 1]).toBe(state);
    nodes[node - 1] = next;
  };
  const ended = (key: string, at: number, boundMs: number): void => {
    expect(at - (startedAt.get(key) ?? Number.NaN)).toBeLessThanOrEqual(boundMs);
    expect(at - (startedAt.get(key) ?? Number.NaN)).toBeGreaterThan(0);
  };
  for (const event of events) {
    expect(event.at).toBeGreaterThanOrEqual(0);
    expect(event.at).toBeLessThan(options.durationMs);
    if (event.type === 'partition') { expect(partitioned).toBe(false); partitioned = true; startedAt.set('net', event.at); }
    if (event.type === 'heal') { expect(partitioned).toBe(true); partitioned = false; ended('net', event.at, options.faults.partitionDurationMsMax); }
    if (event.type === 'crash') { expectState(event.node, 'up', 'crashed'); startedAt.set(`n${event.node}`, event.at); }
    if (event.type === 'restart') { expectState(event.node, 'crashed', 'up'); ended(`n${event.node}`, event.at, options.faults.restartDelayMsMax); }
    if (event.type === 'pause') { expectState(event.node, 'up', 'paused'); startedAt.set(`n${event.node}`, event.at); }
    if (event.type === 'resume') { expectState(event.node, 'paused', 'up'); ended(`n${event.node}`, event.at, options.faults.pauseDurationMsMax); }
    expect(nodes.filter((state) => state !== 'up').length).toBeLessThanOrEqual(budget);
  }
  return { nodes, partitioned };
}

describe('generateSchedule', () => {
  test.prop([fc.integer({ min: 0, max: 1_000_000 })])('is deterministic, sorted, valid and balanced for swarm options', (seed) => {
    const options = swarmOptions(createRng(seed, 'options'));
    const events = schedule(options, seed);
    expect(events).toEqual(schedule(options, seed));
    expect(validateSchedule(events, options.nodes)).toEqual(events);
    expect([...events].sort(compareFaults)).toEqual(events);
    const safety = events.filter((event) => event.at < options.durationMs);
    expect(replayStrictly(options, safety)).toEqual({ nodes: Array.from({ length: options.nodes }, () => 'up'), partitioned: false });
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    // At most one partition is kept through the liveness phase, and a correct cluster can live with it.
    const kept = events.slice(safety.length);
    expect(kept.length).toBeLessThanOrEqual(1);
    for (const event of kept) {
      expect(event.at).toBe(options.durationMs);
      expect(options.raft.preVote && options.raft.checkQuorum).toBe(true);
      if (event.type !== 'partition') throw new Error(`kept ${event.type}, not a partition`);
      expect(connectedQuorum(event.cut, options.nodes)).not.toBeNull();
    }
  });

  it('keeps a deaf node through the liveness phase in some runs, only with PreVote and CheckQuorum', () => {
    const withBoth = mergeOptions(DEFAULT_OPTIONS, { raft: { preVote: true, checkQuorum: true } });
    const withoutPreVote = mergeOptions(DEFAULT_OPTIONS, { raft: { preVote: false, checkQuorum: true } });
    const keptOf = (options: SimOptions, seed: number): FaultEvent[] => schedule(options, seed).filter((event) => event.at === options.durationMs);
    const kept = Array.from({ length: 40 }, (_, seed) => keptOf(withBoth, seed)).flat();
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(35);
    for (const event of kept) {
      if (event.type !== 'partition') throw new Error(`kept ${event.type}, not a partition`);
      // One node hears nobody; every other link works.
      const deaf = new Set(event.cut.map(([, to]) => to));
      expect(deaf.size).toBe(1);
      expect(event.cut).toHaveLength(withBoth.nodes - 1);
    }
    expect(Array.from({ length: 40 }, (_, seed) => keptOf(withoutPreVote, seed)).flat()).toEqual([]);
  });

  it('differs between seeds', () => {
    const drawn = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(schedule(DEFAULT_OPTIONS, seed))));
    expect(drawn.size).toBe(20);
  });

  it('draws nothing for a calm run', () => {
    expect(schedule(PRESETS.calm, 1)).toEqual([]);
  });

  it('draws only the kinds of faults switched on', () => {
    const types = (options: SimOptions): Set<string> => new Set(schedule(options, 3).map((event) => event.type));
    expect(types(PRESETS.crashes)).toEqual(new Set(['crash', 'restart']));
    expect(types(PRESETS.partitions)).toEqual(new Set(['partition', 'heal']));
    expect(types(PRESETS.pauses)).toEqual(new Set(['pause', 'resume']));
  });

  it('spaces faults by the mean interval (a Poisson process)', () => {
    const options = mergeOptions(DEFAULT_OPTIONS, {
      durationMs: 1_000_000,
      faults: { crashIntervalMsMean: 1_000, restartDelayMsMax: 1, pauseIntervalMsMean: 0, partitionIntervalMsMean: 0, faultyNodesMax: 9 },
    });
    const crashes = schedule(options, 5).filter((event) => event.type === 'crash').length;
    expect(crashes).toBeGreaterThan(900);
    expect(crashes).toBeLessThan(1_100);
  });

  it('never faults more nodes at once than the budget, and none with a budget of 0', () => {
    const base = { crashIntervalMsMean: 500, pauseIntervalMsMean: 500, restartDelayMsMax: 20_000, pauseDurationMsMax: 20_000 };
    for (const faultyNodesMax of [0, 1, 2, 5]) {
      const options = mergeOptions(DEFAULT_OPTIONS, { faults: { ...base, faultyNodesMax } });
      const events = schedule(options, faultyNodesMax);
      replayStrictly(options, events);
      expect(events.some((event) => event.type === 'crash')).toBe(faultyNodesMax > 0);
    }
  });

  it('tears crashes by the torn ratio', () => {
    const torn = (tornWriteRatio: number): boolean[] => schedule(mergeOptions(PRESETS.crashes, { faults: { tornWriteRatio } }), 2)
      .flatMap((event) => (event.type === 'crash' ? [event.torn] : []));
    expect(torn(0)).not.toContain(true);
    expect(torn(1)).not.toContain(false);
    expect(torn(0.5)).toContain(true);
    expect(torn(0.5)).toContain(false);
  });

  it('draws every enabled partition kind over some seeds, and no other', () => {
    for (const enabled of [GENERATED_PARTITION_KINDS, ['ring', 'asymmetric'] as GeneratedPartitionKind[]]) {
      const options = mergeOptions(PRESETS.partitions, { faults: { partitionKinds: enabled } });
      const seen = new Set<string>();
      for (let seed = 0; seed < 10; seed++) {
        for (const event of schedule(options, seed)) if (event.type === 'partition') seen.add(event.kind);
      }
      expect([...seen].sort()).toEqual([...enabled].sort());
    }
  });

  it('ends some runs with a power failure: every node crashes at once, all restart at the same instant', () => {
    const options = mergeOptions(PRESETS.crashes, { nodes: 5, faults: { faultyNodesMax: 5 } });
    const powerFailures = (seed: number): FaultEvent[] => {
      const events = schedule(options, seed);
      replayStrictly(options, events);
      const lastRestarts = events.filter((event) => event.type === 'restart' && event.at === options.durationMs - 1);
      return lastRestarts.length === options.nodes ? events : [];
    };
    const seeds = Array.from({ length: 40 }, (_, seed) => seed);
    const hit = seeds.map(powerFailures).filter((events) => events.length > 0);
    expect(hit.length).toBeGreaterThan(5);
    expect(hit.length).toBeLessThan(35);
    for (const events of hit) {
      const crashAt = events.filter((event) => event.type === 'crash').at(-1)?.at;
      expect(events.filter((event) => event.type === 'crash' && event.at === crashAt).length).toBe(options.nodes);
    }
    // Never beyond the budget: with room for two nodes only, no run crashes them all.
    const budgeted = mergeOptions(options, { faults: { faultyNodesMax: 2 } });
    for (const seed of seeds) replayStrictly(budgeted, schedule(budgeted, seed));
  });

  it('draws no partition for a single node and nothing for a zero-length phase', () => {
    expect(schedule(mergeOptions(PRESETS.partitions, { nodes: 1 }), 1)).toEqual([]);
    expect(schedule(mergeOptions(PRESETS.chaos, { durationMs: 0 }), 1)).toEqual([]);
  });
});

describe('cluster restarts', () => {
  const base = mergeOptions(PRESETS.calm, { nodes: 5, durationMs: 60_000, faults: { restartDelayMsMax: 2_000, tornWriteRatio: 0.5 } });
  const draw = (options: SimOptions, seed: number): FaultEvent[] =>
    generateSchedule(options, createRng(seed, 'faults'), createRng(seed, 'leader'), createRng(seed, 'cuts'), createRng(seed, 'restarts'));
  const instants = (events: readonly FaultEvent[], type: FaultEvent['type']): number[][] => {
    const byAt = new Map<number, number[]>();
    for (const event of events) if (event.type === type && 'node' in event) byAt.set(event.at, [...byAt.get(event.at) ?? [], event.node]);
    return [...byAt.values()];
  };
  const seeds = Array.from({ length: 20 }, (_, index) => index + 1);

  it('in a power loss take every node down at one instant and bring all back at another', () => {
    const options = mergeOptions(base, { faults: { powerLossIntervalMsMean: 10_000 } });
    let losses = 0;
    for (const seed of seeds) {
      const events = draw(options, seed);
      replayStrictly(options, events, options.nodes);
      for (const type of ['crash', 'restart'] as const) {
        for (const nodes of instants(events, type)) expect(nodes.sort()).toEqual([1, 2, 3, 4, 5]);
      }
      losses += instants(events, 'crash').length;
      // Some nodes keep a torn tail, others none.
      expect(new Set(events.filter((event) => event.type === 'crash').map((event) => event.type === 'crash' && event.torn)).size)
        .toBe(instants(events, 'crash').length > 0 ? 2 : 0);
    }
    // About six losses a run (60 s, one every 10 s on average, each down up to 2 s).
    expect(losses).toBeGreaterThan(3 * seeds.length);
    expect(losses).toBeLessThan(8 * seeds.length);
  });

  it('in a rolling restart take the nodes down one at a time, each once a round', () => {
    const options = mergeOptions(base, { faults: { rollingRestartIntervalMsMean: 10_000 } });
    for (const seed of seeds) {
      const events = draw(options, seed);
      replayStrictly(options, events, 1);
      const crashed = events.flatMap((event) => event.type === 'crash' ? [event.node] : []);
      // The first round is whole unless the phase ends first.
      if (crashed.length >= options.nodes) expect(new Set(crashed.slice(0, options.nodes)).size).toBe(options.nodes);
      expect(crashed.length).toBeGreaterThan(0);
    }
  });

  it('replace the node faults they overlap, so every node\'s faults stay paired and within bounds', () => {
    const options = mergeOptions(PRESETS.chaos, { faults: { powerLossIntervalMsMean: 8_000, rollingRestartIntervalMsMean: 8_000 } });
    for (const seed of seeds) {
      const events = draw(options, seed);
      const safety = events.filter((event) => event.at < options.durationMs);
      expect(replayStrictly(options, safety, options.nodes).nodes.every((state) => state === 'up')).toBe(true);
    }
  });

  it('are drawn from their own stream: off, the schedule is the one drawn without them', () => {
    const options = PRESETS.chaos;
    const on = mergeOptions(options, { faults: { powerLossIntervalMsMean: 8_000 } });
    for (const seed of seeds.slice(0, 5)) {
      expect(draw(options, seed)).toEqual(generateSchedule(options, createRng(seed, 'faults'), createRng(seed, 'leader'), createRng(seed, 'cuts')));
      const partitions = (events: FaultEvent[]): FaultEvent[] => events.filter((event) => event.type === 'partition' || event.type === 'heal');
      expect(partitions(draw(on, seed))).toEqual(partitions(draw(options, seed)));
    }
  });

  it('keep every node down a whole lease under lease reads', () => {
    const options = mergeOptions(base, {
      clockDriftRatioMax: 0.01, raft: { electionTicks: 20, checkQuorum: true, leaseReads: true }, livenessMs: 60_000,
      faults: { powerLossIntervalMsMean: 8_000, rollingRestartIntervalMsMean: 8_000, restartDelayMsMax: 1 },
    });
    const restartMsMin = leaseBounds(options).restartMsMin;
    for (const seed of seeds) {
      const downAt = new Map<number, number>();
      for (const event of draw(options, seed)) {
        if (event.type === 'crash') downAt.set(event.node, event.at);
        if (event.type === 'restart') expect(event.at - (downAt.get(event.node) ?? Number.NaN)).toBeGreaterThanOrEqual(restartMsMin);
      }
    }
  });
});

describe('validateSchedule', () => {
  const good: FaultEvent[] = [
    { at: 0, type: 'partition', kind: 'explicit', cut: [[1, 2], [2, 1]] },
    { at: 10, type: 'crash', node: 3, torn: true },
    { at: 10, type: 'heal' },
    { at: 20.5, type: 'restart', node: 3 },
  ];

  it('accepts a well-formed schedule and returns a copy', () => {
    const copy = validateSchedule(JSON.parse(JSON.stringify(good)), 3);
    expect(copy).toEqual(good);
    expect(copy).not.toBe(good);
  });

  it('accepts transitions that do not apply (the loop ignores them), so shrunk schedules stay valid', () => {
    expect(validateSchedule([{ at: 1, type: 'restart', node: 1 }, { at: 2, type: 'heal' }], 3)).toHaveLength(2);
  });

  const cases: [string, unknown, string][] = [
    ['not an array', { at: 0 }, 'fault schedule must be an array'],
    ['a node out of range', [{ at: 5, type: 'crash', node: 7, torn: false }], 'fault schedule[0] (crash): node must be a node id in 1..3 (got 7)'],
    ['a node that is not an integer', [{ at: 5, type: 'pause', node: 1.5 }], 'fault schedule[0] (pause): node must be a node id in 1..3'],
    ['times going back', [{ at: 5, type: 'heal' }, { at: 4, type: 'heal' }], 'fault schedule[1] (heal): at 4 is before the previous event\'s 5'],
    ['an infinite time', [{ at: Infinity, type: 'heal' }], 'fault schedule[0] (heal): at must be a finite time >= 0'],
    ['a negative time', [{ at: -1, type: 'heal' }], 'at must be a finite time >= 0 (got -1)'],
    ['an unknown type', [{ at: 1, type: 'explode' }], 'fault schedule[0] (explode): type must be one of partition, heal, crash'],
    ['a missing torn flag', [{ at: 1, type: 'crash', node: 1 }], 'fault schedule[0] (crash): torn must be true or false'],
    ['an unknown field', [{ at: 1, type: 'heal', node: 2 }], 'fault schedule[0] (heal): unknown field node'],
    ['an unknown partition kind', [{ at: 1, type: 'partition', kind: 'moon', cut: [] }], 'kind must be one of halves, isolate, bridge, ring, asymmetric, explicit'],
    ['a self-link', [{ at: 1, type: 'partition', kind: 'explicit', cut: [[2, 2]] }], 'fault schedule[0] (partition): cut[0] links node 2 to itself'],
    ['a repeated link', [{ at: 1, type: 'partition', kind: 'explicit', cut: [[1, 2], [1, 2]] }], 'cut[1] repeats the link 1->2'],
    ['a link out of range', [{ at: 1, type: 'partition', kind: 'explicit', cut: [[1, 4]] }], 'cut[0] to must be a node id in 1..3 (got 4)'],
    ['a malformed link', [{ at: 1, type: 'partition', kind: 'explicit', cut: [[1, 2, 3]] }], 'cut[0] must be a [from, to] pair'],
    ['a non-object event', [null], 'fault schedule[0]: must be an object'],
    ['a leader crash without downMs', [{ at: 1, type: 'crash-leader', afterMs: 0, torn: false }], 'fault schedule[0] (crash-leader): downMs must be an integer in 1..'],
    ['a leader crash down for 0 ms', [{ at: 1, type: 'crash-leader', afterMs: 0, downMs: 0, torn: false }], 'downMs must be an integer in 1..86400000 ms (got 0)'],
    ['a negative afterMs', [{ at: 1, type: 'crash-leader', afterMs: -5, downMs: 9, torn: false }], 'afterMs must be an integer in 0..'],
    ['a leader crash naming a node', [{ at: 1, type: 'crash-leader', afterMs: 0, downMs: 9, torn: false, node: 1 }], 'unknown field node'],
    ['a leader cut without mates', [{ at: 1, type: 'cut-leader', afterMs: 0, downMs: 9, shift: 0 }], 'fault schedule[0] (cut-leader): mates must be an integer in 0..2'],
    ['a leader cut with as many mates as nodes', [{ at: 1, type: 'cut-leader', afterMs: 0, downMs: 9, mates: 3, shift: 0 }], 'mates must be an integer in 0..2 (got 3)'],
    ['a leader cut for 0 ms', [{ at: 1, type: 'cut-leader', afterMs: 0, downMs: 0, mates: 0, shift: 0 }], 'downMs must be an integer in 1..'],
    ['a leader cut with a torn flag', [{ at: 1, type: 'cut-leader', afterMs: 0, downMs: 9, mates: 0, shift: 0, torn: false }], 'unknown field torn'],
  ];
  it.each(cases)('rejects %s with a clear message', (_name, input, message) => {
    expect(() => validateSchedule(input, 3)).toThrow(message);
  });
});

describe('leader crashes', () => {
  const churned = (seed: number): SimOptions => {
    // Scripted draws: the regime is always selected, and its picks vary with the seed.
    const rng = createRng(seed, 'regime');
    const always = { next: () => rng.next(), int: (n: number) => rng.int(n), range: (a: number, b: number) => rng.range(a, b), chance: (ratio: number) => ratio === LEADER_CHURN_RATIO || rng.chance(ratio) };
    return leaderChurn(always, mergeOptions(swarmOptions(createRng(seed, 'options')), { nodes: 5, durationMs: 20_000 }));
  };

  test.prop([fc.integer({ min: 0, max: 100_000 })])('fall inside the safety phase, within their bounds, valid and sorted', (seed) => {
    const options = churned(seed);
    const { leaderCrashIntervalMsMean, leaderCrashAfterMsMax, restartDelayMsMax } = options.faults;
    expect(leaderCrashIntervalMsMean).toBeGreaterThan(0);
    const events = generateSchedule(options, createRng(seed, 'faults'), createRng(seed, 'leader'));
    const crashes = events.filter((event) => event.type === 'crash-leader');
    expect(crashes.length).toBeGreaterThan(0);
    for (const event of crashes) {
      expect(event.at).toBeGreaterThan(0);
      expect(event.at).toBeLessThan(options.durationMs);
      expect(event.afterMs).toBeGreaterThanOrEqual(0);
      expect(event.afterMs).toBeLessThanOrEqual(leaderCrashAfterMsMax);
      expect(event.downMs).toBeGreaterThanOrEqual(1);
      expect(event.downMs).toBeLessThanOrEqual(restartDelayMsMax);
    }
    expect(validateSchedule(JSON.parse(JSON.stringify(events)), options.nodes)).toEqual(events);
    expect([...events].sort(compareFaults)).toEqual(events);
  });

  it('are drawn from their own stream: the other faults stay the same', () => {
    const options = churned(11);
    const others = (events: FaultEvent[]): FaultEvent[] => events.filter((event) => event.type !== 'crash-leader');
    const withCrashes = generateSchedule(options, createRng(11, 'faults'), createRng(11, 'leader'));
    const without = generateSchedule(mergeOptions(options, { faults: { leaderCrashIntervalMsMean: 0 } }), createRng(11, 'faults'), createRng(11, 'leader'));
    expect(without.some((event) => event.type === 'crash-leader')).toBe(false);
    expect(others(withCrashes)).toEqual(without);
  });

  it('pin to the crashes and restarts they resolved to; those that never fired go', () => {
    const schedule: FaultEvent[] = [
      { at: 100, type: 'crash-leader', afterMs: 50, downMs: 300, torn: false },
      { at: 200, type: 'heal' },
      { at: 400, type: 'crash-leader', afterMs: 0, downMs: 10, torn: true },
    ];
    const pinned = pinLeaderCrashes(schedule, [{ at: 160, node: 3, downMs: 300, torn: false }]);
    expect(pinned).toEqual([
      { at: 160, type: 'crash', node: 3, torn: false },
      { at: 200, type: 'heal' },
      { at: 460, type: 'restart', node: 3 },
    ]);
    expect(validateSchedule(pinned, 3)).toEqual(pinned);
  });
});

describe('leader cuts', () => {
  const cutOn = (seed: number, nodes: number): SimOptions => mergeOptions(swarmOptions(createRng(seed, 'options')), {
    nodes, durationMs: 20_000, faults: { leaderCutIntervalMsMean: 3_000, leaderCutAfterMsMax: 40, leaderCutDurationMsMax: 4_000 },
  });

  test.prop([fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(2, 4, 5, 7)])('come in bursts: two leaders alone, then one with mates', (seed, nodes) => {
    const options = cutOn(seed, nodes);
    const events = generateSchedule(options, createRng(seed, 'faults'), createRng(seed, 'leader'), createRng(seed, 'cuts'));
    const cuts = events.filter((event) => event.type === 'cut-leader');
    expect(cuts.length % LEADER_CUT_BURST).toBe(0);
    const matesMax = Math.floor((nodes - 1) / 2);
    for (const [index, event] of cuts.entries()) {
      const position = index % LEADER_CUT_BURST;
      expect(event.at).toBe(cuts[index - position]?.at);
      expect(event.at).toBeLessThan(options.durationMs);
      expect(event.afterMs).toBeLessThanOrEqual(40);
      expect(event.downMs).toBeGreaterThanOrEqual(2_000);
      expect(event.downMs).toBeLessThanOrEqual(4_000);
      if (position < LEADER_CUT_BURST - 1) expect(event.mates).toBe(0);
      else expect(event.mates).toBeGreaterThanOrEqual(Math.min(1, matesMax));
      expect(event.mates).toBeLessThanOrEqual(matesMax);
      expect(event.shift).toBeLessThan(nodes - 1);
    }
    expect(validateSchedule(JSON.parse(JSON.stringify(events)), nodes)).toEqual(events);
  });

  it('are drawn from their own stream, and nothing is drawn when they are off', () => {
    const options = cutOn(12, 5);
    const withCuts = generateSchedule(options, createRng(12, 'faults'), createRng(12, 'leader'), createRng(12, 'cuts'));
    const off = mergeOptions(options, { faults: { leaderCutIntervalMsMean: 0 } });
    const rng = createRng(12, 'cuts');
    const without = generateSchedule(off, createRng(12, 'faults'), createRng(12, 'leader'), rng);
    expect(withCuts.some((event) => event.type === 'cut-leader')).toBe(true);
    expect(withCuts.filter((event) => event.type !== 'cut-leader')).toEqual(without);
    expect(rng.next()).toBe(createRng(12, 'cuts').next());
  });

  it('part the leader and its mates, taken in id order after it, from the rest', () => {
    expect(leaderCutSide(3, 4, 0, 2)).toEqual([3]);
    expect(leaderCutSide(3, 4, 1, 0)).toEqual([3, 4]);
    expect(leaderCutSide(3, 4, 1, 1)).toEqual([1, 3]);
    expect(leaderCutSide(4, 5, 2, 3)).toEqual([3, 4, 5]);
    expect(leaderCutSide(1, 2, 1, 0)).toEqual([1, 2]);
    // Away from the side of the cut in force while enough others remain.
    expect(leaderCutSide(3, 4, 1, 1, [1])).toEqual([2, 3]);
    expect(leaderCutSide(3, 4, 1, 0, [4])).toEqual([1, 3]);
    expect(leaderCutSide(3, 4, 3, 0, [4])).toEqual([1, 2, 3, 4]);
  });

  it('pin to the partitions they made, with the heals that happened', () => {
    const schedule: FaultEvent[] = [
      { at: 100, type: 'cut-leader', afterMs: 0, downMs: 3_000, mates: 0, shift: 0 },
      { at: 100, type: 'cut-leader', afterMs: 0, downMs: 3_000, mates: 1, shift: 0 },
      { at: 150, type: 'crash', node: 2, torn: false },
    ];
    const first = [[1, 2], [1, 3], [2, 1], [3, 1]] as const;
    const second = [[1, 3], [2, 3], [3, 1], [3, 2]] as const;
    const pinned = pinLeaderCrashes(schedule, [], [{ at: 120, cut: first, healAt: null }, { at: 900, cut: second, healAt: 3_900 }]);
    expect(pinned).toEqual([
      { at: 120, type: 'partition', kind: 'explicit', cut: first },
      { at: 150, type: 'crash', node: 2, torn: false },
      { at: 900, type: 'partition', kind: 'explicit', cut: second },
      { at: 3_900, type: 'heal' },
    ]);
    expect(validateSchedule(pinned, 3)).toEqual(pinned);
  });
});

describe('describeFault', () => {
  it('prints one short line per event', () => {
    expect(describeFault({ at: 7, type: 'crash-leader', afterMs: 40, downMs: 900, torn: true })).toBe('7 crash-leader +40 down 900 torn');
    expect(describeFault({ at: 7, type: 'crash', node: 2, torn: true })).toBe('7 crash 2 torn');
    expect(describeFault({ at: 8, type: 'cut-leader', afterMs: 5, downMs: 900, mates: 1, shift: 2 })).toBe('8 cut-leader +5 for 900 mates 1 shift 2');
    expect(describeFault({ at: 9, type: 'partition', kind: 'asymmetric', cut: [[1, 2], [1, 3]] })).toBe('9 partition asymmetric 1->2 1->3');
  });
});
