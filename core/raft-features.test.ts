import { describe, expect, it } from 'vitest';
import type { AppendEntries, InstallSnapshot, Message, RaftOptions } from './types.ts';
import { RaftNode } from './raft.ts';
import { FixedRandom, TestNetwork, makeOptions, putCommand } from './test-network.ts';

const three = { voters: [1, 2, 3], learners: [] };

function settle(network: TestNetwork, leader: number, rounds = 3): void {
  for (let i = 0; i < rounds; i++) network.heartbeat(leader);
}

/** Node 1 of three, made leader by hand (votes stepped in); its no-op is not replicated. */
function lonelyLeader(overrides: Partial<RaftOptions> = {}): RaftNode {
  const node = new RaftNode(makeOptions(1, three, { random: new FixedRandom(0), preVote: false, ...overrides }));
  for (let i = 0; i < 10; i++) node.tick();
  node.step({ type: 'RequestVoteReply', from: 2, to: 1, term: 1, granted: true, preVote: false });
  expect(node.status().role).toBe('leader');
  node.ready();
  node.advance();
  return node;
}

/** Ticks voters past the CheckQuorum lease (electionTicks) without reaching their own timeout. */
function outwaitLease(network: TestNetwork, ids: readonly number[]): void {
  for (const id of ids) network.tick(id, 10);
  network.queue = network.queue.filter((m) => m.type !== 'RequestVote');
}

function appendReply(round: number, matchIndex: number): Message {
  return { type: 'AppendEntriesReply', from: 2, to: 1, term: 1, success: true, matchIndex, conflictTerm: 0, conflictIndex: 0, round };
}

function lastRound(messages: readonly Message[]): number {
  const appends = messages.filter((m): m is AppendEntries => m.type === 'AppendEntries');
  return Math.max(...appends.map((m) => m.round));
}

describe('snapshots', () => {
  function farFollower(): TestNetwork {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.isolate(3);
    for (let sequence = 1; sequence <= 10; sequence++) network.propose(1, sequence);
    network.deliver();
    network.heartbeat(1);
    expect(network.node(1).status().commit).toBe(11);
    network.compact(1, 8);
    network.heal();
    settle(network, 1, 6);
    return network;
  }

  it('sends InstallSnapshot to a follower behind the first index, then the rest of the log', () => {
    const network = farFollower();
    const snapshots = network.delivered.filter((m) => m.type === 'InstallSnapshot');
    expect(snapshots.length).toBe(1);
    expect(network.get(3).restoredSnapshots.map((s) => s.metadata.index)).toEqual([8]);
    expect(network.node(3).status()).toMatchObject({ firstIndex: 9, lastIndex: 11, commit: 11, applied: 11 });
    expect(network.get(3).applied.map((e) => e.index)).toEqual([9, 10, 11]);
  });

  it('ignores a stale or duplicated snapshot but still answers it', () => {
    const network = farFollower();
    const snapshot = network.delivered.find((m): m is InstallSnapshot => m.type === 'InstallSnapshot');
    expect(snapshot).toBeDefined();
    network.deliverOne(snapshot as Message);
    expect(network.get(3).restoredSnapshots.length).toBe(1);
    expect(network.node(3).status()).toMatchObject({ lastIndex: 11, commit: 11 });
    expect(network.queue.some((m) => m.type === 'InstallSnapshotReply' && m.matchIndex === 11)).toBe(true);
  });

  it('keeps the log tail when the snapshot last entry matches', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    for (let sequence = 1; sequence <= 4; sequence++) network.propose(1, sequence);
    network.deliver();
    // Node 2 holds 1..5 but has only learned commit 1.
    const snapshot = { metadata: { index: 3, term: 1, config: three }, data: null };
    network.node(2).step({ type: 'InstallSnapshot', from: 1, to: 2, term: 1, snapshot, round: 0 });
    expect(network.node(2).status()).toMatchObject({ lastIndex: 5, commit: 3 });
    expect(network.node(2).ready().snapshot).toBeNull();
  });

  it('a restarted node starts from its snapshot and re-applies only what follows it', () => {
    const network = farFollower();
    network.crash(3);
    network.restart(3);
    expect(network.node(3).status()).toMatchObject({ firstIndex: 9, applied: 11, commit: 11, role: 'follower' });
    expect(network.get(3).applied.map((e) => e.index)).toEqual([9, 10, 11, 9, 10, 11]);
  });
});

describe('membership', () => {
  it('adds a learner, promotes it, and removes the leader, which steps down', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.add(4, makeOptions(4, three));
    expect(network.node(1).proposeConfChange({ type: 'addLearner', node: 4 }).ok).toBe(true);
    expect(network.node(1).proposeConfChange({ type: 'promote', node: 4 })).toMatchObject({ ok: false, reason: 'busy' });
    network.drain(1);
    settle(network, 1);
    expect(network.node(4).status().config).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(network.termsOf(4)).toEqual(network.termsOf(1));
    // A learner neither campaigns nor counts.
    network.tick(4, 50);
    expect(network.node(4).status().role).toBe('follower');
    expect(network.node(1).proposeConfChange({ type: 'promote', node: 4 }).ok).toBe(true);
    network.drain(1);
    settle(network, 1);
    expect(network.node(2).status().config).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    expect(network.node(1).proposeConfChange({ type: 'remove', node: 1 }).ok).toBe(true);
    network.drain(1);
    settle(network, 1);
    expect(network.node(1).status().role).toBe('follower');
    expect(network.node(2).status().config.voters).toEqual([2, 3, 4]);
    // Nodes 3 and 4 heard from node 1 recently: they ignore votes until their lease runs out.
    outwaitLease(network, [3, 4]);
    network.campaign(2);
    expect(network.node(2).status().role).toBe('leader');
    network.propose(2, 1);
    settle(network, 2);
    expect(network.node(4).status().commit).toBe(network.node(2).status().lastIndex);
  });

  it('refuses a change before the leader committed an entry of its term', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.dropWhen = (m) => m.type === 'AppendEntries' && m.entries.length > 0;
    network.campaign(1);
    expect(network.node(1).proposeConfChange({ type: 'addLearner', node: 4 })).toMatchObject({ ok: false, reason: 'busy' });
    network.dropWhen = null;
    settle(network, 1);
    expect(network.node(1).proposeConfChange({ type: 'addLearner', node: 4 }).ok).toBe(true);
    expect(network.node(1).proposeConfChange({ type: 'remove', node: 9 })).toMatchObject({ ok: false });
  });

  it('a node whose own uncommitted entry removed it still campaigns when no one else can win', () => {
    const network = new TestNetwork([1, 2, 3, 4]);
    network.elect(1);
    settle(network, 1);
    network.isolate(1);
    expect(network.node(1).proposeConfChange({ type: 'remove', node: 1 }).ok).toBe(true);
    network.drain(1);
    network.crash(1);
    network.restart(1);
    expect(network.node(1).status().config.voters).toEqual([2, 3, 4]);
    network.heal();
    // Node 4 hears no one: nodes 2 and 3 need node 1's vote, which its longer log refuses them.
    for (const other of [1, 2, 3]) network.cut(other, 4);
    // Node 1 times out first; the others' timeouts differ so they do not split the vote forever.
    [0, 0.9, 0.6, 0.3].forEach((value, index) => { network.get(index + 1).random.value = value; });
    for (let round = 0; round < 100; round++) {
      network.tickAll();
      network.deliver();
    }
    // Node 1 won on the votes of its latest configuration, committed its removal (index 2) with its
    // no-op and stepped down; then nodes 2 and 3 elected one of them in the new configuration.
    const leader = [2, 3].find((id) => network.node(id).status().role === 'leader');
    expect(leader).toBeDefined();
    expect(network.node(leader as number).status().config.voters).toEqual([2, 3, 4]);
    expect(network.node(leader as number).status().commit).toBeGreaterThan(2);
    expect(network.termsOf(leader as number).slice(0, 3)).toEqual([1, 1, 2]);
    expect(network.node(1).status().role).toBe('follower');
  });

  it('takes effect when appended and reverts when the entry is truncated', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.isolate(1);
    expect(network.node(1).proposeConfChange({ type: 'addLearner', node: 4 }).ok).toBe(true);
    network.drain(1);
    expect(network.node(1).status().config.learners).toEqual([4]);
    outwaitLease(network, [3]);
    network.campaign(2);
    expect(network.node(2).status().role).toBe('leader');
    network.heal();
    settle(network, 2);
    expect(network.node(1).status()).toMatchObject({ role: 'follower', leader: 2 });
    expect(network.node(1).status().config.learners).toEqual([]);
  });
});

describe('linearizable reads', () => {
  it('a ReadIndex is not served before the leader commits an entry of its term', () => {
    const node = lonelyLeader();
    expect(node.readIndex(7).ok).toBe(true);
    const round = lastRound(node.ready().messages);
    node.advance();
    node.step(appendReply(round, 0));
    expect(node.ready().readStates).toEqual([]);
    node.advance();
    node.step(appendReply(round, 1));
    expect(node.status().commit).toBe(1);
    expect(node.ready().readStates).toEqual([{ context: 7, index: 1 }]);
  });

  it('waits for a quorum to acknowledge a round sent after the read arrived', () => {
    const node = lonelyLeader();
    node.step(appendReply(0, 1));
    node.ready();
    node.advance();
    node.readIndex(8);
    const round = lastRound(node.ready().messages);
    node.advance();
    node.step(appendReply(round - 1, 1));
    expect(node.ready().readStates).toEqual([]);
    node.advance();
    node.step(appendReply(round, 1));
    expect(node.ready().readStates).toEqual([{ context: 8, index: 1 }]);
  });

  it('with leases, serves at once while a quorum was heard recently, and not after', () => {
    const node = lonelyLeader({ leaseReads: true });
    node.step(appendReply(0, 1));
    node.tick();
    const round = lastRound(node.ready().messages);
    node.advance();
    node.step(appendReply(round, 1));
    node.readIndex(9);
    const ready = node.ready();
    expect(ready.readStates).toEqual([{ context: 9, index: 1 }]);
    expect(ready.messages.length).toBe(0);
    node.advance();
    for (let i = 0; i < 8; i++) node.tick();
    node.ready();
    node.advance();
    node.readIndex(10);
    expect(node.ready().readStates).toEqual([]);
  });
});

describe('leadership transfer', () => {
  it('catches the target up, sends TimeoutNow, and the target wins at once', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.cut(1, 2);
    for (let sequence = 1; sequence <= 3; sequence++) network.propose(1, sequence);
    network.deliver();
    network.heal();
    expect(network.node(1).transferLeadership(2).ok).toBe(true);
    expect(network.node(1).propose(putCommand(9))).toMatchObject({ ok: false, reason: 'transferring' });
    network.drain(1);
    // The appends cut earlier are resent once the pipeline to node 2 is seen stalled.
    settle(network, 1, 8);
    expect(network.delivered.some((m) => m.type === 'TimeoutNow' && m.to === 2)).toBe(true);
    expect(network.node(2).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(network.node(1).status()).toMatchObject({ role: 'follower', leader: 2 });
  });

  it('aborts after an election timeout when the target does not take over', () => {
    const network = new TestNetwork([1, 2, 3]);
    network.elect(1);
    network.cut(1, 2);
    network.node(1).transferLeadership(2);
    expect(network.node(1).propose(putCommand(1)).ok).toBe(false);
    for (let i = 0; i < 10; i++) network.heartbeat(1);
    expect(network.node(1).status().role).toBe('leader');
    expect(network.node(1).propose(putCommand(1)).ok).toBe(true);
  });
});

describe('lease reads and leadership transfer', () => {
  /** Leader 1 of three with lease reads, its write committed everywhere and a quorum heard this tick. */
  function leasedLeader(): TestNetwork {
    const network = new TestNetwork([1, 2, 3], { leaseReads: true, checkQuorum: true });
    network.elect(1);
    network.propose(1, 1);
    network.deliver();
    network.heartbeat(1);
    return network;
  }
  const readAtOnce = (network: TestNetwork, context: number): boolean => {
    expect(network.node(1).readIndex(context).ok).toBe(true);
    network.drain(1);
    return network.get(1).readStates.some((state) => state.context === context);
  };

  it('a leader that sent TimeoutNow serves no read from its lease: the target may already lead', () => {
    const network = leasedLeader();
    expect(readAtOnce(network, 76)).toBe(true);
    const oldCommit = network.node(1).status().commit;
    expect(network.node(1).transferLeadership(2).ok).toBe(true);
    network.drain(1);
    // Node 1 hears nothing more from the others: the new term never reaches it.
    network.cut(2, 1);
    network.cut(3, 1);
    network.deliver();
    expect(network.node(2).status()).toMatchObject({ role: 'leader' });
    network.propose(2, 2);
    network.deliver();
    expect(network.node(2).status().commit).toBeGreaterThan(oldCommit);
    // Still leader in its own eyes and within the lease it had: a lease read here would miss the new write.
    expect(network.node(1).status().role).toBe('leader');
    expect(readAtOnce(network, 77)).toBe(false);
    network.heal();
    network.deliver();
    expect(network.node(1).status().role).toBe('follower');
    expect(network.get(1).readStates.map((state) => state.context)).toEqual([76]);
  });

  it('a transfer waiting for its target suspends the lease; once it is aborted, the lease serves again', () => {
    const network = leasedLeader();
    network.cut(1, 2);
    network.propose(1, 2);
    network.deliver();
    expect(network.node(1).transferLeadership(2).ok).toBe(true);
    // Node 2 lags, so no TimeoutNow yet, but it may go out with the next acknowledgment.
    expect(readAtOnce(network, 78)).toBe(false);
    const electionTicks = network.get(1).options.electionTicks;
    for (let i = 0; i < electionTicks; i++) network.heartbeat(1);
    expect(network.node(1).propose(putCommand(3)).ok).toBe(true);
    network.deliver();
    expect(network.delivered.some((m) => m.type === 'TimeoutNow')).toBe(false);
    expect(readAtOnce(network, 79)).toBe(true);
  });

  it('without a transfer, the lease holds: the other voter refuses a candidate while it lasts', () => {
    const network = new TestNetwork([1, 2, 3], { leaseReads: true, checkQuorum: true, preVote: false });
    network.elect(1);
    network.heartbeat(1);
    network.cut(2, 1);
    network.cut(3, 1);
    network.cut(1, 2);
    network.cut(1, 3);
    // Node 2 times out at once (its timer is not the lease); node 3 heard node 1 a tick ago.
    network.node(2).tick();
    for (let tick = 0; tick < 30 && network.node(2).status().role === 'follower'; tick++) network.tick(2);
    network.deliver();
    expect(network.node(2).status().role).not.toBe('leader');
  });
});

describe('flow control', () => {
  it('respects maxEntriesPerMessage and maxInflightMessages, and still delivers everything', () => {
    const network = new TestNetwork([1, 2, 3], { maxEntriesPerMessage: 2, maxInflightMessages: 3 });
    network.elect(1);
    settle(network, 1);
    for (let sequence = 1; sequence <= 20; sequence++) network.propose(1, sequence);
    const toFollower = network.queue.filter((m): m is AppendEntries => m.type === 'AppendEntries' && m.to === 2 && m.entries.length > 0);
    expect(toFollower.length).toBe(3);
    expect(toFollower.every((m) => m.entries.length <= 2)).toBe(true);
    network.deliver();
    settle(network, 1);
    const appends = network.delivered.filter((m): m is AppendEntries => m.type === 'AppendEntries');
    expect(appends.every((m) => m.entries.length <= 2)).toBe(true);
    expect(network.node(2).status().commit).toBe(21);
  });

  it('respects maxBytesPerMessage, sending one oversized entry alone', () => {
    const network = new TestNetwork([1, 2, 3], { maxBytesPerMessage: 500 });
    network.elect(1);
    settle(network, 1);
    network.isolate(1);
    for (let sequence = 1; sequence <= 6; sequence++) network.node(1).propose(putCommand(sequence, 'x'.repeat(100)));
    network.node(1).propose(putCommand(7, 'y'.repeat(2000)));
    network.drain(1);
    network.queue = [];
    network.heal();
    for (let i = 0; i < 8; i++) network.heartbeat(1);
    const withEntries = network.delivered.filter((m): m is AppendEntries => m.type === 'AppendEntries' && m.entries.length > 0);
    expect(withEntries.some((m) => m.entries.length >= 2)).toBe(true);
    for (const message of withEntries) {
      const bytes = message.entries.reduce((sum, entry) => sum + JSON.stringify(entry).length, 0);
      expect(message.entries.length === 1 || bytes <= 600).toBe(true);
    }
    expect(network.node(2).status().commit).toBe(network.node(1).status().lastIndex);
  });
});
