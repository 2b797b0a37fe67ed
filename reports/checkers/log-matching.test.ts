import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { entries, entry, TraceBuilder } from './test-trace.ts';

const only = { names: ['log-matching'] } as const;

describe('log matching', () => {
  it('fails when two nodes hold different entries with the same index and term', () => {
    const trace = new TraceBuilder().append(1, 1, [entry(1, 1), entry(2, 1, 1)]).append(2, 1, [entry(1, 1), entry(2, 1, 2)]);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.checker).toBe('log-matching');
    expect(violation?.witnesses).toEqual([0, 1]);
    expect(violation?.message).toBe('Nodes 1 and 2 hold different entries at index 2 in term 1.');
  });

  it('fails when equal entries follow different prefixes', () => {
    const trace = new TraceBuilder().append(1, 1, [entry(1, 1, 1)]).append(2, 1, [entry(1, 1, 2)])
      .append(1, 2, [entry(2, 2)]).append(2, 2, [entry(2, 2)]);
    const { violation } = checkTrace(trace.events, only);
    // Index 1 already conflicts at event 1: the first difference is the one reported.
    expect(violation?.witnesses).toEqual([0, 1]);
  });

  it('reports a same-entry conflict when only an earlier entry differs', () => {
    const trace = new TraceBuilder().append(1, 1, [entry(1, 1, 1), entry(2, 2)]).append(2, 1, [entry(1, 2, 2), entry(2, 2)]);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.message).toBe('Nodes 1 and 2 hold the same entry at index 2 in term 2 after different earlier entries.');
    expect(violation?.witnesses).toEqual([0, 1]);
  });

  it('passes a follower truncating an uncommitted divergent tail', () => {
    const trace = new TraceBuilder()
      .append(1, 1, entries(1, 1, 1)).append(2, 1, entries(1, 1, 1, 2, 2))
      .append(1, 3, [entry(3, 3, 5), entry(4, 3, 5)])
      .append(2, 3, [entry(3, 3, 5), entry(4, 3, 5)]);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('passes logs rebuilt from snapshots, including an unknown prefix, and restarts that reload', () => {
    const trace = new TraceBuilder()
      .append(1, 1, entries(1, 1, 1, 1, 2)).append(2, 1, entries(1, 1, 1, 1, 2))
      .snapshot(3, 3, 1).append(3, 4, [entry(4, 2), entry(5, 2)])
      .snapshot(4, 4, 2, 99).append(4, 5, [entry(5, 2)])
      .append(1, 5, [entry(5, 2)])
      .crash(2).restart(2).append(2, 1, entries(1, 1, 1))
      .append(2, 4, [entry(4, 2), entry(5, 2)]);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('still finds a conflict after a snapshot whose point another node recorded', () => {
    const trace = new TraceBuilder().append(1, 1, [...entries(1, 1, 1), entry(3, 2, 1)])
      .snapshot(2, 2, 1).append(2, 3, [entry(3, 2, 9)]);
    expect(checkTrace(trace.events, only).violation?.witnesses).toEqual([0, 2]);
  });
});
