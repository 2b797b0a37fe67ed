// Scenarios about who leads: split brain, split votes, a crashed leader, a disruptive server.
import type { NodeId } from '../../core/index.ts';
import type { TraceEventOf } from '../../sim/events.ts';
import type { Cluster } from '../vocabulary.ts';
import { allCommitted, logHoldsClient, logsAgree, others } from './scenario.ts';
import type { Scenario } from './scenario.ts';

function leaderEvents(cluster: Cluster): TraceEventOf<'role'>[] {
  return cluster.events.filter((event): event is TraceEventOf<'role'> => event.type === 'role' && event.role === 'leader');
}

export const splitBrain: Scenario = {
  name: 'split-brain',
  purpose: 'A leader cut off with one follower keeps believing it leads, but only the majority side commits; after heal it steps down and its uncommitted writes vanish.',
  // Without CheckQuorum the cut-off leader does not step down by itself: the split brain lasts.
  options: { raft: { checkQuorum: false } },
  sometimes: { depositions: 1, truncations: 1, leadersElected: 2 },
  script(cluster) {
    const oldLeader = cluster.waitForLeader({ ticksMax: 60 });
    const oldTerm = cluster.status(oldLeader)?.term ?? 0;
    const minority = [oldLeader, others(cluster, [oldLeader])[0] as NodeId];
    const majority = others(cluster, minority);
    cluster.waitForReturn(cluster.put(oldLeader, 'x', 'before'));
    cluster.partition(minority, majority);
    const stranded = [cluster.put(oldLeader, 'x', 'stranded-1'), cluster.put(oldLeader, 'x', 'stranded-2')];
    const newLeader = cluster.waitForLeader({ among: majority, ticksMax: 80 });
    const newTerm = cluster.status(newLeader)?.term ?? 0;
    cluster.check('the majority elects a leader of a higher term', newTerm > oldTerm, `t${oldTerm} -> t${newTerm}`);
    const committed = [cluster.put(newLeader, 'x', 'after-1'), cluster.put(newLeader, 'x', 'after-2')];
    for (const write of committed) cluster.waitForReturn(write);
    cluster.check('two nodes believe they lead at once, in different terms',
      cluster.leaders().length === 2 && cluster.status(oldLeader)?.role === 'leader');
    cluster.heal();
    cluster.waitUntil('the old leader steps down', () => cluster.status(oldLeader)?.role !== 'leader', 30);
    cluster.waitUntil('all logs agree and are committed', () => logsAgree(cluster) && allCommitted(cluster), 50);
    cluster.check('writes sent to the old leader are never acknowledged', stranded.every((write) => write.output === null));
    cluster.check('the old leader\'s uncommitted entries are replaced on every node',
      stranded.every((write) => cluster.nodeIds.every((node) => !logHoldsClient(cluster, node, write.client))));
    cluster.check('the majority\'s writes are on every node',
      committed.every((write) => cluster.nodeIds.every((node) => logHoldsClient(cluster, node, write.client))));
    const leaders = leaderEvents(cluster);
    cluster.check('sometimes: two nodes led in different terms',
      new Set(leaders.map((event) => event.node)).size >= 2 && new Set(leaders.map((event) => event.term)).size >= 2);
  },
};

export const splitVote: Scenario = {
  name: 'split-vote',
  purpose: 'Two candidates whose election timers fire together split the votes of a four-node cluster, no one leads that term, and a later term elects exactly one leader.',
  // Without PreVote both timers turn straight into candidacies of the same term.
  options: { nodes: 4, raft: { preVote: false } },
  sometimes: { splitVotes: 1, leadersElected: 1 },
  script(cluster) {
    cluster.holdTimers(cluster.nodeIds);
    // Each candidate's vote request reaches only one of the two others, so each gets two votes of four.
    cluster.dropMessages('n1->n4 and n3->n2 vote requests', (message) => message.type === 'RequestVote' && !message.preVote
      && ((message.from === 1 && message.to === 4) || (message.from === 3 && message.to === 2)));
    cluster.fireElectionTimer(1);
    cluster.fireElectionTimer(3);
    cluster.waitUntil('both are candidates of the same term', () => cluster.status(1)?.role === 'candidate'
      && cluster.status(3)?.role === 'candidate' && cluster.status(1)?.term === cluster.status(3)?.term, 20);
    const splitTerm = cluster.status(1)?.term ?? 0;
    cluster.runTicks(10);
    cluster.check('no leader in the split term', cluster.leaders().length === 0, `term ${splitTerm}`);
    cluster.check('n2 voted for n1 and n4 for n3', cluster.status(2)?.vote === 1 && cluster.status(4)?.vote === 3);
    cluster.dropMessages('', null);
    cluster.holdTimers(cluster.nodeIds, false);
    const leader = cluster.waitForLeader({ ticksMax: 100 });
    const term = cluster.status(leader)?.term ?? 0;
    cluster.check('a later term elects a leader', term > splitTerm, `n${leader} in t${term}`);
    const inTerm = leaderEvents(cluster).filter((event) => event.term === term);
    cluster.check('exactly one leader in that term', new Set(inTerm.map((event) => event.node)).size === 1);
    cluster.check('no leader was ever elected in the split term', leaderEvents(cluster).every((event) => event.term !== splitTerm));
    cluster.waitForReturn(cluster.put(leader, 'x', 'elected'));
  },
};

export const leaderCrash: Scenario = {
  name: 'leader-crash',
  purpose: 'The leader crashes with a write replicated to one follower only; a new leader is elected and writes go on, and the old leader restarts as a follower and catches up without losing a committed entry.',
  sometimes: { leadersElected: 2 },
  script(cluster) {
    const oldLeader = cluster.waitForLeader({ ticksMax: 60 });
    const early = [cluster.put(oldLeader, 'x', 'early-1'), cluster.put(oldLeader, 'y', 'early-2')];
    for (const write of early) cluster.waitForReturn(write);
    const followers = others(cluster, [oldLeader]);
    const cut = followers.slice(1);
    cluster.dropMessages(`appends from n${oldLeader} to ${cut.map((node) => `n${node}`).join(' ')}`, (message) =>
      message.type === 'AppendEntries' && message.from === oldLeader && cut.includes(message.to) && message.entries.length > 0);
    const midway = cluster.put(oldLeader, 'x', 'midway');
    cluster.runTicks(1);
    cluster.crash(oldLeader);
    cluster.dropMessages('', null);
    cluster.check('the write caught mid-replication was not acknowledged', midway.output === null || midway.output.type === 'unknown');
    const newLeader = cluster.waitForLeader({ among: followers, ticksMax: 80 });
    const later = [cluster.put(newLeader, 'x', 'later-1'), cluster.put(newLeader, 'z', 'later-2')];
    for (const write of later) cluster.waitForReturn(write);
    cluster.check('writes go on under the new leader', later.every((write) => write.output?.type === 'result'));
    cluster.restart(oldLeader);
    cluster.waitUntil('the old leader catches up', () => logsAgree(cluster) && allCommitted(cluster), 50);
    cluster.check('the old leader came back as a follower', cluster.status(oldLeader)?.role === 'follower');
    cluster.check('every acknowledged write survives on every node', [...early, ...later].every((write) =>
      cluster.nodeIds.every((node) => logHoldsClient(cluster, node, write.client))));
  },
};

export const disruptiveServer: Scenario = {
  name: 'disruptive-server',
  purpose: 'A node that stops hearing the leader but can still reach everyone (the asymmetric partition of the Cloudflare 2020 outage) cannot depose a healthy leader when PreVote and CheckQuorum are on.',
  options: { raft: { preVote: true, checkQuorum: true } },
  sometimes: { leadersElected: 1 },
  script(cluster) {
    const leader = cluster.waitForLeader({ ticksMax: 60 });
    const term = cluster.status(leader)?.term ?? 0;
    const deaf = others(cluster, [leader])[0] as NodeId;
    cluster.partitionOneWay([leader], [deaf]);
    cluster.runTicks(100);
    cluster.check('the deaf node campaigned (pre-vote) while cut off',
      cluster.events.some((event) => event.type === 'role' && event.node === deaf && event.role === 'precandidate'));
    cluster.check('the leader is still leader in the same term', cluster.status(leader)?.role === 'leader'
      && cluster.status(leader)?.term === term, `t${cluster.status(leader)?.term ?? '?'}`);
    cluster.check('no node moved past the leader\'s term', cluster.nodeIds.every((node) => (cluster.status(node)?.term ?? 0) === term));
    cluster.check('exactly one leader was ever elected', leaderEvents(cluster).length === 1);
    const write = cluster.put(leader, 'x', 'still-leading');
    cluster.waitForReturn(write);
    cluster.heal();
    cluster.waitUntil('the deaf node catches up', () => logsAgree(cluster) && allCommitted(cluster), 50);
  },
};
