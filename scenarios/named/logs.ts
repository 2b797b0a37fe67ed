// Scenarios about logs and reads: a rejoining old leader, fast backtracking, stale reads, snapshot
// catch-up, crashes that lose unsynced writes.
import type { NodeId } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import type { Cluster, Operation } from '../vocabulary.ts';
import { allCommitted, logHoldsClient, logsAgree, others } from './scenario.ts';
import type { Scenario } from './scenario.ts';

function puts(cluster: Cluster, node: NodeId, count: number, prefix: string): Operation[] {
  return Array.from({ length: count }, (_, index) => cluster.put(node, 'x', `${prefix}-${index + 1}`));
}

function waitAll(cluster: Cluster, operations: readonly Operation[], ticksMax: number): void {
  cluster.waitUntil(`${operations.length} operations return`, () => operations.every((operation) => operation.output !== null), ticksMax);
}

function acknowledged(operation: Operation): boolean {
  return operation.output?.type === 'result';
}

/** Partitions the leader away alone, has it take `tail` writes, and elects a leader on the other side. */
function strandLeader(cluster: Cluster, tail: number): { oldLeader: NodeId; newLeader: NodeId; stranded: Operation[] } {
  const oldLeader = cluster.waitForLeader({ ticksMax: 60 });
  cluster.waitForReturn(cluster.put(oldLeader, 'x', 'base'));
  const rest = others(cluster, [oldLeader]);
  cluster.partition([oldLeader], rest);
  const stranded = puts(cluster, oldLeader, tail, 'stranded');
  const newLeader = cluster.waitForLeader({ among: rest, ticksMax: 80 });
  return { oldLeader, newLeader, stranded };
}

export const rejoin: Scenario = {
  name: 'rejoin',
  purpose: 'An old leader that took writes while cut off rejoins, and its uncommitted tail is overwritten by the new leader\'s log.',
  sometimes: { truncations: 1, depositions: 1 },
  script(cluster) {
    const { oldLeader, newLeader, stranded } = strandLeader(cluster, 3);
    const tailFrom = (cluster.status(oldLeader)?.lastIndex ?? 0) - stranded.length + 1;
    const committed = puts(cluster, newLeader, 2, 'new');
    waitAll(cluster, committed, 30);
    const healedAt = cluster.events.length;
    cluster.heal();
    cluster.waitUntil('the logs converge', () => logsAgree(cluster) && allCommitted(cluster), 50);
    cluster.check('the old tail was truncated on the old leader', cluster.events.slice(healedAt).some((event) =>
      event.type === 'append' && event.node === oldLeader && event.from <= tailFrom));
    cluster.check('no stranded write is left in any log', stranded.every((write) =>
      cluster.nodeIds.every((node) => !logHoldsClient(cluster, node, write.client))));
    cluster.check('no stranded write was acknowledged', stranded.every((write) => !acknowledged(write)));
  },
};

/** Rejected AppendEntries replies the node sent from event `from` on. */
function rejections(events: readonly TraceEvent[], from: number, node: NodeId): number {
  return events.slice(from).filter((event) => event.type === 'send' && event.message.type === 'AppendEntriesReply'
    && event.message.from === node && !event.message.success).length;
}

export const REJECTIONS_MAX = 4;

export const backup: Scenario = {
  name: 'backup',
  purpose: 'An old leader with 50 uncommitted entries rejoins a majority that committed 50 others under a later leader; the conflict-term hint repairs its log in a few rejected appends, not fifty.',
  sometimes: { truncations: 1, leadersElected: 3 },
  script(cluster) {
    const { oldLeader, newLeader, stranded } = strandLeader(cluster, 50);
    const committed = puts(cluster, newLeader, 50, 'new');
    waitAll(cluster, committed, 60);
    cluster.check('the 50 majority writes are acknowledged', committed.every(acknowledged));
    // A third leader starts with nextIndex past the end of its log, so it must find the divergence.
    cluster.crash(newLeader);
    const thirdLeader = cluster.waitForLeader({ among: others(cluster, [oldLeader, newLeader]), ticksMax: 80 });
    const healedAt = cluster.events.length;
    cluster.heal();
    cluster.waitUntil('the old leader is repaired', () => logsAgree(cluster, [oldLeader, thirdLeader])
      && allCommitted(cluster, [oldLeader, thirdLeader]), 60);
    const count = rejections(cluster.events, healedAt, oldLeader);
    cluster.check(`fast backtracking needs between 1 and ${REJECTIONS_MAX} rejected appends`, count >= 1 && count <= REJECTIONS_MAX,
      `${count} rejected`);
    cluster.check('no stranded write survives', stranded.every((write) => !logHoldsClient(cluster, oldLeader, write.client)));
    cluster.restart(newLeader);
    cluster.waitUntil('all logs converge', () => logsAgree(cluster) && allCommitted(cluster), 60);
  },
};

export const staleRead: Scenario = {
  name: 'stale-read',
  purpose: 'An old leader cut off from the majority keeps receiving reads after a new value is written on the other side, and none of them returns the stale value.',
  sometimes: { depositions: 1, leadersElected: 2 },
  script(cluster) {
    const oldLeader = cluster.waitForLeader({ ticksMax: 60 });
    cluster.waitForReturn(cluster.put(oldLeader, 'x', 'old'));
    const rest = others(cluster, [oldLeader]);
    cluster.partition([oldLeader], rest);
    const early = [cluster.read(oldLeader, 'x'), cluster.read(oldLeader, 'x')];
    const newLeader = cluster.waitForLeader({ among: rest, ticksMax: 80 });
    const write = cluster.put(newLeader, 'x', 'new');
    cluster.waitForReturn(write);
    const late = [cluster.read(oldLeader, 'x'), cluster.read(oldLeader, 'x')];
    cluster.runTicks(20);
    const stale = [...early, ...late].filter((read) => read.output?.type === 'result'
      && read.output.result.type === 'value' && read.output.result.value === 'old');
    cluster.check('no read at the isolated old leader returns the stale value', stale.length === 0, `${stale.length} stale`);
    cluster.check('CheckQuorum made the isolated old leader step down', cluster.status(oldLeader)?.role !== 'leader');
    const fresh = cluster.read(newLeader, 'x');
    const output = cluster.waitForReturn(fresh);
    cluster.check('the new leader reads the new value', output.type === 'result' && output.result.type === 'value'
      && output.result.value === 'new');
    cluster.heal();
    cluster.waitUntil('the logs converge', () => logsAgree(cluster) && allCommitted(cluster), 50);
  },
};

export const snapshotCatchUp: Scenario = {
  name: 'snapshot-catch-up',
  purpose: 'A follower that was down while the leader compacted its log catches up through InstallSnapshot.',
  options: { snapshotEveryEntries: 10 },
  sometimes: { snapshotInstalls: 1 },
  script(cluster) {
    const leader = cluster.waitForLeader({ ticksMax: 60 });
    const behind = others(cluster, [leader])[0] as NodeId;
    cluster.crash(behind);
    const writes = puts(cluster, leader, 30, 'w');
    waitAll(cluster, writes, 60);
    cluster.check('the leader compacted past the follower\'s log', (cluster.status(leader)?.firstIndex ?? 0) > 1,
      `first index ${cluster.status(leader)?.firstIndex ?? '?'}`);
    const restartedAt = cluster.events.length;
    cluster.restart(behind);
    const leaderStatus = (): { commit: number; lastIndex: number } => cluster.status(leader) ?? { commit: -1, lastIndex: -1 };
    cluster.waitUntil('the follower catches up', () => cluster.status(behind)?.commit === leaderStatus().commit
      && cluster.status(behind)?.lastIndex === leaderStatus().lastIndex, 50);
    cluster.check('the follower installed a snapshot from the leader', cluster.events.slice(restartedAt + 1).some((event) =>
      event.type === 'snapshot' && event.node === behind));
    cluster.check('its state machine holds the last value', cluster.host(behind).read('x') === cluster.host(leader).read('x'),
      `${cluster.host(behind).read('x') ?? 'null'}`);
  },
};

export const lostUnsynced: Scenario = {
  name: 'lost-unsynced',
  purpose: 'A majority crashes in the middle of a burst of writes, losing whatever was not synced, and no acknowledged write is lost.',
  sometimes: { leadersElected: 1 },
  script(cluster) {
    const leader = cluster.waitForLeader({ ticksMax: 60 });
    const writes = puts(cluster, leader, 5, 'acked');
    cluster.runMs(60);
    writes.push(...puts(cluster, leader, 5, 'in-flight'));
    cluster.runMs(5);
    const victims = [leader, ...others(cluster, [leader]).slice(0, 2)];
    for (const node of victims) cluster.crash(node, { torn: true });
    const acked = writes.filter(acknowledged);
    cluster.runTicks(5);
    for (const node of victims) cluster.restart(node);
    const newLeader = cluster.waitForLeader({ ticksMax: 80 });
    cluster.waitForReturn(cluster.put(newLeader, 'x', 'after'));
    cluster.waitUntil('the logs converge', () => logsAgree(cluster) && allCommitted(cluster), 50);
    cluster.check('some writes were acknowledged before the crash', acked.length > 0, `${acked.length} of ${writes.length}`);
    cluster.check('every acknowledged write is on every node', acked.every((write) =>
      cluster.nodeIds.every((node) => logHoldsClient(cluster, node, write.client))));
  },
};
