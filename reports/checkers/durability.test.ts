import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { commandEntry, entries, entry, TraceBuilder } from './test-trace.ts';

const only = { names: ['durability'] } as const;

describe('durability', () => {
  it('fails at the end when an acknowledged write is not in the committed log', () => {
    const trace = new TraceBuilder().write(7, 1, 1).append(1, 1, [commandEntry(1, 1, 7, 1)]).returnOk(7, 1);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.checker).toBe('durability');
    expect(violation?.witnesses).toEqual([0, 2]);
    expect(violation?.message).toContain('client 7 with sequence 1 was acknowledged');
  });

  it('passes an acknowledged committed write, a get, an unknown write and an unacknowledged one', () => {
    const trace = new TraceBuilder().write(7, 1, 1).append(1, 1, [commandEntry(1, 1, 7, 1)]).commit(1, 1).returnOk(7, 1)
      .get(7, 2, 2).returnOk(7, 2).write(8, 3, 1).returnUnknown(8, 3).write(9, 4, 1);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('passes a write acknowledged to a retry of the same (client, sequence)', () => {
    const trace = new TraceBuilder().write(7, 1, 1).returnUnknown(7, 1).write(7, 2, 1)
      .append(2, 1, [commandEntry(1, 2, 7, 1)]).commit(2, 1).returnOk(7, 2);
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('fails when a committed index is committed again with another entry', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1)).commit(1, 1).append(2, 1, entries(1, 2)).commit(2, 1);
    expect(checkTrace(trace.events, only).violation?.checker).toBe('durability');
  });

  it('fails when a node ends the run holding another entry at an index it committed', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1, 1)).commit(1, 2).append(1, 2, [entry(2, 2)]);
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.message).toContain('Node 1 ends the run holding the entry of term 2 at index 2');
    expect(violation?.witnesses).toEqual([1, 2]);
  });

  it('passes a node that ends the run with an uncommitted divergent tail', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1, 1)).commit(1, 1).append(2, 1, entries(1, 1, 2, 2));
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });
});
