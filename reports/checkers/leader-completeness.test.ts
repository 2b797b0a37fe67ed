import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { entries, entry, TraceBuilder } from './test-trace.ts';

const only = { names: ['leader-completeness'] } as const;

/** Node 1 leads term 1 and commits indexes 1 and 2; node 2 has the entries too. */
function committedTwo(): TraceBuilder {
  return new TraceBuilder().leader(1, 1).append(1, 1, entries(1, 1, 1)).append(2, 1, entries(1, 1, 1)).commit(1, 2);
}

describe('leader completeness', () => {
  it('fails when a later leader lacks a committed entry, naming the commit and the election', () => {
    const trace = committedTwo().append(3, 1, entries(1, 1)).role(3, 'leader', 2);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.checker).toBe('leader-completeness');
    expect(violation?.witnesses).toEqual([3, trace.last]);
    expect(violation?.message).toContain('Node 3 was elected leader of term 2 but its log ends at index 1');
  });

  it('fails when a later leader holds a different entry at a committed index', () => {
    const trace = committedTwo().append(3, 1, [entry(1, 1), entry(2, 1, 5)]).leader(3, 4);
    expect(checkTrace(trace.events, only).violation?.message).toContain('index 2');
  });

  it('passes a leader re-elected in a later term and a leader whose snapshot covers the entries', () => {
    const trace = committedTwo().role(1, 'follower', 2).leader(2, 2).role(2, 'follower', 3).leader(1, 3)
      .snapshot(3, 2, 1).leader(3, 4);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('passes a leader of an earlier term elected after the commit (late vote replies)', () => {
    const trace = new TraceBuilder().leader(1, 3).append(1, 1, [entry(1, 3)]).append(2, 1, [entry(1, 3)]).commit(1, 1)
      .leader(3, 2);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('fails when the covering snapshot ends in a different term than the committed entry', () => {
    const trace = committedTwo().snapshot(3, 2, 3).leader(3, 4);
    expect(checkTrace(trace.events, only).violation?.message).toContain('snapshot ends at index 2 in term 3');
  });
});
