import { describe, expect, it } from 'vitest';
import { CheckerSuite, checkTrace } from './suite.ts';
import { appendReply, commandEntry, entry, TraceBuilder, voteReply } from './test-trace.ts';
import { CHECKER_NAMES } from './types.ts';

/**
 * A healthy 3-node run with the moves a naive checker misreads: a split vote, an old leader's
 * uncommitted tail truncated, a restart that lowers commit, a snapshot install, a re-election.
 */
function healthyRun(): TraceBuilder {
  const trace = new TraceBuilder().phase('safety')
    .term(1, 1, 1).role(1, 'candidate', 1).term(2, 1, 2).role(2, 'candidate', 1)
    .term(1, 2, 1).role(1, 'candidate', 2).term(2, 2, 1).send(voteReply(2, 1, 2, true)).term(3, 2, 1).send(voteReply(3, 1, 2, true))
    .leader(1, 2).append(1, 1, [entry(1, 2)]).write(1, 1, 1).append(1, 2, [commandEntry(2, 2, 1, 1)])
    .append(2, 1, [entry(1, 2), commandEntry(2, 2, 1, 1)]).send(appendReply(2, 1, 2, 2));
  trace.deliver(trace.lastMessageId, 2, 1).commit(1, 2).apply(1, entry(1, 2)).apply(1, commandEntry(2, 2, 1, 1)).returnOk(1, 1)
    .append(1, 3, [entry(3, 2, 1)]) // never replicated: will be truncated
    .term(2, 3, 2).role(2, 'candidate', 3).term(3, 3, 2).send(voteReply(3, 2, 3, true)).leader(2, 3)
    .append(2, 3, [entry(3, 3)]).append(3, 1, [entry(1, 2), commandEntry(2, 2, 1, 1), entry(3, 3)]).commit(2, 3)
    .term(1, 3).role(1, 'follower', 3).append(1, 3, [entry(3, 3)]).commit(1, 3).apply(1, entry(3, 3))
    .commit(3, 3).apply(3, entry(1, 2)).apply(3, commandEntry(2, 2, 1, 1)).apply(3, entry(3, 3)).compact(3, 3)
    .crash(3).restart(3).snapshot(3, 3, 3).role(3, 'follower', 3).commit(3, 3)
    .apply(2, entry(1, 2)).apply(2, commandEntry(2, 2, 1, 1)).apply(2, entry(3, 3)).compact(2, 3)
    .role(2, 'follower', 4).term(2, 4).term(1, 4, 1).role(1, 'candidate', 4).leader(1, 4).append(1, 4, [entry(4, 4)])
    .snapshot(2, 3, 3, 77).append(2, 4, [entry(4, 4)]).append(3, 4, [entry(4, 4)]).commit(1, 4).commit(2, 4)
    .apply(1, entry(4, 4)).apply(2, entry(4, 4))
    .at(1_000).phase('liveness').write(1, 2, 2).append(1, 5, [commandEntry(5, 4, 1, 2)]).append(2, 5, [commandEntry(5, 4, 1, 2)])
    .commit(1, 5).apply(1, commandEntry(5, 4, 1, 2)).returnOk(1, 2);
  return trace;
}

describe('checker suite', () => {
  it('passes a healthy run full of tricky non-violations, and counts what happened', () => {
    const { violation, sometimes } = checkTrace(healthyRun().events);
    expect(violation).toBeNull();
    expect(sometimes).toMatchObject({ splitVotes: 1, depositions: 2, truncations: 1, snapshotInstalls: 1, leadersElected: 3 });
  });

  it('goes on after a violation: each checker reports its first one once, the others keep judging', () => {
    const trace = new TraceBuilder().leader(1, 1).leader(2, 1).apply(1, entry(1, 1)).apply(2, entry(1, 1, 5)).leader(3, 1).write(1, 1, 1);
    const suite = new CheckerSuite();
    const found = trace.events.map((event, index) => suite.observe(event, index));
    expect(found[0]).toBeNull();
    expect(found[1]?.checker).toBe('election-safety');
    // The others still see every event: an apply past commit (invariants), then a different entry
    // applied at index 1 (state-machine safety).
    expect(found[2]?.checker).toBe('invariants');
    expect(found[3]?.checker).toBe('state-machine-safety');
    // A third leader of term 1 is not reported again: election safety has reported.
    expect(found[4]).toBeNull();
    const atEnd = suite.finish();
    expect(suite.violations().map((violation) => violation.checker)).toEqual(['election-safety', 'invariants', 'state-machine-safety', ...atEnd.map((v) => v.checker)]);
    expect(suite.finish()).toEqual([]);
    expect(suite.sometimes().leadersElected).toBe(3);
  });

  it('reports at finish, and ignores recorded violation events', () => {
    const trace = new TraceBuilder().write(1, 1, 1).returnOk(1, 1);
    const events = [{ type: 'violation', checker: 'x', message: 'recorded earlier', time: 2 } as const, ...trace.events];
    const { violation } = checkTrace(events);
    expect(violation?.checker).toBe('durability');
    expect(violation?.witnesses).toEqual([1, 2]);
  });

  it('hands liveness every event once its phase began: an overdue operation is reported at the first event past its deadline', () => {
    // Before the phase only calls and returns matter to liveness; a call pending when the phase
    // begins is due within the bound, and a message event past the deadline is what reveals it.
    const trace = new TraceBuilder().leader(1, 1).write(1, 1, 1).at(100).send(voteReply(2, 1, 1, true))
      .at(1_000).phase('liveness').at(1_500).send(voteReply(3, 1, 1, true)).at(1_600).send(voteReply(3, 1, 1, true));
    const suite = new CheckerSuite({ livenessBoundMs: 500, names: ['liveness'] });
    const found = trace.events.map((event, index) => suite.observe(event, index));
    const at = found.findIndex((violation) => violation !== null);
    expect(at).toBe(trace.events.length - 1);
    expect(found[at]).toMatchObject({ checker: 'liveness', time: 1_600, witnesses: [1, 3] });
    // Nothing was due before the phase, however late (no phase, no deadline).
    const noPhase = new TraceBuilder().leader(1, 1).write(1, 1, 1).at(100_000).send(voteReply(2, 1, 1, true));
    expect(checkTrace(noPhase.events, { livenessBoundMs: 500, names: ['liveness'] }).violation).toBeNull();
  });

  it('runs only the selected checkers and rejects a non-positive liveness bound', () => {
    const trace = new TraceBuilder().leader(1, 1).leader(2, 1);
    const others = CHECKER_NAMES.filter((name) => name !== 'election-safety');
    expect(checkTrace(trace.events, { names: others }).violation).toBeNull();
    expect(() => new CheckerSuite({ livenessBoundMs: 0 })).toThrow(RangeError);
  });
});
