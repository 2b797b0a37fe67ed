// The membership workload: the changes it chooses keep a workable voter set and apply to the
// configuration they were drawn from; in a run it removes and re-adds nodes, restores every voter
// in the liveness phase, and draws nothing when it is off.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { applyConfChange, confChangeProblem } from '../core/index.ts';
import type { ClusterConfig, ConfChange, EntryData } from '../core/index.ts';
import type { TraceEvent } from './events.ts';
import { digestEntryData } from './hash.ts';
import { chooseChange, votersMin } from './membership-changes.ts';
import { MEMBERSHIP_OFF, PRESETS, mergeOptions } from './options.ts';
import type { OptionsOverride } from './options.ts';
import { createRng } from './random.ts';
import { Simulation } from './simulation.ts';

const FULL_FIVE: ClusterConfig = { voters: [1, 2, 3, 4, 5], learners: [] };

/** A configuration of nodes 1..nodes: each node a voter, a learner or outside; at least votersMin voters. */
const configArbitrary = fc.integer({ min: 4, max: 9 }).chain((nodes) =>
  fc.array(fc.constantFrom('voter', 'learner', 'outside'), { minLength: nodes, maxLength: nodes })
    .filter((roles) => roles.filter((role) => role === 'voter').length >= votersMin(nodes))
    .map((roles) => ({
      nodes,
      config: {
        voters: roles.flatMap((role, index) => role === 'voter' ? [index + 1] : []),
        learners: roles.flatMap((role, index) => role === 'learner' ? [index + 1] : []),
      },
    })));

describe('chooseChange', () => {
  test.prop([configArbitrary, fc.boolean(), fc.integer({ min: 0, max: 1_000_000 })])(
    'draws a change that applies and leaves at least votersMin voters', ({ nodes, config }, restoring, seed) => {
      const change = chooseChange(config, nodes, restoring, createRng(seed, 'membership'));
      if (change === null) {
        expect(config.voters).toHaveLength(restoring ? nodes : votersMin(nodes));
        return;
      }
      expect(confChangeProblem(config, change)).toBeNull();
      expect(applyConfChange(config, change).voters.length).toBeGreaterThanOrEqual(votersMin(nodes));
      if (restoring) expect(change.type).not.toBe('remove');
    });

  it('keeps three voters at least, and all but two in a larger cluster', () => {
    expect([4, 5, 6, 7, 9].map(votersMin)).toEqual([3, 3, 4, 5, 7]);
    const atMinimum: ClusterConfig = { voters: [1, 2, 3], learners: [] };
    for (let seed = 0; seed < 50; seed++) {
      expect(chooseChange(atMinimum, 5, false, createRng(seed, 'membership'))?.type).toBe('addLearner');
    }
  });

  it('has nothing to restore when every node votes, and removes from a full cluster otherwise', () => {
    expect(chooseChange(FULL_FIVE, 5, true, createRng(1, 'membership'))).toBeNull();
    expect(chooseChange(FULL_FIVE, 5, false, createRng(1, 'membership'))?.type).toBe('remove');
  });

  it('removes a lagging voter when there is one', () => {
    for (let seed = 0; seed < 50; seed++) {
      expect(chooseChange(FULL_FIVE, 5, false, createRng(seed, 'membership'), [4])).toEqual({ type: 'remove', node: 4 });
    }
  });

  it('draws each kind that applies, the same ones for the same seed', () => {
    const kindsDrawn = (config: ClusterConfig): (string | undefined)[] => [...new Set(Array.from({ length: 60 },
      (_, seed) => chooseChange(config, 5, false, createRng(seed, 'membership'))?.type))].sort();
    expect(kindsDrawn({ voters: [1, 2, 3, 4], learners: [] })).toEqual(['addLearner', 'remove']);
    expect(kindsDrawn({ voters: [1, 2, 3, 4], learners: [5] })).toEqual(['promote', 'remove']);
    expect(kindsDrawn({ voters: [1, 2, 3], learners: [4] })).toEqual(['addLearner', 'promote']);
    const config: ClusterConfig = { voters: [1, 2, 3, 4], learners: [] };
    for (let seed = 0; seed < 20; seed++) {
      expect(chooseChange(config, 5, false, createRng(seed, 'membership')))
        .toEqual(chooseChange(config, 5, false, createRng(seed, 'membership')));
    }
  });
});

function run(override: OptionsOverride, seed = 3): { events: TraceEvent[]; configs: (ClusterConfig | undefined)[] } {
  const options = mergeOptions(PRESETS.calm, { durationMs: 20_000, livenessMs: 20_000, clients: 2, ...override });
  const simulation = new Simulation({ seed, options, schedule: [], record: true });
  const result = simulation.run();
  expect(result.halt).toBeNull();
  const configs = Array.from({ length: options.nodes }, (_, index) => simulation.host(index + 1).node?.status().config);
  return { events: result.events as TraceEvent[], configs };
}

/** Every conf change a cluster of `nodes` can hold, by the digest of its entry. */
function changeDigests(nodes: number): Map<number, ConfChange> {
  const byDigest = new Map<number, ConfChange>();
  for (let target = 1; target <= nodes; target++) {
    for (const type of ['addLearner', 'promote', 'remove'] as const) {
      const change: ConfChange = { type, node: target };
      const data: EntryData = { type: 'confChange', change };
      byDigest.set(digestEntryData(data), change);
    }
  }
  return byDigest;
}

/** The conf changes applied on `node`, recognised by the digest of their entry. */
function appliedChanges(events: readonly TraceEvent[], node: number, nodes: number): ConfChange[] {
  const byDigest = changeDigests(nodes);
  return events.flatMap((event) => {
    const change = event.type === 'apply' && event.node === node ? byDigest.get(event.entry.digest) : undefined;
    return change === undefined ? [] : [change];
  });
}

describe('the membership workload in a run', () => {
  const on = { membership: { changeIntervalMsMean: 1_000, changeAfterElectionRatio: 1 } };

  it('removes voters and adds them back, then restores every node as a voter', () => {
    const { events, configs } = run({ nodes: 5, ...on });
    const changes = appliedChanges(events, 1, 5);
    const types = new Set(changes.map((change) => change.type));
    expect([...types].sort()).toEqual(['addLearner', 'promote', 'remove']);
    expect(changes.length).toBeGreaterThan(5);
    for (const config of configs) expect(config).toEqual(FULL_FIVE);
  });

  it('asks a new leader for a change within a few ticks of its election', () => {
    const { events } = run({ nodes: 4, membership: { changeIntervalMsMean: 0, changeAfterElectionRatio: 1 } });
    const elected = events.find((event) => event.type === 'role' && event.role === 'leader');
    if (elected?.type !== 'role') throw new Error('no leader elected');
    const digests = changeDigests(4);
    const appended = events.find((event) => event.type === 'append' && event.node === elected.node
      && event.entries.some((entry) => digests.has(entry.digest)));
    expect(appended).toBeDefined();
    // Refused while the no-op is uncommitted, then retried after at most a tick (100 ms) each time.
    expect((appended?.time ?? Infinity) - elected.time).toBeLessThanOrEqual(300);
  });

  it('changes nothing when off, and nothing in a cluster too small to change', () => {
    expect(PRESETS.calm.membership).toEqual(MEMBERSHIP_OFF);
    const off = run({ nodes: 5 });
    expect(appliedChanges(off.events, 1, 5)).toEqual([]);
    const small = run({ nodes: 3, ...on });
    expect(appliedChanges(small.events, 1, 3)).toEqual([]);
    expect(small.configs[0]).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  it('is deterministic: the same seed gives the same trace', () => {
    const first = run({ nodes: 5, ...on }, 11).events;
    const second = run({ nodes: 5, ...on }, 11).events;
    expect(second).toEqual(first);
  });
});

describe('leadership transfers in a run', () => {
  it('asks leaders to hand over: TimeoutNow is sent, its target is elected in the next term', () => {
    const { events, configs } = run({ nodes: 3, membership: { transferIntervalMsMean: 2_000 } });
    const timeouts = events.flatMap((event) => event.type === 'send' && event.message.type === 'TimeoutNow' ? [event] : []);
    expect(timeouts.length).toBeGreaterThan(2);
    const completed = timeouts.filter((sent) => events.some((event) => event.type === 'role' && event.role === 'leader'
      && event.node === sent.message.to && event.term === sent.message.term + 1 && event.time >= sent.time));
    expect(completed.length).toBeGreaterThan(2);
    // No configuration change is asked for: every node stays a voter.
    for (const config of configs) expect(config).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  it('asks for none when off', () => {
    const { events } = run({ nodes: 3 });
    expect(events.some((event) => event.type === 'send' && event.message.type === 'TimeoutNow')).toBe(false);
  });
});
