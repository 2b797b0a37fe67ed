// The leader pause regime of swarm mode: a process stall aimed at whoever leads (LeaderPause),
// drawn from its own streams, resolved by the event loop to the leader in office, long enough for
// the others to elect a successor before the old leader resumes.
import { describe, expect, it } from 'vitest';
import { optionsForSeed, specForSeed } from '../scenarios/spec.ts';
import type { TraceEvent, TraceEventOf } from './events.ts';
import { describeFault, generateSchedule, validateSchedule } from './faults.ts';
import type { FaultEvent } from './faults.ts';
import {
  DEFAULT_OPTIONS, LEADER_PAUSE_REGIME_RATIO, PRESETS, membershipChangesOn, mergeOptions, swarmLeaderPauses, swarmOptions, validateOptions,
} from './options.ts';
import type { SimOptions } from './options.ts';
import { createRng } from './random.ts';
import { expectAddsOnly, selectedBy } from './regime-checks.ts';
import { Simulation } from './simulation.ts';

const seeds = Array.from({ length: 400 }, (_, index) => index + 1);
const drawn = seeds.map((seed) => ({ seed, options: optionsForSeed(seed, null, {}) }));
const pausing = (options: SimOptions): boolean => (options.faults.leaderPauseIntervalMsMean ?? 0) > 0;

function ofType<T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T): TraceEventOf<T>[] {
  return events.filter((event): event is TraceEventOf<T> => event.type === type);
}

describe('the leader pause regime', () => {
  it('pauses leaders in a fair share of the default swarm seeds, never with lease reads or the membership regime\'s leader cuts', () => {
    const selected = drawn.filter(({ options }) => pausing(options));
    // Eligible: three nodes or more, no lease reads, no leader cuts of the membership regime.
    expect(selected.length).toBeGreaterThan(seeds.length * LEADER_PAUSE_REGIME_RATIO * 0.25);
    expect(selected.length).toBeLessThan(seeds.length * LEADER_PAUSE_REGIME_RATIO);
    for (const { options } of selected) {
      expect(options.nodes).toBeGreaterThanOrEqual(3);
      expect(options.raft.leaseReads).toBe(false);
      // Leader isolation (drawn after) may cut the paused leaders too; the membership regime's cuts, drawn before, never.
      if (membershipChangesOn({ ...options.membership, transferIntervalMsMean: 0 })) expect(options.faults.leaderCutIntervalMsMean).toBe(0);
      const electionMs = options.raft.electionTicks * options.tickMs;
      // Pauses up to several election timeouts: long enough to depose the leader.
      expect(options.faults.leaderPauseMsMax).toBeGreaterThanOrEqual(2 * electionMs);
      expect(options.faults.leaderPauseAfterMsMax).toBeGreaterThanOrEqual(1);
      expect(options.faults.leaderPauseAfterMsMax).toBeLessThanOrEqual(electionMs);
    }
  });

  it('leaves a seed it does not select as it was, and draws nothing for an ineligible one', () => {
    const selected = selectedBy(swarmLeaderPauses, seeds.slice(0, 100), (seed) => swarmOptions(createRng(seed, 'options')), 'pause');
    for (const { before, after } of selected) {
      const { leaderPauseCutMsMax } = expectAddsOnly(before, after,
        ['leaderPauseIntervalMsMean', 'leaderPauseAfterMsMax', 'leaderPauseMsMax'], ['leaderPauseCutMsMax']);
      expect(leaderPauseCutMsMax ?? 0).toBeLessThanOrEqual(2 * before.raft.electionTicks * before.tickMs);
    }
    expect(selected.length).toBeGreaterThan(0);
    const lease = mergeOptions(DEFAULT_OPTIONS, { raft: { leaseReads: true, checkQuorum: true } });
    const small = mergeOptions(DEFAULT_OPTIONS, { nodes: 2 });
    for (const seed of seeds.slice(0, 50)) {
      expect(swarmLeaderPauses(createRng(seed, 'pause'), lease)).toBe(lease);
      expect(swarmLeaderPauses(createRng(seed, 'pause'), small)).toBe(small);
    }
  });

  it('writes its fields only when on, so older records read the same', () => {
    expect('leaderPauseIntervalMsMean' in DEFAULT_OPTIONS.faults).toBe(false);
    const on = mergeOptions(DEFAULT_OPTIONS, { faults: { leaderPauseIntervalMsMean: 2_000, leaderPauseAfterMsMax: 50, leaderPauseMsMax: 4_000, leaderPauseCutMsMax: 900 } });
    expect(validateOptions(JSON.parse(JSON.stringify(on))).faults).toMatchObject({
      leaderPauseIntervalMsMean: 2_000, leaderPauseAfterMsMax: 50, leaderPauseMsMax: 4_000, leaderPauseCutMsMax: 900,
    });
    // Cuts off: the field is not written.
    expect('leaderPauseCutMsMax' in mergeOptions(on, { faults: { leaderPauseCutMsMax: 0 } }).faults).toBe(false);
  });
});

describe('leader pause events', () => {
  const on = mergeOptions(DEFAULT_OPTIONS, {
    durationMs: 30_000, faults: { leaderPauseIntervalMsMean: 2_000, leaderPauseAfterMsMax: 300, leaderPauseMsMax: 5_000, leaderPauseCutMsMax: 700 },
  });

  it('are drawn within their bounds from their own stream, and nothing is drawn when they are off', () => {
    const streams = (seed: number) => [createRng(seed, 'faults'), createRng(seed, 'leader'), createRng(seed, 'cuts'), createRng(seed, 'restarts')] as const;
    for (const seed of [1, 2, 3]) {
      const withPauses = generateSchedule(on, ...streams(seed), createRng(seed, 'pauses'));
      const pauses = withPauses.filter((event) => event.type === 'pause-leader');
      expect(pauses.length).toBeGreaterThan(5);
      for (const event of pauses) {
        expect(event.at).toBeLessThan(on.durationMs);
        expect(event.afterMs).toBeGreaterThanOrEqual(0);
        expect(event.afterMs).toBeLessThanOrEqual(300);
        expect(event.downMs).toBeGreaterThanOrEqual(1);
        expect(event.downMs).toBeLessThanOrEqual(5_000);
        expect(event.cutMs).toBeGreaterThanOrEqual(0);
        expect(event.cutMs).toBeLessThanOrEqual(700);
      }
      // Half of them, about, cut the leader off too.
      expect(pauses.some((event) => event.cutMs > 0)).toBe(true);
      expect(pauses.some((event) => event.cutMs === 0)).toBe(true);
      expect(validateSchedule(JSON.parse(JSON.stringify(withPauses)), on.nodes)).toEqual(withPauses);
      const unused = createRng(seed, 'pauses');
      const off = mergeOptions(on, { faults: { leaderPauseIntervalMsMean: 0 } });
      const without = generateSchedule(off, ...streams(seed), unused);
      expect(without.some((event) => event.type === 'pause-leader')).toBe(false);
      // The other faults are the same with or without them.
      expect(withPauses.filter((event) => event.type !== 'pause-leader')).toEqual(without);
      expect(unused.next()).toBe(createRng(seed, 'pauses').next());
    }
  });

  it('are refused with a message when malformed, and print one line', () => {
    expect(() => validateSchedule([{ at: 1, type: 'pause-leader', afterMs: 0, cutMs: 0 }], 3)).toThrow('fault schedule[0] (pause-leader): downMs must be an integer in 1..');
    expect(() => validateSchedule([{ at: 1, type: 'pause-leader', afterMs: 0, downMs: 5 }], 3)).toThrow('cutMs must be an integer in 0..');
    expect(() => validateSchedule([{ at: 1, type: 'pause-leader', afterMs: 0, downMs: 5, cutMs: 0, node: 1 }], 3)).toThrow('unknown field node');
    expect(describeFault({ at: 7, type: 'pause-leader', afterMs: 40, downMs: 900, cutMs: 0 })).toBe('7 pause-leader +40 for 900');
    expect(describeFault({ at: 7, type: 'pause-leader', afterMs: 40, downMs: 900, cutMs: 300 })).toBe('7 pause-leader +40 for 900 cut +300');
  });

  it('a default swarm seed that selects the regime schedules leader pauses', () => {
    const seed = drawn.find(({ options }) => pausing(options))?.seed;
    expect(seed).toBeDefined();
    const { schedule } = specForSeed(String(seed), { preset: null, override: {}, bugs: [], record: false });
    expect(schedule.some((event) => event.type === 'pause-leader')).toBe(true);
  });
});

describe('a leader pause in a run', () => {
  function simulate(schedule: FaultEvent[]): TraceEvent[] {
    const options = mergeOptions(PRESETS.calm, { durationMs: 20_000, livenessMs: 20_000 });
    const result = new Simulation({ seed: 5, options, schedule, record: true, bugs: new Set() }).run();
    expect(result.halt).toBeNull();
    return result.events as TraceEvent[];
  }

  it('stops whoever leads, for downMs; the others elect a successor; the old leader resumes deposed', () => {
    const events = simulate([{ at: 5_000, type: 'pause-leader', afterMs: 0, downMs: 6_000, cutMs: 0 }]);
    const leaderAt = (time: number): TraceEventOf<'role'> | undefined =>
      ofType(events, 'role').filter((event) => event.role === 'leader' && event.time <= time).at(-1);
    const before = leaderAt(5_000);
    expect(before).toBeDefined();
    const [pause, ...otherPauses] = ofType(events, 'pause');
    expect(otherPauses).toEqual([]);
    expect(pause).toMatchObject({ time: 5_000, node: before?.node });
    const resume = ofType(events, 'resume').find((event) => event.node === pause?.node);
    expect(resume?.time).toBe(11_000);
    // Nothing is delivered to the paused node while it is paused.
    const toPaused = ofType(events, 'deliver').filter((event) => event.to === pause?.node && event.time > 5_000 && event.time < 11_000);
    expect(toPaused).toEqual([]);
    // A successor of a higher term meanwhile, and the old leader steps down after it resumes.
    const successor = ofType(events, 'role').find((event) => event.role === 'leader' && event.time > 5_000 && event.time < 11_000);
    expect(successor?.node).not.toBe(before?.node);
    expect(successor?.term).toBeGreaterThan(before?.term ?? Infinity);
    const stepDown = ofType(events, 'role').find((event) => event.node === before?.node && event.time >= 11_000);
    expect(stepDown?.role).toBe('follower');
  });

  it('waits for a leader when none is in office, and hits each leadership once', () => {
    const events = simulate([
      { at: 0, type: 'pause-leader', afterMs: 100, downMs: 4_000, cutMs: 0 },
      { at: 0, type: 'pause-leader', afterMs: 100, downMs: 4_000, cutMs: 0 },
    ]);
    const pauses = ofType(events, 'pause');
    expect(pauses).toHaveLength(2);
    const elections = ofType(events, 'role').filter((event) => event.role === 'leader');
    const [first, second] = pauses;
    // Each pause hits a different leader, afterMs after that leader's election.
    const electedBefore = (time: number) => elections.filter((event) => event.time <= time).at(-1);
    expect(electedBefore(first?.time ?? 0)?.node).toBe(first?.node);
    expect((first?.time ?? 0) - (electedBefore(first?.time ?? 0)?.time ?? 0)).toBe(100);
    expect(electedBefore(second?.time ?? 0)?.node).toBe(second?.node);
    expect(second?.node).not.toBe(first?.node);
  });

  it('with cutMs, cuts the leader off alone from the pause until cutMs after its resume: it resumes still leading', () => {
    const events = simulate([{ at: 5_000, type: 'pause-leader', afterMs: 0, downMs: 6_000, cutMs: 2_000 }]);
    const [pause] = ofType(events, 'pause');
    const node = pause?.node ?? 0;
    const [partition, ...others] = ofType(events, 'partition');
    expect(others).toEqual([]);
    expect(partition?.time).toBe(5_000);
    // Every link between the paused leader and the others, both ways, and no other.
    expect(partition?.cut.length).toBe(2 * 4);
    for (const [from, to] of partition?.cut ?? []) expect(from === node || to === node).toBe(true);
    // Healed by it, before the end of the safety phase heals everything.
    expect(ofType(events, 'heal').map((event) => event.time).filter((time) => time < 20_000)).toEqual([13_000]);
    const across = (event: { from: number; to: number }): boolean => event.from === node || event.to === node;
    expect(ofType(events, 'deliver').filter((event) => event.time > 5_000 && event.time < 13_000 && across(event))).toEqual([]);
    // Resumed and alone, it still believes it leads: no news of the new term reaches it, and only
    // its own CheckQuorum (an election timeout of ticks after the resume) can depose it before the heal.
    const roles = ofType(events, 'role').filter((event) => event.node === node && event.time >= 5_000);
    expect(roles[0]?.time ?? Infinity).toBeGreaterThan(11_000);
    expect(roles[0]?.term).toBe(pause === undefined ? -1 : ofType(events, 'role').filter((event) => event.node === node && event.time < 5_000).at(-1)?.term);
  });
});
