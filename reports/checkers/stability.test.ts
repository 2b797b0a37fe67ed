import { describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../core/index.ts';
import { DEFAULT_OPTIONS, mergeOptions } from '../../sim/options.ts';
import { stabilityOptions } from './stability.ts';
import type { StabilityOptions } from './stability.ts';
import { checkTrace } from './suite.ts';
import { TraceBuilder, voteReply } from './test-trace.ts';

const bounds: StabilityOptions = { nodes: 3, heartbeatGapMs: 200, timeoutMs: 900 };
const only = (stability: StabilityOptions | null = bounds) => ({ names: ['stability'] as const, livenessBoundMs: 30_000, stability });
const judge = (trace: TraceBuilder, stability: StabilityOptions | null = bounds) => checkTrace(trace.events, only(stability)).violation;

function heartbeat(from: NodeId, to: NodeId, term: number): Message {
  return { type: 'AppendEntries', from, to, term, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, round: 0 };
}

function snapshot(from: NodeId, to: NodeId, term: number): Message {
  return { type: 'InstallSnapshot', from, to, term, snapshot: { metadata: { index: 5, term, config: { voters: [1, 2, 3], learners: [] } }, data: null }, round: 0 } as Message;
}

/** Sends a heartbeat of `leader` in `term` to `to` and delivers it. */
function beat(trace: TraceBuilder, leader: NodeId, to: NodeId, term: number): TraceBuilder {
  trace.send(heartbeat(leader, to, term));
  return trace.deliver(trace.lastMessageId, leader, to);
}

/** Three nodes started at time 0 (each restart, as a run's trace begins), node 1 elected in term 1. */
function elected(): TraceBuilder {
  return new TraceBuilder().at(0).phase('safety').restart(1).restart(2).restart(3)
    .term(1, 1, 1).role(1, 'candidate', 1).term(2, 1, 1).term(3, 1, 1).leader(1, 1);
}

/** Elected, and both followers have heard the leader's heartbeats since time 10. */
function settled(): TraceBuilder {
  const trace = beat(elected().at(10), 1, 2, 1);
  return beat(trace, 1, 3, 1).at(100);
}

describe('stability', () => {
  it('fails a follower that campaigns while its leader\'s heartbeats reach it', () => {
    const trace = settled();
    beat(trace, 1, 2, 1).at(300).term(2, 2, 2).role(2, 'candidate', 2);
    const violation = judge(trace);
    expect(violation?.checker).toBe('stability');
    expect(violation?.time).toBe(300);
    expect(violation?.message).toContain('Node 2 moved to term 2 at time 300 while leader 1 of term 1 was in office');
    expect(violation?.message).toContain('reaching it since time 11');
    // Witnesses: the start of the stretch (node 3's restart), node 2's first heartbeat, the term change.
    expect(violation?.witnesses).toEqual([3, 10, trace.last - 1]);
  });

  it('lets a leadership transfer\'s target campaign: a TimeoutNow in flight, and its arrival, start the stretch again', () => {
    const timeoutNow = (): Message => ({ type: 'TimeoutNow', from: 1, to: 2, term: 1 } as Message);
    // The target campaigns on arrival, even when heartbeats reached every node while it was in flight.
    const transfer = settled().at(200).send(timeoutNow());
    const id = transfer.lastMessageId;
    beat(transfer, 1, 2, 1);
    beat(transfer, 1, 3, 1).at(240).deliver(id, 1, 2).term(2, 2, 2).role(2, 'candidate', 2);
    expect(judge(transfer)).toBeNull();
    // A duplicated TimeoutNow: judging waits for the last copy.
    const twice = settled().at(200).send(timeoutNow());
    const copied = twice.lastMessageId;
    twice.duplicate(copied).deliver(copied, 1, 2);
    beat(twice, 1, 2, 1);
    beat(twice, 1, 3, 1).at(260).deliver(copied, 1, 2).term(3, 2, 2);
    expect(judge(twice)).toBeNull();
    // After the transfer's copies landed, a node that campaigns while heartbeats reach it still fails.
    const after = settled().at(200).send(timeoutNow());
    after.deliver(after.lastMessageId, 1, 2);
    beat(after, 1, 2, 1);
    beat(after, 1, 3, 1).at(400).role(3, 'precandidate', 1);
    expect(judge(after)?.message).toContain('Node 3 became precandidate in term 1');
  });

  it('fails a precandidate too, and a term raised without campaigning (a PreVote that bumps the term)', () => {
    expect(judge(settled().at(300).role(3, 'precandidate', 1))?.message).toContain('Node 3 became precandidate in term 1');
    expect(judge(settled().at(300).term(3, 2))?.message).toContain('Node 3 moved to term 2');
    // A candidate that ignores an append of its own term and campaigns again.
    const stuck = elected().at(10).role(2, 'candidate', 1);
    beat(stuck, 1, 2, 1);
    beat(stuck, 1, 3, 1).at(500).term(2, 2, 2);
    expect(judge(stuck)?.message).toContain('Node 2 moved to term 2');
  });

  it('counts an InstallSnapshot of the leader as hearing it', () => {
    const trace = beat(elected().at(10), 1, 2, 1).send(snapshot(1, 3, 1));
    trace.deliver(trace.lastMessageId, 1, 3).snapshot(3, 5, 1).at(300).role(3, 'candidate', 2);
    expect(judge(trace)?.checker).toBe('stability');
  });

  it('does not judge before every node has heard the leader in its term', () => {
    expect(judge(beat(elected().at(10), 1, 2, 1).at(300).role(3, 'candidate', 2))).toBeNull();
    // A follower still in an earlier term moves to the leader's term on its first append: no change to judge.
    const behind = new TraceBuilder().at(0).restart(1).restart(2).restart(3).term(1, 1, 1).term(2, 1, 1).leader(1, 1);
    beat(behind.at(10), 1, 2, 1);
    beat(behind, 1, 3, 1).term(3, 1).role(3, 'follower', 1).at(20).term(3, 1, 2);
    expect(judge(behind)).toBeNull();
    expect(judge(behind.at(300).role(3, 'candidate', 2))?.checker).toBe('stability');
  });

  it('ignores appends of an earlier term or another node: late duplicates, a deposed leader, a receiver ahead', () => {
    // Node 2 leads term 2; node 3 only gets node 1's old append of term 1, duplicated and delivered late.
    const stale = new TraceBuilder().at(0).restart(1).restart(2).restart(3);
    stale.send(heartbeat(1, 3, 1)).duplicate(stale.lastMessageId);
    const old = stale.lastMessageId;
    stale.deliver(old, 1, 3).term(1, 2, 2).term(2, 2, 2).term(3, 2, 2).role(2, 'candidate', 2).leader(2, 2);
    beat(stale, 2, 1, 2).deliver(old, 1, 3).at(300).role(3, 'candidate', 3);
    expect(judge(stale)).toBeNull();
    // A receiver already in a later term refuses the leader's append: it has not heard it.
    const ahead = beat(elected().at(10), 1, 2, 1).term(3, 2);
    beat(ahead, 1, 3, 1).at(300).role(3, 'candidate', 3);
    expect(judge(ahead)).toBeNull();
  });

  it('allows a vote cast late in the same term, and a late PreVote answered without a change of term', () => {
    const trace = settled();
    trace.send({ type: 'RequestVote', from: 2, to: 3, term: 1, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: false });
    trace.deliver(trace.lastMessageId, 2, 3).term(3, 1, 2).send(voteReply(3, 2, 1, false));
    trace.send({ type: 'RequestVote', from: 3, to: 2, term: 2, lastLogIndex: 0, lastLogTerm: 0, preVote: true, transfer: false });
    trace.deliver(trace.lastMessageId, 3, 2).send(voteReply(2, 3, 2, true, true)).at(900);
    expect(judge(trace)).toBeNull();
  });

  it('ends the judging when the leader steps down (CheckQuorum): the next election is no violation', () => {
    expect(judge(settled().at(300).role(1, 'follower', 1).at(1_500).term(2, 2, 2).role(2, 'candidate', 2).leader(2, 2))).toBeNull();
  });

  it('starts the stretch again at a crash, restart, pause or resume: a node must hear the leader anew', () => {
    const restarted = settled().crash(3).at(200).restart(3).at(900).role(3, 'candidate', 2);
    expect(judge(restarted)).toBeNull();
    const heardAgain = settled().crash(3).at(200).restart(3);
    beat(heardAgain, 1, 3, 1);
    beat(heardAgain, 1, 2, 1).at(900).role(3, 'candidate', 2);
    expect(judge(heardAgain)?.message).toContain('reaching it since time 202');
    const paused = settled();
    paused.events.push({ type: 'pause', node: 2, time: 150 }, { type: 'resume', node: 2, time: 400 });
    expect(judge(paused.at(401).role(2, 'candidate', 2))).toBeNull();
    // A crashed leader is no leader: its followers' elections are no violation either.
    expect(judge(settled().crash(1).at(900).role(2, 'candidate', 2))).toBeNull();
  });

  it('starts the stretch again at any lost message: a heartbeat lost at a full link lets a follower time out', () => {
    const trace = settled();
    trace.send(heartbeat(1, 2, 1));
    trace.events.push({ type: 'drop', id: trace.lastMessageId, from: 1, to: 2, reason: 'capacity', time: 150 });
    expect(judge(trace.at(900).role(2, 'candidate', 2))).toBeNull();
    const lost = settled();
    lost.send(heartbeat(1, 3, 1)).drop(lost.lastMessageId, 1, 3);
    beat(lost, 1, 2, 1).at(900).role(3, 'candidate', 2);
    expect(judge(lost)).toBeNull();
  });

  it('does not judge under a partition, the liveness phase\'s kept one included; the heal starts a new stretch', () => {
    const cut = settled();
    cut.events.push({ type: 'partition', kind: 'isolate', cut: [[1, 3], [3, 1], [2, 3], [3, 2]], time: 150 });
    beat(cut.at(151), 1, 2, 1);
    expect(judge(cut.at(900).role(3, 'candidate', 2))).toBeNull();
    const kept = settled().at(1_000).phase('liveness').heal();
    kept.events.push({ type: 'partition', kind: 'isolate', cut: [[1, 3], [2, 3]], time: 1_001 });
    beat(kept.at(1_002), 1, 2, 1);
    beat(kept, 1, 3, 1).at(1_900).role(3, 'candidate', 2);
    expect(judge(kept)).toBeNull();
    // The phase switch and its heal alone are fine: once both followers hear the leader again, judged.
    const healed = settled().at(1_000).phase('liveness').heal();
    beat(healed, 1, 2, 1);
    beat(healed, 1, 3, 1).at(1_500).role(3, 'candidate', 2);
    expect(judge(healed)?.checker).toBe('stability');
  });

  it('is inert without bounds', () => {
    expect(judge(settled().at(300).role(2, 'candidate', 2), null)).toBeNull();
  });

  it('judges only runs without stalls or membership changes (transfers are judged), whose heartbeats arrive well within the election timeout', () => {
    const calm = mergeOptions(DEFAULT_OPTIONS, { network: { lossRatio: 0, delayMsMin: 1, delayMsMax: 50 }, clockDriftRatioMax: 0 });
    // heartbeatTicks 1 of 100 ms, a spread of 49 ms, a tick of slack; 9 ticks of 100 ms.
    expect(stabilityOptions(calm)).toEqual({ nodes: 5, heartbeatGapMs: 249, timeoutMs: 900 });
    // Drift: ticks of 110 ms at the slowest, 90 ms at the fastest.
    expect(stabilityOptions(mergeOptions(calm, { clockDriftRatioMax: 0.1 }))).toEqual({ nodes: 5, heartbeatGapMs: 269, timeoutMs: 810 });
    // Loss is judged: every lost message is a drop event, which starts the stretch again.
    expect(stabilityOptions(mergeOptions(calm, { network: { lossRatio: 0.25 } }))).not.toBeNull();
    expect(stabilityOptions(mergeOptions(calm, { network: { stallRatio: 0.01, stallMsMax: 100 } }))).toBeNull();
    expect(stabilityOptions(mergeOptions(calm, { membership: { changeIntervalMsMean: 1_000 } }))).toBeNull();
    // Transfers are judged (a TimeoutNow in flight suspends it).
    expect(stabilityOptions(mergeOptions(calm, { membership: { transferIntervalMsMean: 1_000 } }))).not.toBeNull();
    // Heartbeats every 4 ticks and a spread of 500 ms: a follower may legitimately time out.
    expect(stabilityOptions(mergeOptions(calm, { raft: { heartbeatTicks: 4 }, network: { delayMsMax: 501 } }))).toBeNull();
  });
});
