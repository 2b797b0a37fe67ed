import { describe, expect, it } from 'vitest';
import { checkTrace } from './suite.ts';
import { appendReply, entries, entry, TraceBuilder, voteReply } from './test-trace.ts';

const only = { names: ['invariants'] } as const;

function violationOf(trace: TraceBuilder) {
  return checkTrace(trace.events, only).violation;
}

describe('invariants', () => {
  it('fails when a term goes down, across a restart too', () => {
    const trace = new TraceBuilder().term(1, 3, 1).crash(1).restart(1).term(1, 2);
    const found = violationOf(trace);
    expect(found?.checker).toBe('invariants');
    expect(found?.witnesses).toEqual([0, 3]);
    expect(found?.message).toBe("Node 1's term went down from 3 to 2.");
  });

  it('fails when a node grants its vote in one term to two candidates', () => {
    const trace = new TraceBuilder().send(voteReply(3, 1, 4, true)).send(voteReply(3, 1, 4, true)).send(voteReply(3, 2, 4, true));
    expect(violationOf(trace)?.witnesses).toEqual([0, 2]);
  });

  it('passes pre-votes and refusals to several candidates, and votes in different terms', () => {
    const trace = new TraceBuilder().send(voteReply(3, 1, 4, true, true)).send(voteReply(3, 2, 4, true, true))
      .send(voteReply(3, 2, 4, false)).send(voteReply(3, 1, 4, true)).send(voteReply(3, 2, 5, true));
    expect(violationOf(trace)).toBeNull();
  });

  it('fails when the commit index goes down while the node is up', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1, 1, 1)).commit(1, 3).commit(1, 2);
    expect(violationOf(trace)?.message).toContain('went down from 3 to 2 while it was up');
  });

  it('passes a restart that lowers the commit index, and applies after it before any commit', () => {
    const trace = new TraceBuilder().append(1, 1, entries(1, 1, 1, 1)).commit(1, 3).crash(1).restart(1)
      .append(1, 1, entries(1, 1, 1, 1)).apply(1, entry(1, 1)).commit(1, 1).commit(1, 3);
    expect(violationOf(trace)).toBeNull();
  });

  it('fails a commit beyond the last index and an apply beyond the commit index', () => {
    expect(violationOf(new TraceBuilder().append(1, 1, entries(1, 1)).commit(1, 2))?.message)
      .toBe('Node 1 committed index 2 beyond its last index 1.');
    const trace = new TraceBuilder().append(1, 1, entries(1, 1, 1)).commit(1, 1).apply(1, entry(1, 1)).apply(1, entry(2, 1));
    expect(violationOf(trace)?.witnesses).toEqual([1, 3]);
  });

  it('fails a match index beyond the leader log, and ignores a reply from an older term', () => {
    const base = () => new TraceBuilder().term(1, 2).leader(1, 2).append(1, 1, entries(1, 1, 2));
    const bad = base().send(appendReply(2, 1, 2, 5));
    bad.deliver(bad.lastMessageId, 2, 1);
    expect(violationOf(bad)?.witnesses).toEqual([3, 4]);
    const stale = base().send(appendReply(2, 1, 1, 5));
    stale.deliver(stale.lastMessageId, 2, 1);
    expect(violationOf(stale)).toBeNull();
  });

  it('checks every copy of a duplicated reply, whichever copy is lost first', () => {
    const base = () => new TraceBuilder().term(1, 2).leader(1, 2).append(1, 1, entries(1, 1, 2));
    const bad = base().send(appendReply(2, 1, 2, 5));
    const id = bad.lastMessageId;
    bad.duplicate(id).drop(id, 2, 1).deliver(id, 2, 1);
    expect(violationOf(bad)?.witnesses).toEqual([3, 6]);
    // Both copies arrived: the record is gone, and a later message with another id is judged alone.
    const both = base().send(appendReply(2, 1, 2, 2));
    both.duplicate(both.lastMessageId).deliver(both.lastMessageId, 2, 1).deliver(both.lastMessageId, 2, 1);
    expect(violationOf(both)).toBeNull();
  });

  it('fails an append that leaves a hole, one that replaces a committed entry, and decreasing terms', () => {
    expect(violationOf(new TraceBuilder().append(1, 1, entries(1, 1)).append(1, 3, [entry(3, 1)]))?.message)
      .toContain('leaving a hole');
    const overwrite = new TraceBuilder().append(1, 1, entries(1, 1, 1)).commit(1, 2).append(1, 2, [entry(2, 2)]);
    expect(violationOf(overwrite)?.witnesses).toEqual([1, 2]);
    expect(violationOf(new TraceBuilder().append(1, 1, entries(1, 2, 1)))?.message).toContain('term 1 at index 2 after term 2');
  });

  it('passes a follower truncating an uncommitted tail and a snapshot install', () => {
    const trace = new TraceBuilder().append(2, 1, entries(1, 1, 1, 1)).commit(2, 1).append(2, 2, [entry(2, 2)])
      .snapshot(2, 5, 2).append(2, 6, [entry(6, 3)]).commit(2, 6).apply(2, entry(6, 3));
    expect(violationOf(trace)).toBeNull();
  });

  // A follower holds 1..8, installs a snapshot at 6 whose last entry it already has, and the next
  // append starts at 8. Figure 13 keeps 7..8 (the trace says so with `kept`); etcd drops them.
  const installedOver = (kept?: number) => new TraceBuilder().append(2, 1, entries(1, 1, 1, 1, 1, 2, 2, 2))
    .snapshot(2, 6, 2, 0, kept).append(2, 8, [entry(8, 2), entry(9, 2)]).commit(2, 9);

  it('passes a snapshot installed over a matching log that keeps the suffix (Figure 13)', () => {
    expect(checkTrace(installedOver(8).events).violation).toBeNull();
  });

  it('still finds the hole when the snapshot replaced the log (etcd) and the next append skips an index', () => {
    expect(violationOf(installedOver())?.message).toContain('leaving a hole');
  });
});
