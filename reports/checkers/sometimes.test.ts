import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { commandEntry, entries, entry, TraceBuilder } from './test-trace.ts';

describe('sometimes counters', () => {
  it('counts what a busy run did', () => {
    const trace = new TraceBuilder()
      .role(1, 'candidate', 1).role(2, 'candidate', 1)
      .role(1, 'candidate', 2).leader(1, 2).append(1, 1, entries(1, 2, 2, 2)).append(2, 1, entries(1, 1, 1, 1))
      .append(2, 2, entries(2, 2, 2)).role(1, 'follower', 3).term(3, 3).leader(2, 4)
      .crash(1).restart(1).snapshot(1, 1, 2).append(1, 2, entries(2, 2))
      .snapshot(3, 3, 2)
      .write(5, 1, 1).returnUnknown(5, 1).write(5, 2, 1).returnOk(5, 2).write(5, 3, 2);
    expect(checkTrace(trace.events, { names: [] }).sometimes).toEqual({
      splitVotes: 1, depositions: 1, truncations: 1, snapshotInstalls: 1, clientRetries: 1,
      indeterminateOperations: 2, leadersElected: 2, termsSeen: 4,
    });
  });

  it('counts a command a leader takes again as a retry, without a second call (a simulated client retrying)', () => {
    const command = { clientId: 5, sequence: 1, op: { type: 'put' as const, key: 'x', value: '1' } };
    const trace = new TraceBuilder()
      .leader(1, 1).call(5, 1, { type: 'command', command }).append(1, 1, [commandEntry(1, 1, 5, 1)])
      .append(2, 1, [commandEntry(1, 1, 5, 1)])          // a follower copying it is no retry
      .crash(1).restart(1).append(1, 1, [commandEntry(1, 1, 5, 1)])   // nor a restart reloading it
      .leader(2, 2).append(2, 2, [commandEntry(2, 2, 5, 1)])          // the timed-out client asks node 2
      .leader(3, 3).append(3, 3, [commandEntry(3, 3, 5, 1)]);
    expect(checkTrace(trace.events, { names: [] }).sometimes.clientRetries).toBe(2);
  });

  it('counts a retry once when a scripted client calls again and the leader takes the command again', () => {
    const trace = new TraceBuilder().leader(1, 1)
      .write(5, 1, 1).append(1, 1, [commandEntry(1, 1, 5, 1)]).returnUnknown(5, 1)
      .write(5, 2, 1).append(1, 2, [commandEntry(2, 1, 5, 1)]).returnOk(5, 2);
    expect(checkTrace(trace.events, { names: [] }).sometimes.clientRetries).toBe(1);
  });

  it('counts nothing for an empty trace', () => {
    expect(Object.values(checkTrace([]).sometimes).every((count) => count === 0)).toBe(true);
    expect(checkTrace(new TraceBuilder().append(1, 1, [entry(1, 1)]).append(1, 2, [entry(2, 1)]).events).sometimes.truncations).toBe(0);
  });
});
