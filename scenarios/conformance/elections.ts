// Conformance: elections. A leader is elected and kept while nothing fails, a new one is elected
// when it goes, none is while no quorum is connected, and seven nodes keep electing under churn.
import type { NodeId } from '../../core/index.ts';
import type { Cluster } from '../vocabulary.ts';
import { exercised } from './suite.ts';
import type { ConformanceTest } from './suite.ts';

/** The node `k` places after `node`, wrapping around (the lab's (leader + k) % servers). */
export function after(cluster: Cluster, node: NodeId, k: number): NodeId {
  const n = cluster.options.nodes;
  return ((node - 1 + k) % n) + 1;
}

/** A fresh random command value from the scenario's own stream. */
export function value(cluster: Cluster): string {
  return String(cluster.random.int(1_000_000_000));
}

export const initialElection: ConformanceTest = {
  name: 'initial-election',
  purpose: 'three nodes elect one leader, agree on its term, and keep it while nothing fails',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.oneLeader();
    cluster.runMs(50);
    const term = cluster.termsAgree();
    exercised(cluster, 'a leader was elected in a term >= 1', term >= 1, `term ${term}`);
    // Two election timeouts of the lab (1 s each) with no failure: no new election.
    cluster.runMs(2_000);
    const later = cluster.termsAgree();
    cluster.check('the term stays the same without failures', later === term, `${term} -> ${later}`);
    cluster.oneLeader();
  },
};

export const reElection: ConformanceTest = {
  name: 're-election',
  purpose: 'a new leader after the leader is disconnected; none while no quorum is connected; one again after',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    const leader1 = cluster.oneLeader();
    cluster.disconnect(leader1);
    const leader2 = cluster.oneLeader();
    exercised(cluster, 'a different node leads once the leader is gone', leader2 !== leader1, `n${leader1} -> n${leader2}`);
    // The old leader comes back: it must not disturb the new one for good.
    cluster.connect(leader1);
    const leader3 = cluster.oneLeader();
    // No quorum: the one connected node must not believe it leads.
    cluster.disconnect(leader3);
    cluster.disconnect(after(cluster, leader3, 1));
    cluster.runMs(2_000);
    cluster.noLeader();
    exercised(cluster, 'only one node stayed connected', cluster.connectedNodes().length === 1);
    cluster.connect(after(cluster, leader3, 1));
    cluster.oneLeader();
    cluster.connect(leader3);
    cluster.oneLeader();
  },
};

export const manyElections: ConformanceTest = {
  name: 'many-elections',
  purpose: 'seven nodes, ten rounds of disconnecting three random ones: the rest elect or keep a leader',
  nodes: 7, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.oneLeader();
    const leaders = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const picked = [1, 2, 3].map(() => 1 + cluster.random.int(cluster.options.nodes));
      for (const node of picked) cluster.disconnect(node);
      const leader = cluster.oneLeader();
      leaders.add(`n${leader}@${cluster.status(leader)?.term ?? 0}`);
      for (const node of picked) cluster.connect(node);
    }
    cluster.oneLeader();
    exercised(cluster, 'more than one leadership over the rounds', leaders.size >= 2, [...leaders].join(' '));
  },
};

export const ELECTION_TESTS: readonly ConformanceTest[] = [initialElection, reElection, manyElections];
