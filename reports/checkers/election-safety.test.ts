import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { TraceBuilder } from './test-trace.ts';

const only = { names: ['election-safety'] } as const;

describe('election safety', () => {
  it('fails when two nodes lead the same term, naming both role events', () => {
    const trace = new TraceBuilder().leader(1, 2);
    const first = trace.last;
    trace.role(3, 'candidate', 3).leader(2, 2);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.checker).toBe('election-safety');
    expect(violation?.witnesses).toEqual([first, trace.last]);
    expect(violation?.message).toContain('term 2');
  });

  it('fails when a crashed leader is followed by another leader of the same term', () => {
    const trace = new TraceBuilder().leader(1, 5).crash(1).restart(1).leader(2, 5);
    expect(checkTrace(trace.events, only).violation?.witnesses).toEqual([0, 3]);
  });

  it('passes a leader re-elected in a later term and different leaders of different terms', () => {
    const trace = new TraceBuilder().leader(1, 1).role(1, 'follower', 2).leader(2, 2)
      .role(2, 'follower', 3).leader(1, 3).leader(1, 3);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });
});
