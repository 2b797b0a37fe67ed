// One small test per mutation point: the correct node does the right thing where the mutant
// does the wrong one. commit-prev-term-by-count is tested with Figure 8 in raft.test.ts.
import { describe, expect, it } from 'vitest';
import type { AppendEntries, AppendEntriesReply, BugId, Entry, Message, RaftOptions, RequestVote, RequestVoteReply } from './index.ts';
import { AssertionError, BUG_IDS } from './index.ts';
import { RaftNode } from './raft.ts';
import { FixedRandom, TestNetwork, makeOptions, putCommand } from './test-network.ts';

const three = { voters: [1, 2, 3], learners: [] };
const five = { voters: [1, 2, 3, 4, 5], learners: [] };
const logOf = (terms: number[]): Entry[] => terms.map((term, offset) => ({ index: offset + 1, term, data: { type: 'noop' } }));

function nodeWith(bug: BugId | null, overrides: Partial<RaftOptions> = {}, id = 2): RaftNode {
  return new RaftNode(makeOptions(id, overrides.config ?? three, { bugs: new Set(bug === null ? [] : [bug]), ...overrides }));
}

function withLog(terms: number[], term: number, commit = 0) {
  return { persisted: { hardState: { term, vote: null, commit }, snapshot: null, entries: logOf(terms) } };
}

function voteRequest(from: number, to: number, term: number, lastLogIndex: number, lastLogTerm: number): RequestVote {
  return { type: 'RequestVote', from, to, term, lastLogIndex, lastLogTerm, preVote: false, transfer: false };
}

function append(to: number, term: number, prevLogIndex: number, prevLogTerm: number, entries: Entry[], leaderCommit: number): AppendEntries {
  return { type: 'AppendEntries', from: 1, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, round: 0 };
}

function replies(node: RaftNode): Message[] {
  const messages = node.ready().messages;
  node.advance();
  return [...messages];
}

function granted(node: RaftNode): boolean[] {
  return replies(node).filter((m): m is RequestVoteReply => m.type === 'RequestVoteReply').map((m) => m.granted);
}

/** Both variants: [correct, mutant]. */
function both<T>(bug: BugId, run: (bug: BugId | null) => T): [T, T] {
  return [run(null), run(bug)];
}

describe('mutation points', () => {
  it('vote-skip-uptodate-check grants a vote to a shorter log', () => {
    expect(both('vote-skip-uptodate-check', (bug) => {
      const voter = nodeWith(bug, { ...withLog([1, 1, 1], 1), checkQuorum: false });
      voter.step(voteRequest(1, 2, 2, 1, 1));
      return granted(voter);
    })).toEqual([[false], [true]]);
  });

  it('vote-not-persisted forgets the vote across a restart and votes twice', () => {
    expect(both('vote-not-persisted', (bug) => {
      const voter = nodeWith(bug, { checkQuorum: false });
      voter.step(voteRequest(1, 2, 1, 0, 0));
      const ready = voter.ready();
      const hardState = ready.hardState ?? { term: 0, vote: null, commit: 0 };
      const restarted = nodeWith(bug, { checkQuorum: false, persisted: { hardState, snapshot: null, entries: [] } });
      restarted.step(voteRequest(3, 2, 1, 0, 0));
      return granted(restarted);
    })).toEqual([[false], [true]]);
  });

  it('vote-clear-on-same-term votes again in the same term (the node invariant catches it)', () => {
    const run = (bug: BugId | null): boolean[] => {
      const voter = nodeWith(bug, { checkQuorum: false });
      voter.step(voteRequest(1, 2, 1, 0, 0));
      voter.step(append(2, 1, 0, 0, [], 0));
      replies(voter);
      voter.step(voteRequest(3, 2, 1, 0, 0));
      return granted(voter);
    };
    expect(run(null)).toEqual([false]);
    expect(() => run('vote-clear-on-same-term')).toThrow(AssertionError);
  });

  it('count-duplicate-votes wins with a duplicated vote reply', () => {
    expect(both('count-duplicate-votes', (bug) => {
      const candidate = nodeWith(bug, { config: five, preVote: false, random: new FixedRandom(0) }, 1);
      for (let i = 0; i < 10; i++) candidate.tick();
      const reply: RequestVoteReply = { type: 'RequestVoteReply', from: 2, to: 1, term: 1, granted: true, preVote: false };
      candidate.step(reply);
      candidate.step(reply);
      return candidate.status().role;
    })).toEqual(['candidate', 'leader']);
  });

  it('no-stepdown-on-higher-term keeps leading after a higher-term reply', () => {
    expect(both('no-stepdown-on-higher-term', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.elect(1);
      const reply: AppendEntriesReply = {
        type: 'AppendEntriesReply', from: 2, to: 1, term: 5, success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 0, round: 0,
      };
      network.node(1).step(reply);
      return network.node(1).status().role;
    })).toEqual(['follower', 'leader']);
  });

  it('election-timeout-not-randomized always waits exactly electionTicks', () => {
    expect(both('election-timeout-not-randomized', (bug) => {
      const node = nodeWith(bug, { random: new FixedRandom(0.9), preVote: false });
      let ticks = 0;
      while (node.status().role === 'follower' && ticks < 100) {
        node.tick();
        ticks++;
      }
      return ticks;
    })).toEqual([19, 10]);
  });

  it('no-prevote-no-checkquorum lets an isolated node raise its term and an isolated leader stay', () => {
    expect(both('no-prevote-no-checkquorum', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.elect(1);
      network.isolate(1);
      network.isolate(3);
      for (let i = 0; i < 40; i++) network.tickAll();
      return [network.node(1).status().role === 'leader', network.node(3).status().term > 1];
    })).toEqual([[false, false], [true, true]]);
  });

  it('ae-truncate-without-conflict drops matching entries on a reordered append', () => {
    expect(both('ae-truncate-without-conflict', (bug) => {
      const follower = nodeWith(bug, withLog([1, 1, 1, 1], 1));
      follower.step(append(2, 1, 1, 1, logOf([1, 1]).slice(1), 0));
      return follower.status().lastIndex;
    })).toEqual([4, 2]);
  });

  it('ae-accept-stale-term appends entries from a deposed leader', () => {
    expect(both('ae-accept-stale-term', (bug) => {
      const follower = nodeWith(bug, withLog([1], 2));
      follower.step(append(2, 1, 1, 1, [{ index: 2, term: 1, data: { type: 'noop' } }], 0));
      return follower.status().lastIndex;
    })).toEqual([1, 2]);
  });

  it('follower-commit-unbounded commits a divergent tail', () => {
    expect(both('follower-commit-unbounded', (bug) => {
      const follower = nodeWith(bug, withLog([1, 1, 2, 2], 2));
      follower.step(append(2, 3, 2, 1, [], 4));
      return follower.status().commit;
    })).toEqual([2, 4]);
  });

  it('ae-append-nonidempotent appends a duplicated append again', () => {
    expect(both('ae-append-nonidempotent', (bug) => {
      const follower = nodeWith(bug, withLog([1], 1));
      const message = append(2, 1, 1, 1, [{ index: 2, term: 1, data: { type: 'noop' } }], 0);
      follower.step(message);
      follower.step(message);
      return follower.status().lastIndex;
    })).toEqual([2, 3]);
  });

  it('matchindex-from-leader-state credits a follower with entries it never acknowledged', () => {
    expect(both('matchindex-from-leader-state', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.elect(1);
      network.heartbeat(1);
      network.propose(1, 1);
      network.node(2).step(network.take((m) => m.to === 2)[0] as Message);
      network.drain(2);
      const ack = network.take((m) => m.from === 2);
      network.queue = [];
      network.propose(1, 2);
      network.queue = [];
      for (const message of ack) network.deliverOne(message);
      return network.node(1).status().commit;
    })).toEqual([2, 3]);
  });

  it('commitindex-regress lowers commit on an old append (the node invariant catches it)', () => {
    const run = (bug: BugId | null): number => {
      const follower = nodeWith(bug, withLog([1, 1, 1, 1, 1], 1));
      follower.step(append(2, 1, 5, 1, [], 5));
      follower.step(append(2, 1, 3, 1, [], 3));
      return follower.status().commit;
    };
    expect(run(null)).toBe(5);
    expect(() => run('commitindex-regress')).toThrow(/commit went back/);
  });

  it('no-noop-on-election appends nothing of the new term and serves reads at once', () => {
    expect(both('no-noop-on-election', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.dropWhen = (m) => m.type === 'AppendEntries' && m.entries.length > 0;
      network.elect(1);
      network.node(1).readIndex(1);
      network.drain(1);
      network.deliver();
      return [network.node(1).status().lastIndex, network.get(1).readStates.length];
    })).toEqual([[1, 0], [0, 1]]);
  });

  it('read-local-on-leader serves a read without confirming leadership', () => {
    expect(both('read-local-on-leader', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.elect(1);
      network.isolate(1);
      network.node(1).readIndex(1);
      network.drain(1);
      network.deliver();
      return network.get(1).readStates.length;
    })).toEqual([0, 1]);
  });

  it('ack-before-durable tells the host not to sync new entries', () => {
    expect(both('ack-before-durable', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.elect(1);
      network.node(1).propose(putCommand(1));
      const ready = network.node(1).ready();
      return [ready.entries.length, ready.mustSync];
    })).toEqual([[1, true], [1, false]]);
  });

  it('snapshot-install-stale installs a snapshot older than the commit index (the node invariant catches it)', () => {
    const run = (bug: BugId | null): boolean => {
      const follower = nodeWith(bug, withLog([1, 1, 1, 1], 1, 4));
      const snapshot = { metadata: { index: 2, term: 1, config: three }, data: null };
      follower.step({ type: 'InstallSnapshot', from: 1, to: 2, term: 1, snapshot, round: 0 });
      return follower.ready().snapshot !== null;
    };
    expect(run(null)).toBe(false);
    expect(() => run('snapshot-install-stale')).toThrow(/commit went back/);
  });

  it('single-server-change-no-term-commit allows a change before the no-op commits', () => {
    expect(both('single-server-change-no-term-commit', (bug) => {
      const network = new TestNetwork([1, 2, 3], { bugs: new Set(bug === null ? [] : [bug]) });
      network.dropWhen = (m) => m.type === 'AppendEntries' && m.entries.length > 0;
      network.elect(1);
      return network.node(1).proposeConfChange({ type: 'addLearner', node: 4 }).ok;
    })).toEqual([false, true]);
  });

  it('every mutation point but the key-value one changes nothing when off', () => {
    const core = BUG_IDS.filter((id) => id !== 'client-retry-no-dedup');
    expect(core.length).toBe(19);
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.propose(1, 1);
    network.deliver();
    network.heartbeat(1);
    expect(network.node(3).status().commit).toBe(2);
  });

  // A duplicate append keeps committed entries whatever mutation point is on (no mutant relaxes
  // an assertion either: scenarios/architecture.test.ts checks the core's source for that).
  it.each([null, ...BUG_IDS])('keeps committed entries through a duplicate append with %s on', (bug) => {
    const node = nodeWith(bug, withLog([1, 1, 1], 1, 3));
    node.step(append(2, 1, 1, 1, [{ index: 2, term: 1, data: { type: 'noop' } }], 3));
    expect(node.entries(1, node.status().lastIndex).map((entry) => entry.term)).toEqual([1, 1, 1]);
  });
});
