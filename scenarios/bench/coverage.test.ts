// The coverage bench reads facts from traces: each is found where it happened and not elsewhere.
import { describe, expect, it } from 'vitest';
import { TraceBuilder, voteReply } from '../../reports/checkers/test-trace.ts';
import { digestEntryData } from '../../sim/hash.ts';
import { DEFAULT_OPTIONS, mergeOptions } from '../../sim/options.ts';
import { formatCoverage, measureCoverage, optionFacts, traceFacts } from './coverage.ts';

const lease = mergeOptions(DEFAULT_OPTIONS, { raft: { leaseReads: true } });

describe('coverage facts', () => {
  it('tells a lease read (no delivery between call and return) from a ReadIndex read', () => {
    const leased = new TraceBuilder().call(1, 1, { type: 'read', key: 'x' }).return(1, 1, { type: 'result', result: { type: 'value', value: null } });
    expect(traceFacts(leased.events, lease).has('lease read served')).toBe(true);
    const readIndex = new TraceBuilder().call(1, 1, { type: 'read', key: 'x' }).deliver(1, 1, 2)
      .return(1, 1, { type: 'result', result: { type: 'value', value: null } });
    expect(traceFacts(readIndex.events, lease).has('lease read served')).toBe(false);
    expect(traceFacts(readIndex.events, lease).has('ReadIndex or lease read served')).toBe(true);
    expect(traceFacts(leased.events, DEFAULT_OPTIONS).has('lease read served')).toBe(false);
  });

  it('finds a completed transfer, a refused pre-vote, a CheckQuorum step-down and a committed change', () => {
    const trace = new TraceBuilder().leader(1, 3)
      .send({ type: 'TimeoutNow', from: 1, to: 2, term: 3 }).leader(2, 4)
      .send(voteReply(3, 2, 4, false, true))
      .role(2, 'follower', 4)
      .apply(1, { index: 9, term: 4, digest: digestEntryData({ type: 'confChange', change: { type: 'promote', node: 4 } }) });
    const facts = traceFacts(trace.events, DEFAULT_OPTIONS);
    for (const fact of ['leadership transfer completed', 'pre-vote refused', 'CheckQuorum step-down', 'configuration change committed: promote']) {
      expect(facts.has(fact), fact).toBe(true);
    }
    const plain = traceFacts(new TraceBuilder().leader(1, 3).leader(2, 4).role(2, 'follower', 5).events, DEFAULT_OPTIONS);
    expect([...plain]).toEqual([]);
  });

  it('counts options and runs seeds into a table of shares', () => {
    expect(optionFacts(lease).has('option: lease reads')).toBe(true);
    const coverage = measureCoverage(3, 2_000);
    expect(coverage.failed).toEqual([]);
    expect(coverage.rows.find((row) => row.fact === 'sometimes: leadersElected')?.seeds).toBe(3);
    expect(formatCoverage(coverage)[2]).toMatch(/^\| .+ \| \d+\.\d% \| \d+ \|$/);
  });
});
