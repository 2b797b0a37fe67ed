// Two regimes of what clients meet: calls held by a paused process and served on its resume
// (faults.pauseHoldsCalls), and new operations sent to any node rather than the believed leader
// (clientAnyNodeRatio). Each draws from its own stream, after every other regime.
import { describe, expect, it } from 'vitest';
import { optionsForSeed } from '../scenarios/spec.ts';
import type { TraceEvent, TraceEventOf } from './events.ts';
import type { FaultEvent } from './faults.ts';
import {
  CLIENT_ROUTING_REGIME_RATIO, DEFAULT_OPTIONS, HELD_CALLS_REGIME_RATIO, PRESETS, mergeOptions, swarmClientRouting,
  swarmHeldCalls, validateOptions,
} from './options.ts';
import type { SimOptions } from './options.ts';
import { createRng } from './random.ts';
import { Simulation } from './simulation.ts';

const seeds = Array.from({ length: 400 }, (_, index) => index + 1);
const drawn = seeds.map((seed) => ({ seed, options: optionsForSeed(seed, null, {}) }));
const pauses = (options: SimOptions): boolean =>
  options.faults.pauseIntervalMsMean > 0 || (options.faults.leaderPauseIntervalMsMean ?? 0) > 0;

function ofType<T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T): TraceEventOf<T>[] {
  return events.filter((event): event is TraceEventOf<T> => event.type === type);
}

describe('the held calls regime', () => {
  it('holds calls in a fair share of the swarm runs that pause nodes, and in no other', () => {
    const pausing = drawn.filter(({ options }) => pauses(options));
    const selected = drawn.filter(({ options }) => options.faults.pauseHoldsCalls === true);
    for (const { options } of selected) expect(pauses(options)).toBe(true);
    expect(selected.length).toBeGreaterThan(pausing.length * HELD_CALLS_REGIME_RATIO * 0.75);
    expect(selected.length).toBeLessThan(pausing.length * HELD_CALLS_REGIME_RATIO * 1.25);
  });

  it('leaves a seed it does not select as it was (the same record), and adds only its field to one it selects', () => {
    let selected = 0;
    for (const seed of seeds.slice(0, 100)) {
      const before = mergeOptions(DEFAULT_OPTIONS, { faults: { pauseIntervalMsMean: 5_000 } });
      const after = swarmHeldCalls(createRng(seed, 'held'), before);
      if (after === before) continue;
      selected++;
      expect(after).toEqual(mergeOptions(before, { faults: { pauseHoldsCalls: true } }));
    }
    expect(selected).toBeGreaterThan(0);
    const still = mergeOptions(DEFAULT_OPTIONS, { faults: { pauseIntervalMsMean: 0 } });
    for (const seed of seeds.slice(0, 50)) expect(swarmHeldCalls(createRng(seed, 'held'), still)).toBe(still);
  });

  it('writes its field only when on, and refuses anything but true or false', () => {
    expect('pauseHoldsCalls' in DEFAULT_OPTIONS.faults).toBe(false);
    expect('pauseHoldsCalls' in mergeOptions(DEFAULT_OPTIONS, { faults: { pauseHoldsCalls: false } }).faults).toBe(false);
    const on = mergeOptions(DEFAULT_OPTIONS, { faults: { pauseHoldsCalls: true } });
    expect(validateOptions(JSON.parse(JSON.stringify(on))).faults.pauseHoldsCalls).toBe(true);
    expect(() => mergeOptions(DEFAULT_OPTIONS, { faults: { pauseHoldsCalls: 1 as unknown as boolean } }))
      .toThrow('faults.pauseHoldsCalls must be true or false (got 1)');
  });
});

describe('the client routing regime', () => {
  it('sends a quarter, half or all new operations to any node in a fair share of the swarm seeds', () => {
    const selected = drawn.filter(({ options }) => (options.clientAnyNodeRatio ?? 0) > 0);
    expect(selected.length).toBeGreaterThan(seeds.length * CLIENT_ROUTING_REGIME_RATIO * 0.75);
    expect(selected.length).toBeLessThan(seeds.length * CLIENT_ROUTING_REGIME_RATIO * 1.25);
    for (const { options } of selected) expect([0.25, 0.5, 1]).toContain(options.clientAnyNodeRatio);
  });

  it('leaves a seed it does not select as it was, and adds only its field to one it selects', () => {
    let selected = 0;
    for (const seed of seeds.slice(0, 100)) {
      const after = swarmClientRouting(createRng(seed, 'routing'), DEFAULT_OPTIONS);
      if (after === DEFAULT_OPTIONS) continue;
      selected++;
      const { clientAnyNodeRatio, ...rest } = after;
      expect(clientAnyNodeRatio).toBeGreaterThan(0);
      expect(rest).toEqual(DEFAULT_OPTIONS);
    }
    expect(selected).toBeGreaterThan(0);
    const none = mergeOptions(DEFAULT_OPTIONS, { clients: 0 });
    for (const seed of seeds.slice(0, 50)) expect(swarmClientRouting(createRng(seed, 'routing'), none)).toBe(none);
  });

  it('writes its field only when above 0, and refuses a ratio out of [0, 1]', () => {
    expect('clientAnyNodeRatio' in DEFAULT_OPTIONS).toBe(false);
    expect('clientAnyNodeRatio' in mergeOptions(DEFAULT_OPTIONS, { clientAnyNodeRatio: 0 })).toBe(false);
    const on = mergeOptions(DEFAULT_OPTIONS, { clientAnyNodeRatio: 0.5 });
    expect(validateOptions(JSON.parse(JSON.stringify(on))).clientAnyNodeRatio).toBe(0.5);
    expect(() => mergeOptions(DEFAULT_OPTIONS, { clientAnyNodeRatio: 1.5 })).toThrow('clientAnyNodeRatio must be a number in [0, 1] (got 1.5)');
  });
});

function simulate(options: SimOptions, schedule: FaultEvent[]): { events: TraceEvent[]; retries: number } {
  const result = new Simulation({ seed: 5, options, schedule, record: true, bugs: new Set() }).run();
  expect(result.halt).toBeNull();
  return { events: result.events as TraceEvent[], retries: result.counters.clients.retries };
}

describe('calls to a paused node', () => {
  // A leader paused for less than an election timeout (1 s): no successor, it resumes leading.
  const base = mergeOptions(PRESETS.calm, { durationMs: 10_000, livenessMs: 10_000, clients: 4 });
  const schedule: FaultEvent[] = [{ at: 4_000, type: 'pause-leader', afterMs: 0, downMs: 600, cutMs: 0 }];

  /** The operations called on the paused node while it was paused, and when each returned. */
  function callsDuringPause(events: readonly TraceEvent[]): { call: number; returned: number }[] {
    const [pause] = ofType(events, 'pause');
    const [resume] = ofType(events, 'resume');
    expect(pause).toBeDefined();
    expect(resume?.time).toBe((pause?.time ?? 0) + 600);
    const returns = new Map(ofType(events, 'return').map((event) => [event.op, event.time]));
    return ofType(events, 'call')
      .filter((event) => event.node === pause?.node && event.time >= (pause?.time ?? 0) && event.time < (resume?.time ?? 0))
      .map((event) => ({ call: event.time, returned: returns.get(event.op) ?? Infinity }));
  }

  it('are served on resume when the paused process holds them', () => {
    const { events, retries } = simulate(mergeOptions(base, { faults: { pauseHoldsCalls: true } }), schedule);
    const calls = callsDuringPause(events);
    expect(calls.length).toBeGreaterThan(0);
    // Each returns soon after the resume at 4.6 s, long before its client's timeout (3 s) runs out.
    for (const { call, returned } of calls) {
      expect(returned).toBeGreaterThanOrEqual(4_600);
      expect(returned).toBeLessThan(call + base.clientTimeoutMs);
    }
    const lost = simulate(base, schedule);
    // Without it the same calls are lost: each waits for its timeout and is retried.
    const lostCalls = callsDuringPause(lost.events);
    expect(lostCalls.length).toBeGreaterThan(0);
    for (const { call, returned } of lostCalls) expect(returned).toBeGreaterThanOrEqual(call + base.clientTimeoutMs);
    expect(lost.retries).toBeGreaterThan(retries);
  });

  it('are lost with the process when it crashes before it resumes', () => {
    // The run is the same as without faults until 3 s: the leader then is the node to pause.
    const leader = ofType(simulate(base, []).events, 'role').filter((event) => event.role === 'leader' && event.time < 3_000).at(-1)?.node ?? 0;
    expect(leader).toBeGreaterThan(0);
    const crash: FaultEvent[] = [
      { at: 3_000, type: 'pause', node: leader }, { at: 3_400, type: 'crash', node: leader, torn: false },
      { at: 3_500, type: 'restart', node: leader },
    ];
    const { events } = simulate(mergeOptions(base, { faults: { pauseHoldsCalls: true } }), crash);
    const returns = new Map(ofType(events, 'return').map((event) => [event.op, event.time]));
    const held = ofType(events, 'call').filter((event) => event.node === leader && event.time >= 3_000 && event.time < 3_400);
    expect(held.length).toBeGreaterThan(0);
    // None is answered by the restarted node: each waits for its client's timeout.
    for (const call of held) expect(returns.get(call.op) ?? Infinity).toBeGreaterThanOrEqual(call.time + base.clientTimeoutMs);
  });
});

describe('new operations sent to any node', () => {
  const base = mergeOptions(PRESETS.calm, { durationMs: 8_000, livenessMs: 8_000, clients: 3 });

  /** The share of calls made to a node that was not the leader in office when it was called. */
  function offLeader(events: readonly TraceEvent[]): number {
    const calls = ofType(events, 'call');
    const leaders = ofType(events, 'role').filter((event) => event.role === 'leader');
    const off = calls.filter((call) => leaders.filter((event) => event.time <= call.time).at(-1)?.node !== call.node);
    return off.length / Math.max(1, calls.length);
  }

  it('go to a node at random at clientAnyNodeRatio, and to the believed leader without it', () => {
    const routed = simulate(mergeOptions(base, { clientAnyNodeRatio: 1 }), []);
    const direct = simulate(base, []);
    // Five nodes: about four calls in five miss the leader when every one goes to a node at random.
    expect(offLeader(routed.events)).toBeGreaterThan(0.5);
    expect(offLeader(direct.events)).toBeLessThan(0.1);
  });

  it('draw from their own stream: at 0 the run is the run without the field', () => {
    const zero = new Simulation({ seed: 9, options: mergeOptions(base, { clientAnyNodeRatio: 0 }), schedule: [], record: true, bugs: new Set() }).run();
    const without = new Simulation({ seed: 9, options: base, schedule: [], record: true, bugs: new Set() }).run();
    expect(zero.events).toEqual(without.events);
  });
});
