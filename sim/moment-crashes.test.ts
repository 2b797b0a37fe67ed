// The moment crash regime of swarm mode: crashes triggered by what a node has just done (persisted
// a vote, wrote entries, learned of a commit as leader, took or installed a snapshot), drawn from
// their own streams and resolved by the event loop.
import { describe, expect, it } from 'vitest';
import { optionsForSeed, specForSeed } from '../scenarios/spec.ts';
import type { TraceEvent, TraceEventOf } from './events.ts';
import { CRASH_MOMENTS, describeFault, generateSchedule, momentsOf, validateSchedule } from './faults.ts';
import type { CrashMoment, FaultEvent } from './faults.ts';
import {
  DEFAULT_OPTIONS, MOMENT_CRASH_REGIME_RATIO, PRESETS, leaseBounds, mergeOptions, swarmMomentCrashes, swarmOptions, validateOptions,
} from './options.ts';
import type { SimOptions } from './options.ts';
import { createRng } from './random.ts';
import { expectAddsOnly, selectedBy } from './regime-checks.ts';
import { Simulation } from './simulation.ts';

const seeds = Array.from({ length: 400 }, (_, index) => index + 1);
const crashing = (options: SimOptions): boolean => (options.faults.momentCrashIntervalMsMean ?? 0) > 0;

function ofType<T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T): TraceEventOf<T>[] {
  return events.filter((event): event is TraceEventOf<T> => event.type === type);
}

describe('the moment crash regime', () => {
  it('crashes at moments in a fair share of the default swarm seeds, every moment among them', () => {
    const selected = seeds.map((seed) => optionsForSeed(seed, null, {})).filter(crashing);
    // Eligible: three nodes or more (seven in nine clusters).
    expect(selected.length).toBeGreaterThan(seeds.length * MOMENT_CRASH_REGIME_RATIO * 0.5);
    expect(selected.length).toBeLessThan(seeds.length * MOMENT_CRASH_REGIME_RATIO * 1.3);
    const moments = new Set(selected.flatMap((options) => momentsOf(options.faults.momentCrashMoments ?? 0)));
    expect([...moments].sort()).toEqual([...CRASH_MOMENTS].sort());
    for (const options of selected) expect(options.nodes).toBeGreaterThanOrEqual(3);
  });

  it('leaves a seed it does not select as it was', () => {
    const selected = selectedBy(swarmMomentCrashes, seeds.slice(0, 100), (seed) => swarmOptions(createRng(seed, 'options')), 'moment');
    for (const { before, after } of selected) {
      expectAddsOnly(before, after, ['momentCrashIntervalMsMean', 'momentCrashMoments', 'momentCrashDownMsMax']);
    }
    expect(selected.length).toBeGreaterThan(0);
  });

  it('writes its fields only when on, so older records read the same', () => {
    expect('momentCrashIntervalMsMean' in DEFAULT_OPTIONS.faults).toBe(false);
    const on = mergeOptions(DEFAULT_OPTIONS, { faults: { momentCrashIntervalMsMean: 2_000, momentCrashMoments: 5, momentCrashDownMsMax: 900 } });
    expect(validateOptions(JSON.parse(JSON.stringify(on))).faults).toMatchObject({
      momentCrashIntervalMsMean: 2_000, momentCrashMoments: 5, momentCrashDownMsMax: 900,
    });
    expect(momentsOf(5)).toEqual(['vote', 'commit']);
    expect(momentsOf(15)).toEqual(['vote', 'append', 'commit', 'snapshot']);
  });
});

describe('moment crash events', () => {
  const on = mergeOptions(DEFAULT_OPTIONS, {
    durationMs: 30_000, faults: { momentCrashIntervalMsMean: 2_000, momentCrashMoments: 6, momentCrashDownMsMax: 3_000 },
  });
  const streams = (seed: number) => [
    createRng(seed, 'faults'), createRng(seed, 'leader'), createRng(seed, 'cuts'), createRng(seed, 'restarts'), createRng(seed, 'pauses'),
  ] as const;

  it('are drawn within their bounds, from their own stream, and nothing is drawn when they are off', () => {
    for (const seed of [1, 2, 3]) {
      const withCrashes = generateSchedule(on, ...streams(seed), createRng(seed, 'moments'));
      const crashes = withCrashes.filter((event) => event.type === 'crash-at');
      expect(crashes.length).toBeGreaterThan(5);
      for (const event of crashes) {
        expect(['append', 'commit']).toContain(event.moment);
        expect(event.at).toBeLessThan(on.durationMs);
        expect(event.downMs).toBeGreaterThanOrEqual(1);
        expect(event.downMs).toBeLessThanOrEqual(3_000);
      }
      expect(validateSchedule(JSON.parse(JSON.stringify(withCrashes)), on.nodes)).toEqual(withCrashes);
      const unused = createRng(seed, 'moments');
      const without = generateSchedule(mergeOptions(on, { faults: { momentCrashIntervalMsMean: 0 } }), ...streams(seed), unused);
      expect(without.some((event) => event.type === 'crash-at')).toBe(false);
      expect(withCrashes.filter((event) => event.type !== 'crash-at')).toEqual(without);
      expect(unused.next()).toBe(createRng(seed, 'moments').next());
    }
  });

  it('stay down a whole lease under lease reads', () => {
    const lease = mergeOptions(on, { clockDriftRatioMax: 0, raft: { electionTicks: 20, checkQuorum: true, leaseReads: true }, faults: { momentCrashDownMsMax: 10 } });
    const crashes = generateSchedule(lease, ...streams(4), createRng(4, 'moments')).filter((event) => event.type === 'crash-at');
    expect(crashes.length).toBeGreaterThan(0);
    for (const event of crashes) expect(event.downMs).toBeGreaterThanOrEqual(leaseBounds(lease).restartMsMin);
  });

  it('are refused with a message when malformed, and print one line', () => {
    expect(() => validateSchedule([{ at: 1, type: 'crash-at', moment: 'lunch', downMs: 5, torn: false }], 3))
      .toThrow('fault schedule[0] (crash-at): moment must be one of vote, append, commit, snapshot (got "lunch")');
    expect(() => validateSchedule([{ at: 1, type: 'crash-at', moment: 'vote', downMs: 0, torn: false }], 3)).toThrow('downMs must be an integer in 1..');
    expect(describeFault({ at: 7, type: 'crash-at', moment: 'commit', downMs: 900, torn: true })).toBe('7 crash-at commit down 900 torn');
  });

  it('a default swarm seed that selects the regime schedules them', () => {
    const seed = seeds.find((candidate) => crashing(optionsForSeed(candidate, null, {})));
    const { schedule } = specForSeed(String(seed), { preset: null, override: {}, bugs: [], record: false });
    expect(schedule.some((event) => event.type === 'crash-at')).toBe(true);
  });
});

describe('a moment crash in a run', () => {
  function simulate(schedule: FaultEvent[], override = {}): TraceEvent[] {
    const options = mergeOptions(PRESETS.calm, { durationMs: 20_000, livenessMs: 20_000, snapshotEveryEntries: 10, ...override });
    const result = new Simulation({ seed: 5, options, schedule, record: true, bugs: new Set() }).run();
    expect(result.halt).toBeNull();
    return result.events as TraceEvent[];
  }

  /** The node and time of the first event at or after `from` that shows `moment`, by the event's own terms. */
  function firstMoment(events: readonly TraceEvent[], moment: CrashMoment, from: number): { node: number; time: number } | undefined {
    const roles = new Map<number, string>();
    for (const event of events) {
      if (event.type === 'role') roles.set(event.node, event.role);
      if (event.time < from) continue;
      const hit = (moment === 'vote' && event.type === 'term' && event.vote !== null)
        || (moment === 'append' && event.type === 'append')
        || (moment === 'commit' && event.type === 'commit' && roles.get(event.node) === 'leader')
        || (moment === 'snapshot' && (event.type === 'snapshot' || event.type === 'compact'));
      if (hit && 'node' in event) return { node: event.node, time: event.time };
    }
    return undefined;
  }

  for (const moment of CRASH_MOMENTS) {
    it(`crashes the first node to reach the moment '${moment}' right after it, and restarts it downMs later`, () => {
      // Votes come with elections: the first one's, on a calm network.
      const at = moment === 'vote' ? 0 : 3_000;
      const events = simulate([{ at, type: 'crash-at', moment, downMs: 2_000, torn: false }]);
      const target = firstMoment(events, moment, at);
      expect(target).toBeDefined();
      const crashes = ofType(events, 'crash');
      expect(crashes).toHaveLength(1);
      expect(crashes[0]).toMatchObject({ node: target?.node, time: target?.time });
      // Right after: nothing the crashed node did lies between its moment and the crash but its own step's output.
      const restart = ofType(events, 'restart').find((event) => event.node === target?.node && event.time > (target?.time ?? 0));
      expect(restart?.time).toBe((target?.time ?? 0) + 2_000);
    });
  }

  it('waits from its time on and fires once: a second moment of the kind crashes nothing', () => {
    const events = simulate([{ at: 6_000, type: 'crash-at', moment: 'commit', downMs: 500, torn: false }]);
    const crashes = ofType(events, 'crash');
    expect(crashes).toHaveLength(1);
    expect(crashes[0]?.time).toBeGreaterThanOrEqual(6_000);
  });
});
