import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { entries, entry, TraceBuilder } from './test-trace.ts';

const only = { names: ['state-machine-safety'] } as const;

describe('state machine safety', () => {
  it('fails when two nodes apply different entries at one index, naming both applies', () => {
    const trace = new TraceBuilder().apply(1, entry(1, 1, 1)).apply(2, entry(1, 1, 2));
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.checker).toBe('state-machine-safety');
    expect(violation?.witnesses).toEqual([0, 1]);
    expect(violation?.message).toContain('Nodes 1 and 2 applied different entries at index 1');
  });

  it('fails on a gap and on a re-apply', () => {
    const gap = new TraceBuilder().apply(1, entry(1, 1)).apply(1, entry(3, 1));
    expect(checkTrace(gap.events, only).violation?.message).toContain('skipping 2');
    const again = new TraceBuilder().apply(1, entry(1, 1)).apply(1, entry(1, 1));
    expect(checkTrace(again.events, only).violation?.witnesses).toEqual([0, 1]);
  });

  it('passes a snapshot install followed by applies from the snapshot index + 1', () => {
    const trace = new TraceBuilder().apply(1, entry(1, 1)).apply(1, entry(2, 1)).apply(1, entry(3, 2))
      .snapshot(2, 2, 1).apply(2, entry(3, 2));
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('passes re-applies after a restart from a snapshot, and fails one that differs', () => {
    const base = new TraceBuilder().apply(1, entry(1, 1)).apply(1, entry(2, 1)).apply(1, entry(3, 1))
      .compact(1, 1).crash(1).restart(1).snapshot(1, 1, 1);
    expect(checkTrace(new TraceBuilder().apply(1, entry(1, 1)).events, only).violation).toBeNull();
    const good = base.events.concat(new TraceBuilder().apply(1, entry(2, 1)).apply(1, entry(3, 1)).events);
    expect(checkTrace(good, only).violation).toBeNull();
    const bad = base.events.concat(new TraceBuilder().apply(1, entry(2, 1, 9)).events);
    expect(checkTrace(bad, only).violation?.witnesses).toEqual([1, bad.length - 1]);
  });

  it('fails a snapshot that rolls an up node back below what it applied', () => {
    const trace = new TraceBuilder().apply(1, entry(1, 1)).apply(1, entry(2, 1)).snapshot(1, 1, 1);
    expect(checkTrace(trace.events, only).violation?.message).toContain('rolling its state machine back');
  });

  it('fails a snapshot whose last term differs from what was applied there', () => {
    const trace = new TraceBuilder().apply(1, entry(1, 1)).apply(1, entry(2, 1)).snapshot(2, 2, 3);
    expect(checkTrace(trace.events, only).violation?.witnesses).toEqual([1, 2]);
  });

  it('fails when a node commits an entry other than the one committed at that index', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1)).commit(1, 1).append(2, 1, entries(1, 2)).commit(2, 1);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.witnesses).toEqual([1, 3]);
    expect(violation?.message).toContain('where node 1 had committed the entry of term 1');
  });
});
