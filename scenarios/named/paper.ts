// The Raft paper's Figures 7 and 8 (docs/bugs.md, "The Raft paper's Figures 7 and 8 as data").
import type { Entry, KvCommand, NodeId, PersistedState } from '../../core/index.ts';
import { ScenarioError } from '../vocabulary.ts';
import type { Cluster } from '../vocabulary.ts';
import { allCommitted, logHoldsClient, logsAgree } from './scenario.ts';
import type { Scenario } from './scenario.ts';

/** Figure 7: node 1 is the leader-to-be of term 8, nodes 2..7 are (a)..(f). Index 1 first. */
export const FIGURE_7_LOGS: readonly (readonly number[])[] = [
  [1, 1, 1, 4, 4, 5, 5, 6, 6, 6],
  [1, 1, 1, 4, 4, 5, 5, 6, 6],
  [1, 1, 1, 4],
  [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
  [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
  [1, 1, 1, 4, 4, 4, 4],
  [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
];

/** An entry is a function of its (index, term), so equal positions in two logs hold equal entries. */
function figureEntry(index: number, term: number): Entry {
  const command: KvCommand = { clientId: 700 + index, sequence: term, op: { type: 'put', key: 'x', value: `i${index}t${term}` } };
  return { index, term, data: { type: 'command', command } };
}

function figure7Disks(): ReadonlyMap<NodeId, PersistedState> {
  const disks = new Map<NodeId, PersistedState>();
  FIGURE_7_LOGS.forEach((terms, position) => {
    disks.set(position + 1, {
      hardState: { term: 7, vote: null, commit: 0 }, snapshot: null,
      entries: terms.map((term, offset) => figureEntry(offset + 1, term)),
    });
  });
  return disks;
}

function voteReplies(cluster: Cluster, term: number): Map<NodeId, boolean> {
  const replies = new Map<NodeId, boolean>();
  for (const event of cluster.events) {
    if (event.type !== 'send' || event.message.type !== 'RequestVoteReply' || event.message.preVote) continue;
    if (event.message.term === term && !replies.has(event.message.from)) replies.set(event.message.from, event.message.granted);
  }
  return replies;
}

export const figure7: Scenario = {
  name: 'figure-7',
  purpose: 'The paper\'s Figure 7: a term-8 leader wins the votes of (a), (b), (e), (f), is refused by (c) and (d), and every follower\'s log converges to the leader\'s.',
  options: { nodes: 7 },
  initialDisks: figure7Disks,
  sometimes: { truncations: 1 },
  script(cluster) {
    cluster.holdTimers(cluster.nodeIds.slice(1));
    cluster.fireElectionTimer(1);
    cluster.waitUntil('n1 leads term 8', () => cluster.status(1)?.role === 'leader' && cluster.status(1)?.term === 8, 20);
    cluster.runTicks(2);
    const replies = voteReplies(cluster, 8);
    cluster.check('(a), (b), (e), (f) grant their votes', [2, 3, 6, 7].every((node) => replies.get(node) === true));
    cluster.check('(c) and (d) refuse', [4, 5].every((node) => replies.get(node) === false));
    cluster.holdTimers(cluster.nodeIds.slice(1), false);
    cluster.waitUntil('every log equals the leader\'s', () => logsAgree(cluster) && allCommitted(cluster), 50);
    const expected = [...(FIGURE_7_LOGS[0] as readonly number[]), 8].join(' ');
    cluster.check('every log is the leader\'s: 1 1 1 4 4 5 5 6 6 6 8', cluster.nodeIds.every((node) =>
      cluster.logTerms(node).join(' ') === expected));
    const write = cluster.put(1, 'x', 'after');
    cluster.waitForReturn(write);
    cluster.check('the leader takes writes', write.output?.type === 'result');
  },
};

const appendsFrom = (from: NodeId, test: (to: NodeId, indexes: readonly number[]) => boolean) =>
  (message: Parameters<Parameters<Cluster['dropMessages']>[1] & object>[0]): boolean =>
    message.type === 'AppendEntries' && message.from === from && test(message.to, message.entries.map((entry) => entry.index));

/** Fires the node's election timer until it leads (a refused campaign is retried at the next term). */
function electAlone(cluster: Cluster, node: NodeId): number {
  for (let attempt = 0; attempt < 3; attempt++) {
    cluster.fireElectionTimer(node);
    for (let tick = 0; tick < 5 && cluster.status(node)?.role !== 'leader'; tick++) cluster.runTicks(1);
    if (cluster.status(node)?.role === 'leader') return cluster.status(node)?.term ?? 0;
  }
  throw new ScenarioError(`n${node} could not win an election`);
}

export const figure8: Scenario = {
  name: 'figure-8',
  purpose: 'The paper\'s Figure 8: a leader that finds an entry of an earlier term on a majority must not commit it by counting replicas, because a later leader may overwrite it.',
  // Timers and messages are driven by the script; one entry per append, as in the figure.
  options: { raft: { preVote: false, checkQuorum: false, maxEntriesPerMessage: 1 } },
  sometimes: { truncations: 1, leadersElected: 4 },
  script(cluster) {
    cluster.holdTimers(cluster.nodeIds);
    electAlone(cluster, 1);
    // Held timers mean no heartbeats: followers store index 1 but only the leader knows it is committed.
    cluster.waitUntil('index 1 is on every node and committed', () => cluster.status(1)?.commit === 1
      && cluster.nodeIds.every((node) => cluster.logTerms(node).length === 1), 20);
    // (a) S1 replicates index 2 to S2 only.
    cluster.dropMessages('appends of index 2 from n1 to n3 n4 n5', appendsFrom(1, (to) => to > 2));
    const doomed = cluster.put(1, 'x', 'index-2-term-1');
    cluster.waitUntil('n2 stores index 2', () => cluster.logTerms(2).length === 2, 20);
    // (b) S1 crashes; S5 wins with S3, S4 and appends index 2 of its own term locally only.
    cluster.crash(1);
    cluster.dropMessages('appends from n5', appendsFrom(5, () => true));
    const termB = electAlone(cluster, 5);
    // (c) S5 crashes; S1 restarts, wins, and replicates index 2 (older term) to a majority; index 3 stays local.
    cluster.crash(5);
    cluster.restart(1);
    // A probe carrying index 3 still reaches n3 and n4 while they lack index 2: their rejections walk
    // n1 back to index 2, which they accept. n1 then knows a majority (n1, n3, n4) stores index 2; n2
    // holds it too, unheard. (The paper uses S2 and S3; S2 would only confirm what n1 already knows.)
    cluster.dropMessages('appends from n1 to n2, and of index 3 to nodes holding index 2', appendsFrom(1, (to, indexes) =>
      to === 2 || (indexes.includes(3) && cluster.logTerms(to).length >= 2)));
    const termC = electAlone(cluster, 1);
    // Its heartbeats let it probe back to index 2 for n3.
    cluster.holdTimers([1], false);
    cluster.waitUntil('n3 and n4 store index 2 of term 1', () => [3, 4].every((node) => cluster.logTerms(node).join(' ') === '1 1'), 20);
    cluster.runTicks(3);
    cluster.check('index 2 is on a majority but NOT committed', (cluster.status(1)?.commit ?? 0) < 2,
      `n1 commit ${cluster.status(1)?.commit ?? '?'}`);
    // (d) S1 crashes; S5 restarts, wins with S2, S3, S4 and overwrites index 2 everywhere.
    cluster.crash(1);
    cluster.holdTimers([1]);
    cluster.restart(5);
    cluster.dropMessages('', null);
    const termD = electAlone(cluster, 5);
    cluster.restart(1);
    cluster.holdTimers(cluster.nodeIds, false);
    cluster.waitUntil('all logs converge', () => logsAgree(cluster) && allCommitted(cluster), 50);
    cluster.check('the terms go up: (b) < (c) < (d)', termB < termC && termC < termD, `t${termB} t${termC} t${termD}`);
    cluster.check('index 2 holds S5\'s entry of (b) everywhere', cluster.nodeIds.every((node) => cluster.logTerms(node)[1] === termB));
    cluster.check('the overwritten write was never acknowledged', doomed.output === null || doomed.output.type === 'unknown');
    cluster.check('and it is in no log', cluster.nodeIds.every((node) => !logHoldsClient(cluster, node, doomed.client)));
  },
};
