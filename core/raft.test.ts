import { describe, expect, it } from 'vitest';
import type { AppendEntries, AppendEntriesReply, Entry, Message, RequestVote, RequestVoteReply } from './types.ts';
import { RaftNode } from './raft.ts';
import { FixedRandom, TestNetwork, makeOptions, putCommand } from './test-network.ts';

const three = { voters: [1, 2, 3], learners: [] };

function roleOf(network: TestNetwork, id: number): string {
  return network.node(id).status().role;
}

function ticksUntilCampaign(random: FixedRandom, electionTicks: number): number {
  const node = new RaftNode(makeOptions(1, three, { random, electionTicks, preVote: false }));
  for (let tick = 1; tick <= 4 * electionTicks; tick++) {
    node.tick();
    if (node.status().role !== 'follower') return tick;
  }
  return -1;
}

describe('elections', () => {
  it('elects the node that times out first and commits its no-op everywhere', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.heartbeat(1);
    for (const id of [1, 2, 3]) {
      const status = network.node(id).status();
      expect(status.term).toBe(1);
      expect(status.leader).toBe(1);
      expect(status.commit).toBe(1);
      expect(network.get(id).applied.map((entry) => entry.data.type)).toEqual(['noop']);
    }
    expect(roleOf(network, 2)).toBe('follower');
  });

  it('draws the election timeout uniformly from [electionTicks, 2 * electionTicks)', () => {
    expect(ticksUntilCampaign(new FixedRandom(0), 10)).toBe(10);
    expect(ticksUntilCampaign(new FixedRandom(0.5), 10)).toBe(15);
    expect(ticksUntilCampaign(new FixedRandom(0.999), 10)).toBe(19);
  });

  it('redraws the timeout on every reset', () => {
    const random = new FixedRandom(0);
    const node = new RaftNode(makeOptions(1, three, { random, preVote: false }));
    const before = random.draws;
    for (let tick = 0; tick < 10; tick++) node.tick();
    expect(node.status().role).toBe('candidate');
    expect(random.draws).toBe(before + 1);
    for (let tick = 0; tick < 10; tick++) node.tick();
    expect(node.status().term).toBe(2);
    expect(random.draws).toBe(before + 2);
  });

  it('grants one vote per term, to the first candidate that asks', () => {
    const voter = new RaftNode(makeOptions(3, three, { checkQuorum: false }));
    const ask = (from: number): RequestVote => ({
      type: 'RequestVote', from, to: 3, term: 1, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: false,
    });
    voter.step(ask(1));
    voter.step(ask(2));
    voter.step(ask(1));
    const replies = voter.ready().messages as RequestVoteReply[];
    expect(replies.map((reply) => [reply.to, reply.granted])).toEqual([[1, true], [2, false], [1, true]]);
    expect(voter.status().vote).toBe(1);
  });

  it('a split vote is retried in a later term and then decided', () => {
    const network = new TestNetwork([1, 2, 3, 4], { preVote: false });
    network.tick(1, 15);
    network.tick(2, 15);
    // Node 3 votes for 1, node 4 for 2: nobody has three of four.
    network.take((m) => (m.to === 4 && m.from === 1) || (m.to === 3 && m.from === 2));
    network.deliver();
    expect([roleOf(network, 1), roleOf(network, 2)]).toEqual(['candidate', 'candidate']);
    network.tick(1, 15);
    network.deliver();
    expect(roleOf(network, 1)).toBe('leader');
    expect(network.node(1).status().term).toBe(2);
  });
});

describe('PreVote and CheckQuorum', () => {
  it('a partitioned node does not raise its term, and rejoins without disturbing the leader', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < 100; i++) {
      network.tickAll();
      network.deliver();
    }
    expect(network.node(3).status().term).toBe(1);
    expect(roleOf(network, 3)).toBe('precandidate');
    network.heal();
    for (let i = 0; i < 5; i++) {
      network.tickAll();
      network.deliver();
    }
    expect(roleOf(network, 1)).toBe('leader');
    expect(network.node(1).status().term).toBe(1);
    expect(network.node(3).status().leader).toBe(1);
  });

  it('without PreVote the same partition raises the term and deposes the leader', () => {
    const network = new TestNetwork([1, 2, 3], { preVote: false, checkQuorum: false });
    network.elect(1);
    network.isolate(3);
    for (let i = 0; i < 100; i++) network.tick(3);
    expect(network.node(3).status().term).toBeGreaterThan(5);
    network.heal();
    network.queue = [];
    network.heartbeat(1);
    expect(roleOf(network, 1)).toBe('follower');
  });

  it('steps a leader down when it has not heard from a quorum for an election timeout', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.isolate(1);
    for (let i = 0; i < 9; i++) network.tick(1);
    expect(roleOf(network, 1)).toBe('leader');
    network.tick(1);
    expect(roleOf(network, 1)).toBe('follower');
    expect(network.node(1).status().term).toBe(1);
  });

  it('a follower that hears from its leader ignores a higher-term vote request', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.node(2).step({
      type: 'RequestVote', from: 3, to: 2, term: 5, lastLogIndex: 99, lastLogTerm: 9, preVote: false, transfer: false,
    });
    expect(network.node(2).status().term).toBe(1);
    expect(network.node(2).ready().messages).toEqual([]);
  });

  it('a node that may not campaign still lets its leader lease run out, and then answers vote requests', () => {
    // Node 3 is a learner: its election timer fires and it does not campaign, but that is no news from the leader.
    const network = new TestNetwork([1, 2, 3], {}, { voters: [1, 2], learners: [3] });
    network.elect(1);
    network.isolate(3);
    // Its timeout is 1.5 election timeouts (FixedRandom(0.5)): a timer restarted at each firing would be fresh again here.
    network.get(3).random.value = 0.5;
    network.tick(3, 2 * 1.5 * network.get(3).options.electionTicks);
    expect(roleOf(network, 3)).toBe('follower');
    network.node(3).step({
      type: 'RequestVote', from: 2, to: 3, term: 2, lastLogIndex: 1, lastLogTerm: 1, preVote: true, transfer: false,
    });
    expect(network.node(3).ready().messages).toMatchObject([{ type: 'RequestVoteReply', to: 2, granted: true, preVote: true }]);
  });
});

describe('replication and commit', () => {
  it('replicates, commits and applies proposals in order on every node', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    for (let sequence = 1; sequence <= 5; sequence++) network.propose(1, sequence);
    network.deliver();
    network.heartbeat(1);
    for (const id of [1, 2, 3]) {
      const values = network.get(id).applied.flatMap((entry) => entry.data.type === 'command' ? [entry.data.command.sequence] : []);
      expect(values).toEqual([1, 2, 3, 4, 5]);
      expect(network.node(id).status().commit).toBe(6);
    }
  });

  it('a follower refuses proposals and names the leader', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    expect(network.node(2).propose(putCommand(1))).toEqual({ ok: false, reason: 'not-leader', leaderHint: 1 });
    expect(network.node(2).readIndex(7)).toEqual({ ok: false, reason: 'not-leader', leaderHint: 1 });
  });

  it('does not commit without a quorum', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.isolate(1);
    network.propose(1, 1);
    network.deliver();
    expect(network.node(1).status().commit).toBe(1);
    network.heal();
    // The lost append is resent once the pipeline has stalled for half an election timeout.
    for (let i = 0; i < 5; i++) network.heartbeat(1);
    expect(network.node(1).status()).toMatchObject({ role: 'leader', commit: 2 });
  });

  it('a duplicated or reordered AppendEntries never deletes matching entries', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.propose(1, 1);
    const first = network.take((m) => m.to === 2 && m.type === 'AppendEntries');
    network.propose(1, 2);
    network.propose(1, 3);
    network.deliver();
    // Entries 3 and 4 overtook entry 2: node 2 refused them, and they stay in flight for the leader.
    expect(network.node(2).status().lastIndex).toBe(1);
    for (const message of first) network.deliverOne(message);
    network.deliver();
    expect(network.node(2).status().lastIndex).toBe(2);
    // The pipeline stalls, falls back to a probe after half an election timeout, and resends them.
    for (let i = 0; i < 6; i++) network.heartbeat(1);
    expect(network.node(2).status().lastIndex).toBe(4);
    network.deliverOne(first[0] as Message);
    expect(network.node(2).status().lastIndex).toBe(4);
    expect(network.termsOf(2)).toEqual([1, 1, 1, 1]);
  });
});

describe('stale replies to a pipeline (reordered or duplicated)', () => {
  /** Leader 1 with node 2 replicating and matched up to 3, the appends of entries 4 and 5 taken off the network. */
  function replicatingToTwo(): { network: TestNetwork; appends: Message[] } {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.propose(1, 1);
    network.propose(1, 2);
    network.deliver();
    expect(network.node(2).status().lastIndex).toBe(3);
    network.propose(1, 3);
    network.propose(1, 4);
    const appends = network.take((m) => m.to === 2 && m.type === 'AppendEntries');
    network.deliver();
    expect(appends.map((m) => (m as AppendEntries).prevLogIndex)).toEqual([3, 4]);
    return { network, appends };
  }
  const sentToTwo = (network: TestNetwork): AppendEntries[] =>
    network.take((m) => m.to === 2 && m.type === 'AppendEntries') as AppendEntries[];

  it('a rejection overtaken by the success of the append it waited for does not reset a replicating follower', () => {
    const { network, appends } = replicatingToTwo();
    const [four, five] = appends as [Message, Message];
    network.deliverOne(five);
    const [rejection] = network.take((m) => m.to === 1 && m.type === 'AppendEntriesReply') as AppendEntriesReply[];
    expect(rejection).toMatchObject({ success: false, conflictTerm: 0, conflictIndex: 4 });
    network.deliverOne(four);
    network.deliver();
    network.deliverOne(rejection as Message);
    // A rejection that reset the follower to probe would resend entry 5 at once and pause the pipeline.
    expect(sentToTwo(network)).toEqual([]);
    network.propose(1, 5);
    expect(sentToTwo(network).map((m) => m.prevLogIndex)).toEqual([5]);
  });

  it('a stale success does not resend the window to a probing follower', () => {
    const { network, appends } = replicatingToTwo();
    network.deliverOne(appends[0] as Message);
    const [success] = network.take((m) => m.to === 1 && m.type === 'AppendEntriesReply') as AppendEntriesReply[];
    expect(success).toMatchObject({ success: true, matchIndex: 4 });
    network.deliverOne(success as Message);
    // Entry 5 is lost: the pipeline stalls and node 2 falls back to probe at 5, one append at a time.
    const probes: AppendEntries[] = [];
    network.dropWhen = (m) => m.to === 2 && m.type === 'AppendEntries' && probes.push(m) > 0;
    for (let i = 0; i < 6; i++) network.heartbeat(1);
    network.dropWhen = null;
    expect(probes.at(-1)).toMatchObject({ prevLogIndex: 4, entries: [{ index: 5 }] });
    network.propose(1, 5);
    expect(sentToTwo(network)).toEqual([]);
    // A duplicate of node 2's reply to entry 3: below match, it answers no probe and starts no window.
    network.deliverOne({ ...success as AppendEntriesReply, matchIndex: 3 });
    expect(sentToTwo(network)).toEqual([]);
  });

  it('stale rejections do not send a probe each to a probing follower', () => {
    const { network, appends } = replicatingToTwo();
    const rejections: AppendEntriesReply[] = [];
    for (const append of appends.slice(1)) {
      network.deliverOne(append);
      rejections.push(...network.take((m) => m.to === 1 && m.type === 'AppendEntriesReply') as AppendEntriesReply[]);
    }
    // Entry 4 is lost: the pipeline stalls and node 2 falls back to probe at 4.
    for (let i = 0; i < 6; i++) {
      network.tick(1, network.get(1).options.heartbeatTicks);
      network.take((m) => m.to === 2);
      network.deliver();
    }
    network.tick(1);
    expect(sentToTwo(network)).toMatchObject([{ prevLogIndex: 3, entries: [{ index: 4 }, { index: 5 }] }]);
    for (const rejection of [...rejections, ...rejections]) network.deliverOne(rejection);
    expect(sentToTwo(network)).toEqual([]);
  });
});

describe('the Raft paper, Figure 7', () => {
  const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const followers: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  const logOf = (terms: number[]): Entry[] => terms.map((term, offset) => ({ index: offset + 1, term, data: { type: 'noop' } }));
  const persisted = (terms: number[]) => ({
    hardState: { term: Math.max(...terms), vote: null, commit: 0 }, snapshot: null, entries: logOf(terms),
  });

  it.each([['a', true], ['b', true], ['c', false], ['d', false], ['e', true], ['f', true]] as const)(
    'a term-8 candidate with the leader log gets the vote of %s: %s', (name, granted) => {
      const voter = new RaftNode(makeOptions(2, { voters: [1, 2], learners: [] }, { persisted: persisted(followers[name] ?? []) }));
      voter.step({ type: 'RequestVote', from: 1, to: 2, term: 8, lastLogIndex: 10, lastLogTerm: 6, preVote: false, transfer: false });
      const reply = voter.ready().messages[0] as RequestVoteReply;
      expect(reply.granted).toBe(granted);
    });

  it.each(Object.keys(followers))('the leader brings log %s to its own, one rejection per conflicting term at most', (name) => {
    const terms = followers[name] ?? [];
    const network = new TestNetwork([]);
    const config = { voters: [1, 2, 3], learners: [] };
    network.add(1, makeOptions(1, config, { persisted: { ...persisted(leaderTerms), hardState: { term: 7, vote: null, commit: 0 } } }));
    network.add(2, makeOptions(2, config, { persisted: persisted(terms) }));
    network.add(3, makeOptions(3, config, { persisted: persisted(leaderTerms) }));
    network.elect(1);
    network.heartbeat(1);
    const expected = [...leaderTerms, 8];
    expect(network.termsOf(2)).toEqual(expected);
    const rejections = network.delivered.filter((m): m is AppendEntriesReply => m.type === 'AppendEntriesReply' && m.from === 2 && !m.success);
    const conflictingTerms = new Set(terms.filter((term, offset) => term !== expected[offset]));
    const tooShort = terms.length < leaderTerms.length ? 1 : 0;
    expect(rejections.length).toBeLessThanOrEqual(conflictingTerms.size + tooShort);
    expect(network.node(2).status().commit).toBe(11);
  });
});

describe('the Raft paper, Figure 8', () => {
  function figure8(bugs: ReadonlySet<'commit-prev-term-by-count'> = new Set()): TestNetwork {
    const network = new TestNetwork([]);
    const config = { voters: [1, 2, 3, 4, 5], learners: [] };
    const entry = (index: number, term: number): Entry => ({ index, term, data: { type: 'noop' } });
    const logs: Record<number, Entry[]> = {
      1: [entry(1, 1), entry(2, 2)], 2: [entry(1, 1)], 3: [entry(1, 1)], 4: [entry(1, 1)], 5: [entry(1, 1), entry(2, 3)],
    };
    for (const id of [1, 2, 3, 4, 5]) {
      network.add(id, makeOptions(id, config, {
        maxEntriesPerMessage: 1, bugs,
        persisted: { hardState: { term: 3, vote: null, commit: 1 }, snapshot: null, entries: logs[id] ?? [] },
      }));
    }
    // Index 3 (term 4) stays on S1 only; index 2 (term 2) reaches S2 and S3.
    network.dropWhen = (m) => m.type === 'AppendEntries' && m.entries.some((e) => e.index === 3)
      && network.node(m.to).status().lastIndex >= 2;
    network.cut(1, 4);
    network.campaign(1);
    expect(network.node(1).status()).toMatchObject({ role: 'leader', term: 4 });
    network.heartbeat(1);
    return network;
  }

  it('the leader of term 4 does not commit index 2 by counting replicas', () => {
    const network = figure8();
    expect(network.termsOf(2)).toEqual([1, 2]);
    expect(network.termsOf(3)).toEqual([1, 2]);
    expect(network.node(1).status().commit).toBe(1);
  });

  it('the commit-prev-term-by-count mutant commits it', () => {
    expect(figure8(new Set(['commit-prev-term-by-count'])).node(1).status().commit).toBe(2);
  });
});

describe('persistence and restart', () => {
  it('hands out hard state and entries before the messages that depend on them, with mustSync', () => {
    const node = new RaftNode(makeOptions(1, three, { random: new FixedRandom(0), preVote: false }));
    for (let i = 0; i < 10; i++) node.tick();
    const ready = node.ready();
    expect(ready.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(ready.mustSync).toBe(true);
    expect(ready.messages.map((m) => m.type)).toEqual(['RequestVote', 'RequestVote']);
    node.advance();
    expect(node.hasReady()).toBe(false);
  });

  it('a heartbeat that only moves commit needs no sync', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.tick(1);
    const toFollower = network.take((m) => m.to === 2);
    network.node(2).step(toFollower[0] as Message);
    const ready = network.node(2).ready();
    expect(ready.hardState?.commit).toBe(1);
    expect(ready.mustSync).toBe(false);
  });

  it('rebuilds a node from its disk alone and re-emits committed entries', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    for (let sequence = 1; sequence <= 3; sequence++) network.propose(1, sequence);
    network.deliver();
    network.heartbeat(1);
    network.crash(2);
    network.restart(2);
    const status = network.node(2).status();
    expect(status).toMatchObject({ role: 'follower', term: 1, vote: 1, commit: 4, applied: 4, lastIndex: 4 });
    expect(network.get(2).applied.map((entry) => entry.index)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    network.propose(1, 4);
    network.deliver();
    network.heartbeat(1);
    expect(network.node(2).status().commit).toBe(5);
  });

  it('a restarted leader comes back as a follower that keeps its term and vote', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.crash(1);
    network.restart(1);
    expect(network.node(1).status()).toMatchObject({ role: 'follower', term: 1, vote: 1, leader: null });
    network.campaign(2);
    expect(roleOf(network, 2)).toBe('leader');
    expect(network.node(1).status().leader).toBe(2);
  });
});
