// Conformance: agreement. Commands commit on every connected node, not without a quorum; a
// follower or leader that comes back catches up; an old leader's tail is replaced; long divergent
// logs are repaired quickly; and the RPCs spent stay within the lab's bounds.
import type { NodeId } from '../../core/index.ts';
import type { Cluster, Operation } from '../vocabulary.ts';
import { after, value } from './elections.ts';
import { exercised } from './suite.ts';
import type { ConformanceTest } from './suite.ts';

export const basicAgree: ConformanceTest = {
  name: 'basic-agree',
  purpose: 'three commands commit on all three nodes, at consecutive indexes, nothing committed before',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    const leader = cluster.oneLeader();
    let last = cluster.status(leader)?.lastIndex ?? 0;
    let agreed = 0;
    for (let i = 1; i <= 3; i++) {
      cluster.check(`nothing applied at index ${last + 1} before the command`, cluster.nCommitted(last + 1).count === 0);
      const index = cluster.one(String(i * 100), 3, { retry: false });
      cluster.check(`command ${i} at the next index`, index === last + 1, `index ${index}, expected ${last + 1}`);
      last = index;
      agreed++;
    }
    exercised(cluster, 'three commands applied on all three nodes', agreed === 3);
  },
};

export const rpcBytes: ConformanceTest = {
  name: 'rpc-bytes',
  purpose: 'ten commands of 5,000 bytes are sent to each follower about once (the lab\'s byte bound)',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster, figure) {
    cluster.oneLeader();
    cluster.one('99', 3, { retry: false });
    const before = cluster.messageStats().bytes;
    let sent = 0;
    for (let i = 0; i < 10; i++) {
      const big = value(cluster).padEnd(5_000, 'x');
      cluster.one(big, 3, { retry: false });
      sent += big.length;
    }
    const bytes = cluster.messageStats().bytes - before;
    // The lab's bound: every node's share of the commands once, plus 50,000 bytes of overhead.
    figure({ name: 'bytes', value: bytes, bound: 3 * sent + 50_000, unit: 'B' });
    exercised(cluster, '50,000 bytes of commands committed', sent === 50_000, `${sent}`);
  },
};

export const followerFailure: ConformanceTest = {
  name: 'follower-failure',
  purpose: 'two of three nodes agree without a follower; a leader alone commits nothing',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.one('101', 3, { retry: false });
    const leader1 = cluster.oneLeader();
    cluster.disconnect(after(cluster, leader1, 1));
    cluster.one('102', 2, { retry: false });
    cluster.runMs(1_000);
    const index = cluster.one('103', 2, { retry: false });
    const leader2 = cluster.oneLeader();
    cluster.disconnect(after(cluster, leader2, 1));
    cluster.disconnect(after(cluster, leader2, 2));
    const started = cluster.start(leader2, { type: 'put', key: 'k104', value: '104' });
    exercised(cluster, 'the lone leader accepted a command', started !== null);
    cluster.check('at the next index', started?.index === index + 1, `${started?.index ?? '-'}`);
    cluster.runMs(2_000);
    cluster.check('a leader alone commits nothing', cluster.nCommitted(index + 1).count === 0, `${cluster.nCommitted(index + 1).count}`);
  },
};

export const leaderFailure: ConformanceTest = {
  name: 'leader-failure',
  purpose: 'two nodes agree after the leader is gone; the last one alone commits nothing',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.one('101', 3, { retry: false });
    const leader1 = cluster.oneLeader();
    cluster.disconnect(leader1);
    cluster.one('102', 2, { retry: false });
    cluster.runMs(1_000);
    const index = cluster.one('103', 2, { retry: false });
    const leader2 = cluster.oneLeader();
    cluster.disconnect(leader2);
    let accepted = 0;
    for (const node of cluster.nodeIds) if (cluster.start(node, { type: 'put', key: `k104-${node}`, value: '104' }) !== null) accepted++;
    exercised(cluster, 'a cut-off leader accepted the command', accepted >= 1, `${accepted} accepted`);
    cluster.runMs(2_000);
    cluster.check('no node commits past the last agreement', cluster.nCommitted(index + 1).count === 0, `${cluster.nCommitted(index + 1).count}`);
  },
};

export const failAgree: ConformanceTest = {
  name: 'fail-agree',
  purpose: 'agreement goes on without a follower, which catches up when it reconnects',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.one('101', 3, { retry: false });
    const leader = cluster.oneLeader();
    const follower = after(cluster, leader, 1);
    cluster.disconnect(follower);
    cluster.one('102', 2, { retry: false });
    cluster.one('103', 2, { retry: false });
    cluster.runMs(1_000);
    cluster.one('104', 2, { retry: false });
    const missed = cluster.one('105', 2, { retry: false });
    const behind = cluster.status(follower)?.lastIndex ?? 0;
    cluster.connect(follower);
    cluster.one('106', 3);
    cluster.runMs(1_000);
    cluster.one('107', 3);
    exercised(cluster, 'the follower missed entries and caught up', behind < missed && (cluster.status(follower)?.commit ?? 0) > missed,
      `last index ${behind} while cut, ${missed} committed then`);
  },
};

export const failNoAgree: ConformanceTest = {
  name: 'fail-no-agree',
  purpose: 'with three of five nodes cut off nothing commits; after they return the cluster agrees again',
  nodes: 5, needs: [], ciSeeds: 3,
  script(cluster) {
    const first = cluster.one('10', 5);
    const leader = cluster.oneLeader();
    for (const k of [1, 2, 3]) cluster.disconnect(after(cluster, leader, k));
    const started = cluster.start(leader, { type: 'put', key: 'k20', value: '20' });
    exercised(cluster, 'the minority leader accepted a command', started !== null);
    const index = started?.index ?? 0;
    cluster.check('at the next index', index === first + 1, `${index}`);
    cluster.runMs(2_000);
    cluster.check('nothing commits without a quorum', cluster.nCommitted(index).count === 0, `${cluster.nCommitted(index).count}`);
    for (const k of [1, 2, 3]) cluster.connect(after(cluster, leader, k));
    const leader2 = cluster.oneLeader();
    const again = cluster.start(leader2, { type: 'put', key: 'k30', value: '30' });
    if (again !== null) {
      // The minority's entry may be dropped; a new leader's no-op may come first (one more than the lab allows).
      cluster.check('the next command lands right after the last agreement', again.index >= index && again.index <= index + 2, `${again.index}`);
    }
    cluster.one('1000', 5);
  },
};

export const concurrentStarts: ConformanceTest = {
  name: 'concurrent-starts',
  purpose: 'five commands started at once in one term all commit',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) cluster.runMs(3_000);
      const leader = cluster.oneLeader();
      const first = cluster.start(leader, { type: 'put', key: 'k1', value: '1' });
      if (first === null) continue;
      const started: { index: number; term: number }[] = [];
      for (let i = 0; i < 5; i++) {
        cluster.go(`starter ${i}`, (function* (): Generator<number, void, void> {
          const one = cluster.start(leader, { type: 'put', key: `k${100 + i}-${attempt}`, value: String(100 + i) });
          if (one !== null) started.push(one);
          yield 1;
        })());
      }
      const sameTerm = (): boolean => cluster.status(leader)?.term === first.term && cluster.status(leader)?.role === 'leader';
      const all = (): boolean => started.length === 5 && started.every((one) => cluster.nCommitted(one.index).count === 3);
      cluster.waitUntilMs('the five commands commit', () => all() || !sameTerm(), 5_000);
      if (!all()) continue;
      exercised(cluster, 'five concurrent commands committed in one term', started.every((one) => one.term === first.term));
      return;
    }
    exercised(cluster, 'five concurrent commands committed in one term', false, 'the term changed five times');
  },
};

export const rejoin: ConformanceTest = {
  name: 'rejoin',
  purpose: 'a partitioned leader\'s uncommitted entries are replaced when it rejoins',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.one('101', 3);
    const leader1 = cluster.oneLeader();
    cluster.disconnect(leader1);
    const stale: Operation[] = [];
    for (const v of ['102', '103', '104']) {
      const started = cluster.start(leader1, { type: 'put', key: `stale-${v}`, value: v });
      if (started !== null) stale.push(started.operation);
    }
    cluster.one('103', 2);
    const leader2 = cluster.oneLeader();
    cluster.disconnect(leader2);
    cluster.connect(leader1);
    cluster.one('104', 2);
    cluster.connect(leader2);
    cluster.one('105', 3);
    exercised(cluster, 'the old leader held three entries it never committed', stale.length === 3, `${stale.length}`);
    const kept = stale.filter((operation) => cluster.nodeIds.some((node) => holdsClient(cluster, node, operation.client)));
    cluster.check('none of them survives anywhere', kept.length === 0, kept.map((operation) => `op ${operation.op}`).join(' '));
  },
};

function holdsClient(cluster: Cluster, node: NodeId, client: number): boolean {
  return (cluster.log(node) ?? []).some((entry) => entry.data.type === 'command' && entry.data.command.clientId === client);
}

export const backup: ConformanceTest = {
  name: 'backup',
  purpose: 'leaders repair followers with 50 divergent entries quickly (fast log backtracking)',
  nodes: 5, needs: [], ciSeeds: 3,
  script(cluster, figure) {
    cluster.one(value(cluster), 5);
    // Put the leader and one follower in a partition; 50 commands there never commit.
    const leader1 = cluster.oneLeader();
    for (const k of [2, 3, 4]) cluster.disconnect(after(cluster, leader1, k));
    for (let i = 0; i < 50; i++) cluster.start(leader1, { type: 'put', key: `a${i}`, value: value(cluster) });
    cluster.runMs(500);
    cluster.disconnect(leader1);
    cluster.disconnect(after(cluster, leader1, 1));
    for (const k of [2, 3, 4]) cluster.connect(after(cluster, leader1, k));
    // The other three commit 50 commands.
    for (let i = 0; i < 50; i++) cluster.one(value(cluster), 3);
    // Their leader and one follower take 50 more that never commit.
    const leader2 = cluster.oneLeader();
    let other = after(cluster, leader1, 2);
    if (other === leader2) other = after(cluster, leader2, 1);
    cluster.disconnect(other);
    for (let i = 0; i < 50; i++) cluster.start(leader2, { type: 'put', key: `b${i}`, value: value(cluster) });
    cluster.runMs(500);
    // Bring back the first partition's pair with the node that missed the last 50.
    const divergent = cluster.status(leader1)?.lastIndex ?? 0;
    for (const node of cluster.nodeIds) cluster.disconnect(node);
    for (const node of [leader1, after(cluster, leader1, 1), other]) cluster.connect(node);
    const rejectionsBefore = cluster.messageStats().rejections;
    for (let i = 0; i < 50; i++) cluster.one(value(cluster), 3);
    for (const node of cluster.nodeIds) cluster.connect(node);
    cluster.one(value(cluster), 5);
    figure({ name: 'rejected appends', value: cluster.messageStats().rejections - rejectionsBefore });
    exercised(cluster, 'the first leader came back with 50 uncommitted entries', divergent >= 51, `last index ${divergent}`);
  },
};

export const count: ConformanceTest = {
  name: 'count',
  purpose: 'an election, eleven agreements and a second of idleness each use few RPCs (the lab\'s bounds)',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster, figure) {
    cluster.oneLeader();
    const election = cluster.messageStats().rpcs;
    figure({ name: 'election RPCs', value: election, bound: 30 });
    cluster.check('an election uses at least one RPC', election >= 1, `${election}`);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) cluster.runMs(3_000);
      const leader = cluster.oneLeader();
      const before = cluster.messageStats().rpcs;
      const first = cluster.start(leader, { type: 'put', key: `c${attempt}-0`, value: '1' });
      if (first === null) continue;
      const started = [first];
      for (let i = 1; i <= 10; i++) {
        const one = cluster.start(leader, { type: 'put', key: `c${attempt}-${i}`, value: value(cluster) });
        if (one === null || one.term !== first.term || one.index !== first.index + i) break;
        started.push(one);
      }
      if (started.length !== 11) continue;
      const sameTerm = (): boolean => cluster.status(leader)?.term === first.term;
      const all = (): boolean => started.every((one) => cluster.nCommitted(one.index).count === 3);
      cluster.waitUntilMs('eleven commands commit on all three', () => all() || !sameTerm(), 5_000, 1);
      if (!all()) continue;
      const agreement = cluster.messageStats().rpcs - before;
      figure({ name: 'RPCs for 11 agreements', value: agreement, bound: (10 + 1 + 3) * 3 });
      cluster.runMs(1_000);
      const idle = cluster.messageStats().rpcs - before - agreement;
      figure({ name: 'idle RPCs in 1 s', value: idle, bound: 3 * 20 });
      exercised(cluster, 'eleven commands committed in one term', true);
      return;
    }
    exercised(cluster, 'eleven commands committed in one term', false, 'the term changed five times');
  },
};

export const AGREEMENT_TESTS: readonly ConformanceTest[] = [
  basicAgree, rpcBytes, followerFailure, leaderFailure, failAgree, failNoAgree, concurrentStarts, rejoin, backup, count,
];
