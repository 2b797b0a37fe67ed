// Scenarios where the cluster itself changes: membership, and rounds of random churn.
import type { NodeId } from '../../core/index.ts';
import type { Cluster } from '../vocabulary.ts';
import { allCommitted, logsAgree, others } from './scenario.ts';
import type { Scenario } from './scenario.ts';

export const membership: Scenario = {
  name: 'membership',
  purpose: 'A fifth node joins as a learner, is promoted to voter, and the leader then removes itself while a follower is partitioned away; the remaining voters elect a leader and keep committing.',
  initialVoters: [1, 2, 3, 4],
  sometimes: { leadersElected: 2 },
  script(cluster) {
    const leader = cluster.waitForLeader({ among: [1, 2, 3, 4], ticksMax: 60 });
    cluster.check('n5 starts outside the cluster', cluster.status(5)?.config.voters.includes(5) === false);
    cluster.waitForReturn(cluster.put(leader, 'x', 'four'));
    cluster.changeMembership(leader, { type: 'addLearner', node: 5 });
    cluster.waitUntil('the learner catches up', () => cluster.status(5)?.lastIndex === cluster.status(leader)?.lastIndex, 30);
    cluster.check('n5 is a learner, not a voter', cluster.status(leader)?.config.learners.includes(5) === true);
    cluster.changeMembership(leader, { type: 'promote', node: 5 });
    cluster.check('n5 is a voter', cluster.status(leader)?.config.voters.includes(5) === true);
    const cutOff = others(cluster, [leader, 5])[0] as NodeId;
    cluster.partition([cutOff], others(cluster, [cutOff]));
    cluster.waitForReturn(cluster.put(leader, 'x', 'five'));
    cluster.changeMembership(leader, { type: 'remove', node: leader });
    cluster.waitUntil('the removed leader steps down', () => cluster.status(leader)?.role !== 'leader', 40);
    const members = others(cluster, [leader]);
    const next = cluster.waitForLeader({ among: members, ticksMax: 100 });
    cluster.check('the new leader\'s voters no longer include the old leader', cluster.status(next)?.config.voters.includes(leader) === false,
      `voters ${cluster.status(next)?.config.voters.join(',') ?? '?'}`);
    const write = cluster.put(next, 'x', 'without-the-old-leader');
    cluster.waitForReturn(write);
    cluster.check('the shrunk cluster commits writes', write.output?.type === 'result');
    cluster.heal();
    cluster.waitUntil('the members converge', () => logsAgree(cluster, members) && allCommitted(cluster, members), 60);
  },
};

/** The churn actions, drawn from the scenario's own random stream. */
function churnRound(cluster: Cluster, round: number): void {
  const down = cluster.nodeIds.filter((node) => cluster.status(node) === null);
  const roll = cluster.random.int(4);
  const pick = (nodes: readonly NodeId[]): NodeId => nodes[cluster.random.int(nodes.length)] as NodeId;
  // Half the time the fault hits the leader, where it hurts most.
  const target = (): NodeId => cluster.leaders()[0] !== undefined && cluster.random.chance(0.5)
    ? cluster.leaders()[0] as NodeId : pick(others(cluster, down));
  if (roll === 0 && down.length < 2) cluster.crash(target(), { torn: cluster.random.chance(0.5) });
  else if (roll === 1 && down.length > 0) cluster.restart(pick(down));
  else if (roll === 2) {
    const alone = target();
    cluster.partition([alone], others(cluster, [alone]));
  }
  else cluster.heal();
  cluster.note(`churn round ${round}`);
  cluster.runTicks(cluster.random.range(5, 25));
}

function acknowledgedWrites(cluster: Cluster): { client: number; sequence: number }[] {
  const calls = new Map<number, { client: number; sequence: number }>();
  const acked: { client: number; sequence: number }[] = [];
  for (const event of cluster.events) {
    if (event.type === 'call' && event.input.type === 'command') {
      calls.set(event.op, { client: event.input.command.clientId, sequence: event.input.command.sequence });
    } else if (event.type === 'return' && event.output.type === 'result') {
      const write = calls.get(event.op);
      if (write !== undefined) acked.push(write);
    }
  }
  return acked;
}

export const churn: Scenario = {
  name: 'churn',
  purpose: 'Rounds of random crashes, restarts and disconnections over a lossy, duplicating network under client load, after which every write a client saw acknowledged is in the final log.',
  options: { clients: 2, keys: 2, network: { delayMsMin: 1, delayMsMax: 60, lossRatio: 0.05, duplicateRatio: 0.05 } },
  sometimes: { leadersElected: 2 },
  script(cluster) {
    cluster.waitForLeader({ ticksMax: 60 });
    for (let round = 1; round <= 10; round++) churnRound(cluster, round);
    cluster.heal();
    for (const node of cluster.nodeIds) if (cluster.status(node) === null) cluster.restart(node);
    const leader = cluster.waitForLeader({ ticksMax: 100 });
    cluster.runTicks(10);
    const log = cluster.log(leader) ?? [];
    const inLog = new Set(log.flatMap((entry) => entry.data.type === 'command'
      ? [`${entry.data.command.clientId}:${entry.data.command.sequence}`] : []));
    const acked = acknowledgedWrites(cluster);
    const missing = acked.filter((write) => !inLog.has(`${write.client}:${write.sequence}`));
    cluster.check('some writes were acknowledged', acked.length > 0, `${acked.length}`);
    cluster.check('every acknowledged write is in the final leader\'s log', missing.length === 0,
      missing.map((write) => `${write.client}:${write.sequence}`).join(' '));
  },
};
