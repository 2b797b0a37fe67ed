import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/index.ts';
import { DEFAULT_OPTIONS, mergeOptions } from '../../sim/options.ts';
import { availabilityOptions } from './availability.ts';
import type { AvailabilityOptions } from './availability.ts';
import { checkTrace } from './suite.ts';
import { TraceBuilder, entries } from './test-trace.ts';

const bounds: AvailabilityOptions = { nodes: 3, quorum: 2, leaderMs: 1_000, progressMs: 1_000 };
const only = (availability: AvailabilityOptions | null = bounds) => ({ names: ['availability'] as const, livenessBoundMs: 30_000, availability });

/** Three nodes started at time 0 (each restart, as a run's trace begins). */
function started(): TraceBuilder {
  return new TraceBuilder().at(0).phase('safety').restart(1).restart(2).restart(3);
}

function partition(trace: TraceBuilder, time: number, cut: readonly (readonly [NodeId, NodeId])[]): TraceBuilder {
  trace.events.push({ type: 'partition', kind: 'explicit', cut, time });
  return trace.at(time + 1);
}

describe('availability', () => {
  it('fires when a healthy quorum elects no leader for longer than the bound', () => {
    const trace = started().role(1, 'candidate', 1).at(600).role(2, 'candidate', 2).at(1_200).heal();
    const { violation } = checkTrace(trace.events, only());
    expect(violation?.checker).toBe('availability');
    expect(violation?.message).toContain('none of them was leader');
    expect(violation?.time).toBe(1_200);
  });

  it('passes the same trace when a leader is elected within the bound', () => {
    const trace = started().role(1, 'candidate', 1).at(600).role(2, 'candidate', 2).leader(2, 2).at(1_900).heal();
    expect(checkTrace(trace.events, only()).violation).toBeNull();
  });

  it('fires at the end of the run too, when no later event passes the bound', () => {
    const trace = started().at(5_000).role(1, 'candidate', 1);
    expect(checkTrace(trace.events, only()).violation?.checker).toBe('availability');
  });

  it('does not judge a cluster without a healthy quorum: crashed, paused or cut off', () => {
    const crashed = started().crash(2).crash(3).at(5_000).heal();
    expect(checkTrace(crashed.events, only()).violation).toBeNull();
    const split = partition(started(), 10, [[1, 2], [2, 1], [1, 3], [3, 1], [2, 3], [3, 2]]).at(5_000).role(1, 'candidate', 4);
    expect(checkTrace(split.events, only()).violation).toBeNull();
    const paused = started();
    paused.events.push({ type: 'pause', node: 2, time: 10 }, { type: 'pause', node: 3, time: 10 });
    expect(checkTrace(paused.at(5_000).role(1, 'candidate', 4).events, only()).violation).toBeNull();
  });

  it('does not judge a quorum that an outsider can still reach one way (a disruptive server)', () => {
    // Node 3 hears nobody but can send to 1 and 2: its campaigns may depose every leader.
    const deaf = partition(started(), 10, [[1, 3], [2, 3]]).at(5_000).role(1, 'candidate', 9);
    expect(checkTrace(deaf.events, only()).violation).toBeNull();
    // Cut off both ways, it cannot: nodes 1 and 2 owe a leader.
    const isolated = partition(started(), 10, [[1, 3], [3, 1], [2, 3], [3, 2]]).at(5_000).role(1, 'candidate', 9);
    expect(checkTrace(isolated.events, only()).violation?.message).toContain('Nodes 1, 2 were up');
  });

  it('starts the stretch again at every fault, heal and message lost at a full link', () => {
    const trace = started().at(900).crash(3).at(1_800).restart(3).at(2_700);
    trace.events.push({ type: 'drop', id: 1, from: 1, to: 2, reason: 'capacity', time: 2_700 });
    expect(checkTrace(trace.at(3_600).heal().events, only()).violation).toBeNull();
    expect(checkTrace(trace.at(4_700).heal().events, only()).violation?.checker).toBe('availability');
  });

  it('fires when a leader holds uncommitted entries and nothing moves for longer than the bound', () => {
    const trace = started().leader(1, 1).append(1, 1, entries(1, 1, 1)).append(2, 1, entries(1, 1)).at(500).commit(1, 1)
      .at(1_600).heal();
    const { violation } = checkTrace(trace.events, only());
    expect(violation?.message).toContain('Leader 1 (term 1)');
    expect(violation?.message).toContain('commit index 1');
  });

  it('counts a commit, a follower append or a refused append as progress, and a committed log as done', () => {
    const moving = started().leader(1, 1).append(1, 1, entries(1, 1, 1, 1)).at(900).append(2, 1, entries(1, 1))
      .at(1_800).commit(1, 1).at(2_700).append(3, 1, entries(1, 1)).at(3_000).commit(1, 3).at(9_000).heal();
    expect(checkTrace(moving.events, only()).violation).toBeNull();
    const refused = started().leader(1, 1).append(1, 1, entries(1, 1)).at(900)
      .send({ type: 'AppendEntriesReply', from: 2, to: 1, term: 1, success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 0, round: 1 })
      .at(1_800).commit(1, 1).at(9_000).heal();
    expect(checkTrace(refused.events, only()).violation).toBeNull();
  });

  it('is inert without bounds: named scenarios and lossy runs', () => {
    const trace = started().at(50_000).heal();
    expect(checkTrace(trace.events, only(null)).violation).toBeNull();
    expect(availabilityOptions(mergeOptions(DEFAULT_OPTIONS, { network: { lossRatio: 0.01 } }))).toBeNull();
    expect(availabilityOptions(mergeOptions(DEFAULT_OPTIONS, { network: { stallRatio: 0.01, stallMsMax: 100 } }))).toBeNull();
  });

  it('bounds a calm run by ten of its longest election timeouts; every node with membership changes', () => {
    const calm = mergeOptions(DEFAULT_OPTIONS, { network: { lossRatio: 0, delayMsMax: 50 }, clockDriftRatioMax: 0 });
    expect(availabilityOptions(calm)).toEqual({ nodes: 5, quorum: 3, leaderMs: 10 * (2 * 10 * 100 + 100), progressMs: 21_000 });
    const changing = mergeOptions(calm, { membership: { changeIntervalMsMean: 1_000 } });
    expect(availabilityOptions(changing)?.quorum).toBe(5);
    // Two nodes: both votes for every election, so three times the rounds (sim/options.ts TWO_NODE_ROUNDS).
    expect(availabilityOptions(mergeOptions(calm, { nodes: 2 }))?.leaderMs).toBe(3 * 10 * (2 * 10 * 100 + 100));
    expect(availabilityOptions(mergeOptions(calm, { membership: { transferIntervalMsMean: 1_000 } }))?.quorum).toBe(3);
  });
});
