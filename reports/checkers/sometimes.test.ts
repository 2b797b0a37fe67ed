import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { entries, entry, TraceBuilder } from './test-trace.ts';

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

  it('counts nothing for an empty trace', () => {
    expect(Object.values(checkTrace([]).sometimes).every((count) => count === 0)).toBe(true);
    expect(checkTrace(new TraceBuilder().append(1, 1, [entry(1, 1)]).append(1, 2, [entry(2, 1)]).events).sometimes.truncations).toBe(0);
  });
});
