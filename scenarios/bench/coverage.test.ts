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

  it('finds a crashed leader and a cluster restarted at one instant', () => {
    const three = mergeOptions(DEFAULT_OPTIONS, { nodes: 3 });
    const trace = new TraceBuilder().leader(1, 2).at(10).crash(1).crash(2).crash(3).at(20).restart(1).at(20).restart(2).at(20).restart(3);
    const facts = traceFacts(trace.events, three);
    for (const fact of ['leader crashed', 'every node restarted at one instant']) expect(facts.has(fact), fact).toBe(true);
    // Restarts at different instants, and crashes of followers, are none of these.
    const staggered = new TraceBuilder().leader(1, 2).at(10).crash(2).crash(3).at(20).restart(2).at(21).restart(3).events;
    expect([...traceFacts(staggered, three)]).toEqual(['crash']);
    // Nor is the first start of every node.
    const started = new TraceBuilder().at(0).restart(1).at(0).restart(2).at(0).restart(3).events;
    expect([...traceFacts(started, three)]).toEqual([]);
  });

  it('tells the cluster restart and flapping link regimes by their options', () => {
    const electionMs = DEFAULT_OPTIONS.raft.electionTicks * DEFAULT_OPTIONS.tickMs;
    const facts = optionFacts(mergeOptions(DEFAULT_OPTIONS, { faults: { powerLossIntervalMsMean: 1, partitionIntervalMsMean: electionMs } }));
    expect(['option: power losses', 'option: flapping links'].every((fact) => facts.has(fact))).toBe(true);
    expect(facts.has('option: rolling restarts')).toBe(false);
    expect(optionFacts(DEFAULT_OPTIONS).has('option: flapping links')).toBe(false);
    expect(optionFacts(DEFAULT_OPTIONS).has(`option: tick ${DEFAULT_OPTIONS.tickMs} ms`)).toBe(true);
    expect(optionFacts(mergeOptions(DEFAULT_OPTIONS, { tickMs: 25 })).has('option: tick 25 ms')).toBe(true);
  });

  it('says whether the stability checker judges a run by its options', () => {
    const judged = 'option: stability judged (no stalls or membership changes)';
    expect(optionFacts(DEFAULT_OPTIONS).has(judged)).toBe(true);
    expect(optionFacts(mergeOptions(DEFAULT_OPTIONS, { network: { stallRatio: 0.01, stallMsMax: 1_000 } })).has(judged)).toBe(false);
    expect(optionFacts(mergeOptions(DEFAULT_OPTIONS, { membership: { changeIntervalMsMean: 1_000 } })).has(judged)).toBe(false);
  });

  it('counts options and runs seeds into a table of shares', () => {
    expect(optionFacts(lease).has('option: lease reads')).toBe(true);
    const coverage = measureCoverage(3, 2_000);
    expect(coverage.failed).toEqual([]);
    expect(coverage.rows.find((row) => row.fact === 'sometimes: leadersElected')?.seeds).toBe(3);
    expect(formatCoverage(coverage)[2]).toMatch(/^\| .+ \| \d+\.\d% \| \d+ \|$/);
  });
});
