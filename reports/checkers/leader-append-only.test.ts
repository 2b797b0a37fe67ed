import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { entries, entry, TraceBuilder } from './test-trace.ts';

const only = { names: ['leader-append-only'] } as const;

describe('leader append-only', () => {
  it('fails when a leader overwrites its own entry, naming its election and the append', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1, 1)).leader(1, 2).append(1, 3, [entry(3, 2)])
      .append(1, 2, [entry(2, 2)]);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.checker).toBe('leader-append-only');
    expect(violation?.witnesses).toEqual([1, 3]);
    expect(violation?.message).toContain('changed its own entry at index 2');
  });

  it('fails when a leader truncates its tail', () => {
    const trace = new TraceBuilder().leader(1, 1).append(1, 1, entries(1, 1, 1, 1)).append(1, 3, []);
    expect(checkTrace(trace.events, only).violation?.witnesses).toEqual([0, 2]);
  });

  it('passes a deposed leader truncating, and a leader re-elected later appending', () => {
    const trace = new TraceBuilder().leader(1, 1).append(1, 1, entries(1, 1, 1, 1))
      .role(1, 'follower', 2).append(1, 2, [entry(2, 2)])
      .leader(1, 3).append(1, 3, [entry(3, 3)]).append(1, 4, [entry(4, 3)]);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('passes a leader that crashed and reloads a shorter log after restart', () => {
    const trace = new TraceBuilder().leader(1, 1).append(1, 1, entries(1, 1, 1, 1)).crash(1).restart(1)
      .append(1, 1, entries(1, 1));
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });
});
