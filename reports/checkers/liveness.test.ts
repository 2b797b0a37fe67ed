import { describe, expect, it } from 'vitest';
import { CheckerSuite, checkTrace } from './suite.ts';
import { TraceBuilder } from './test-trace.ts';

const only = { names: ['liveness'], livenessBoundMs: 50 } as const;

describe('liveness', () => {
  it('fails as soon as an event passes the bound without a leader', () => {
    const trace = new TraceBuilder().at(100).phase('liveness').role(1, 'candidate', 2).at(150).heal().at(151).heal();
    const suite = new CheckerSuite(only);
    const found = trace.events.map((event, index) => suite.observe(event, index));
    expect(found.slice(0, 3)).toEqual([null, null, null]);
    expect(found[3]?.checker).toBe('liveness');
    expect(found[3]?.witnesses).toEqual([0]);
    expect(found[3]?.time).toBe(151);
  });

  it('fails when an operation pending at the start of the phase does not return within the bound', () => {
    const trace = new TraceBuilder().write(1, 1, 1).at(100).phase('liveness').leader(2, 3).at(151).heal();
    const { violation } = checkTrace(trace.events, only);
    expect(violation?.witnesses).toEqual([0, 1]);
    expect(violation?.message).toContain('had not returned by time 150');
  });

  it('fails when an operation called during the phase does not return within the bound', () => {
    const trace = new TraceBuilder().at(100).phase('liveness').leader(2, 3).at(140).write(1, 1, 1).at(191).heal();
    expect(checkTrace(trace.events, only).violation?.witnesses).toEqual([0, 2]);
  });

  it('passes a leader already in office and operations that return in time, late calls not yet due', () => {
    const trace = new TraceBuilder().leader(1, 1).write(1, 1, 1).at(100).phase('liveness').at(140).write(2, 2, 1)
      .at(149).returnOk(1, 1).at(185).returnUnknown(2, 2).at(188).write(2, 3, 1).at(200).heal();
    expect(checkTrace(trace.events, only).violation).toBeNull();
  });

  it('fails at the end of a run whose liveness phase never had a leader', () => {
    const trace = new TraceBuilder().at(100).phase('liveness').at(120).heal();
    expect(checkTrace(trace.events, only).violation?.message)
      .toBe('No leader was elected within 50 ms of the liveness phase that began at time 100.');
  });

  it('passes a run without a liveness phase', () => {
    expect(checkTrace(new TraceBuilder().write(1, 1, 1).at(10_000).heal().events, only).violation).toBeNull();
  });
});
