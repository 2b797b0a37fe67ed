// A runaway run (a loop of events, a flood of messages) stops at a budget with a `budget` failure
// that names it, instead of running until the harness dies (issue 17, item 1).
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../core/index.ts';
import type { RaftNodeApi, RaftOptions, Ready } from '../core/index.ts';
import { PRESETS, mergeOptions } from './options.ts';
import { BUDGET_CHECKER, MESSAGES_PER_SECOND_BUDGET, RECORDED_EVENTS_MAX, Simulation, budgetsFor } from './simulation.ts';
import type { SimulationConfig } from './simulation.ts';

const options = mergeOptions(PRESETS.calm, { nodes: 3, durationMs: 5_000, livenessMs: 5_000 });

/** A core that sends every message `copies` times: the message flood of a broken flow control. */
function flooding(copies: number): (raftOptions: RaftOptions) => RaftNodeApi {
  return (raftOptions) => {
    const node = new RaftNode(raftOptions);
    const ready = node.ready.bind(node);
    node.ready = (): Ready => {
      const batch = ready();
      return { ...batch, messages: batch.messages.flatMap((message) => Array.from({ length: copies }, () => message)) };
    };
    return node;
  };
}

function run(config: Partial<SimulationConfig>): ReturnType<Simulation['run']> {
  return new Simulation({ seed: 3, options, schedule: [], record: true, ...config }).run();
}

describe('run budgets', () => {
  it('a run within its budgets is unchanged by them', () => {
    const free = run({});
    const generous = run({ budgets: { eventsMax: free.traceEvents, messagesPerSecondMax: 1_000_000 } });
    expect(free.halt).toBeNull();
    expect(generous.halt).toBeNull();
    expect(generous.hash).toBe(free.hash);
  });

  it('a run past its events budget stops with a budget violation that names it, its trace bounded', () => {
    const stopped = run({ budgets: { eventsMax: 500 } });
    expect(stopped.halt?.checker).toBe(BUDGET_CHECKER);
    expect(stopped.halt?.message).toContain('budget of 500 trace events');
    const events = stopped.events ?? [];
    expect(events[500]).toMatchObject({ type: 'violation', checker: BUDGET_CHECKER });
    // The dispatch under way when the budget ran out finishes; nothing after it runs.
    expect(events.length).toBeLessThan(600);
    expect(events.filter((event) => event.time > (events[500]?.time ?? 0))).toEqual([]);
    // Deterministic: the same stop at the same event, hash and all.
    expect(run({ budgets: { eventsMax: 500 } }).hash).toBe(stopped.hash);
  });

  it('a message flood stops within the simulated second it passes the default messages budget', () => {
    const flood = run({ factory: flooding(5_000) });
    expect(flood.halt?.checker).toBe(BUDGET_CHECKER);
    expect(flood.halt?.message).toContain(`budget of ${MESSAGES_PER_SECOND_BUDGET} messages in one simulated second`);
    expect(flood.timeMs).toBeLessThan(3_000);
    expect(flood.counters.messagesSent).toBeLessThan(MESSAGES_PER_SECOND_BUDGET * 3);
  });

  it('the events budget scales with the run\'s plan, and a recorded run keeps at most RECORDED_EVENTS_MAX', () => {
    const hour = mergeOptions(options, { durationMs: 3_600_000 });
    expect(budgetsFor(options, false).eventsMax).toBe(1_000_000);
    expect(budgetsFor(hour, false).eventsMax).toBe(80_000 * 3_605);
    expect(budgetsFor(hour, true).eventsMax).toBe(RECORDED_EVENTS_MAX);
    expect(budgetsFor(hour, true, { eventsMax: 7 }).eventsMax).toBe(7);
  });
});
