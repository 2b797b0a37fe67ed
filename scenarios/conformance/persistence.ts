// Conformance: persistence and hostile schedules. Nodes restart from what they persisted and lose
// nothing committed; leaders crash or are cut off right after being elected (the paper's Figure 8)
// on reliable and unreliable networks; clients keep writing through churn, and every value they
// saw committed is in the final log.
import type { NodeId } from '../../core/index.ts';
import { RandomStreams } from '../../sim/random.ts';
import { LAB_UNRELIABLE } from '../vocabulary.ts';
import type { Cluster } from '../vocabulary.ts';
import { after, value } from './elections.ts';
import { exercised } from './suite.ts';
import type { ConformanceTest, Figure } from './suite.ts';

export const persist1: ConformanceTest = {
  name: 'persist-1',
  purpose: 'crashing all nodes, the leader, or a follower loses nothing committed',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    const before = cluster.one('11', 3);
    for (const node of cluster.nodeIds) cluster.crash(node);
    for (const node of cluster.nodeIds) cluster.restart(node);
    const afterAll = cluster.one('12', 3);
    exercised(cluster, 'after every node restarted the log went on past what was committed', afterAll > before, `${before} -> ${afterAll}`);
    const leader1 = cluster.oneLeader();
    cluster.crash(leader1);
    cluster.restart(leader1);
    cluster.one('13', 3);
    const leader2 = cluster.oneLeader();
    cluster.crash(leader2);
    const index = cluster.one('14', 2);
    cluster.restart(leader2);
    cluster.waitUntilMs(`index ${index} applied on all three`, () => cluster.nCommitted(index).count >= 3, 10_000);
    const follower = after(cluster, cluster.oneLeader(), 1);
    cluster.crash(follower);
    cluster.one('15', 2);
    cluster.restart(follower);
    cluster.one('16', 3);
  },
};

export const persist2: ConformanceTest = {
  name: 'persist-2',
  purpose: 'five rounds of crashing most of five nodes: the leader elected from the restarted ones has every committed entry',
  nodes: 5, needs: [], ciSeeds: 3,
  script(cluster) {
    let missed = 0;
    for (let round = 0; round < 5; round++) {
      cluster.one(value(cluster), 5);
      const leader = cluster.oneLeader();
      const pair = [after(cluster, leader, 1), after(cluster, leader, 2)];
      for (const node of pair) cluster.crash(node);
      const committed = cluster.one(value(cluster), 3);
      for (const node of [leader, after(cluster, leader, 3), after(cluster, leader, 4)]) cluster.crash(node);
      for (const node of pair) cluster.restart(node);
      if (pair.every((node) => (cluster.status(node)?.lastIndex ?? 0) < committed)) missed++;
      cluster.runMs(1_000);
      cluster.restart(after(cluster, leader, 3));
      cluster.one(value(cluster), 3);
      cluster.restart(after(cluster, leader, 4));
      cluster.restart(leader);
    }
    cluster.one('1000', 5);
    exercised(cluster, 'the restarted pair missed a committed entry', missed >= 1, `${missed} of 5 rounds`);
  },
};

export const persist3: ConformanceTest = {
  name: 'persist-3',
  purpose: 'a node that missed a commit must not win against a restarted node holding it',
  nodes: 3, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.one('101', 3);
    const leader = cluster.oneLeader();
    const behind = after(cluster, leader, 2);
    cluster.disconnect(behind);
    const started = cluster.start(cluster.oneLeader(), { type: 'put', key: 'k102', value: '102' });
    const index = started?.index ?? 0;
    cluster.waitUntilMs('102 applied on two nodes', () => started !== null && cluster.nCommitted(index).count >= 2, 10_000);
    cluster.crash(leader);
    cluster.crash(after(cluster, leader, 1));
    cluster.connect(behind);
    cluster.restart(leader);
    cluster.one('103', 2);
    cluster.restart(after(cluster, leader, 1));
    cluster.one('104', 3);
    exercised(cluster, 'the lagging node lacked 102 when it came back', (cluster.status(behind)?.commit ?? 0) >= index && started !== null);
    cluster.check('102 stays at its index', cluster.nCommitted(index).clientId === started?.operation.client);
  },
};

interface ChaosOptions {
  readonly iterations: number;
  /** Cut the leader off instead of crashing it, with this chance (the unreliable variant). */
  readonly disconnectRatio?: number;
}

/**
 * The paper's Figure 8 conditions, after the lab: offer a command to every node, sleep a little
 * (sometimes long), take the leader away, and bring a node back when fewer than three are left.
 */
function figure8Loop(cluster: Cluster, options: ChaosOptions): { removed: number } {
  const rng = cluster.random;
  const away = new Set<NodeId>();
  let removed = 0;
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    let leader: NodeId | null = null;
    for (const node of cluster.nodeIds) {
      const started = cluster.start(node, { type: 'put', key: `f${iteration}-${node}`, value: value(cluster) });
      if (started !== null && !away.has(node)) leader = node;
    }
    cluster.runMs(rng.chance(0.1) ? rng.int(500) : rng.int(13));
    if (leader !== null && (options.disconnectRatio === undefined || rng.chance(options.disconnectRatio))) {
      if (options.disconnectRatio === undefined) shutdown(cluster, leader);
      else cluster.disconnect(leader);
      away.add(leader);
      removed++;
    }
    if (cluster.nodeIds.length - away.size < 3) {
      const node = 1 + rng.int(cluster.options.nodes);
      if (away.has(node)) {
        if (options.disconnectRatio === undefined) revive(cluster, node);
        else cluster.connect(node);
        away.delete(node);
      }
    }
  }
  for (const node of away) {
    if (options.disconnectRatio === undefined) revive(cluster, node);
    else cluster.connect(node);
  }
  return { removed };
}

/** The lab's crash: cut the node off (what it has in flight is lost), then stop it. */
function shutdown(cluster: Cluster, node: NodeId): void {
  cluster.disconnect(node);
  cluster.crash(node);
}

function revive(cluster: Cluster, node: NodeId): void {
  if (cluster.status(node) === null) cluster.restart(node);
  cluster.connect(node);
}

function leaderAmong(cluster: Cluster, nodes: readonly NodeId[], termAbove = 0): NodeId | null {
  return nodes.find((node) => cluster.status(node)?.role === 'leader' && (cluster.status(node)?.term ?? 0) > termAbove) ?? null;
}

/**
 * The paper's Figure 8 from the lab's moves (connect, disconnect, Start, crash), reacting within a
 * millisecond: an entry e reaches s1 and s2 only; x, one of the other three, leads a later term and
 * is cut off before its own entry leaves it; s1 or s2 (w) then leads and carries e to y or z, and
 * is taken away the moment its commit index moves, with the other of the pair; x returns to y and
 * z. A leader that committed e by counting replicas lets x win without it; a correct one commits
 * only once its own term's entry is on a majority, and x cannot win.
 */
function paperFigure8(cluster: Cluster, takeAway: (node: NodeId) => void, bringBack: (node: NodeId) => void): { ok: boolean; detail: string } {
  cluster.one(value(cluster), 5);
  const s1 = cluster.oneLeader();
  const [s2, s3, s4, s5] = [1, 2, 3, 4].map((k) => after(cluster, s1, k)) as [NodeId, NodeId, NodeId, NodeId];
  for (const node of [s3, s4, s5]) cluster.disconnect(node);
  const e = cluster.start(s1, { type: 'put', key: 'figure-8-e', value: value(cluster) });
  if (e === null) return { ok: false, detail: 'the leader refused e' };
  cluster.waitUntilMs('e reaches s2', () => (cluster.status(s2)?.lastIndex ?? 0) >= e.index, 2_000, 1);
  cluster.disconnect(s1);
  cluster.disconnect(s2);
  for (const node of [s3, s4, s5]) cluster.connect(node);
  let x: NodeId | null = null;
  cluster.waitUntilMs('a leader among the other three', () => (x = leaderAmong(cluster, [s3, s4, s5])) !== null, 10_000, 1);
  const leaderX = x as unknown as NodeId;
  cluster.disconnect(leaderX);
  const termX = cluster.status(leaderX)?.term ?? 0;
  const [y, z] = [s3, s4, s5].filter((node) => node !== leaderX) as [NodeId, NodeId];
  cluster.connect(s1);
  cluster.connect(s2);
  let w: NodeId | null = null;
  cluster.waitUntilMs('s1 or s2 leads a later term', () => (w = leaderAmong(cluster, [s1, s2], termX)) !== null, 10_000, 1);
  const leaderW = w as unknown as NodeId;
  const commit = cluster.status(leaderW)?.commit ?? 0;
  cluster.waitUntilMs('its commit index moves', () => (cluster.status(leaderW)?.commit ?? 0) > commit
    || cluster.status(leaderW)?.role !== 'leader', 5_000, 1);
  const carried = [y, z].filter((node) => (cluster.log(node) ?? []).some((entry) => entry.index === e.index && entry.term === e.term));
  const xTerm = (cluster.log(leaderX) ?? []).find((entry) => entry.index === e.index)?.term ?? 0;
  takeAway(leaderW);
  cluster.disconnect(leaderW === s1 ? s2 : s1);
  cluster.connect(leaderX);
  cluster.runMs(2_000);
  for (const node of cluster.nodeIds) bringBack(node);
  cluster.one(value(cluster), 5);
  return {
    ok: carried.length >= 1 && xTerm > e.term,
    detail: `e at ${e.index} term ${e.term}; x=n${leaderX} holds term ${xTerm} there; w=n${leaderW} carried e to ${carried.map((n) => `n${n}`).join(' ') || 'nobody'}`,
  };
}

/** One entry per append and one append in flight: a new leader sends an old term's entries before its own. */
const FIGURE_8_FLOW = { maxEntriesPerMessage: 1, maxInflightMessages: 1 };

export const figure8: ConformanceTest = {
  name: 'figure-8',
  purpose: 'leaders crash right after election over and over; no entry of an earlier term is committed by counting',
  nodes: 5, needs: [], ciSeeds: 3,
  options: { raft: FIGURE_8_FLOW },
  script(cluster, figure) {
    const paper = paperFigure8(cluster, (node) => shutdown(cluster, node), (node) => revive(cluster, node));
    exercised(cluster, 'the paper\'s Figure 8: a new leader carried an earlier term\'s entry to a majority', paper.ok, paper.detail);
    cluster.one(value(cluster), 1);
    const { removed } = figure8Loop(cluster, { iterations: 1_000 });
    figure({ name: 'leaders crashed', value: removed });
    cluster.one(value(cluster), 5);
    exercised(cluster, 'leaders crashed and logs diverged', removed >= 20 && cluster.sometimes().truncations >= 1,
      `${removed} leader crashes, ${cluster.sometimes().truncations} truncations`);
  },
};

export const unreliableAgree: ConformanceTest = {
  name: 'unreliable-agree',
  purpose: 'concurrent clients agree over a network that loses and reorders messages',
  nodes: 5, needs: [], ciSeeds: 3,
  script(cluster) {
    cluster.setNetwork(LAB_UNRELIABLE);
    let agreed = 0;
    for (let iteration = 1; iteration < 50; iteration++) {
      let done = 0;
      for (let j = 0; j < 4; j++) {
        cluster.go(`client ${j}`, (function* (): Generator<number, void, void> {
          yield* cluster.agreement(String(100 * iteration + j), 1);
          done++;
        })());
      }
      cluster.one(String(iteration), 1);
      cluster.waitUntilMs('the four concurrent agreements', () => done === 4, 20_000);
      agreed += 5;
    }
    cluster.setNetwork({ lossRatio: 0 });
    cluster.one('100', 5);
    const lost = cluster.simulation.result().counters.dropsByReason['loss'] ?? 0;
    exercised(cluster, 'messages were lost while commands were agreed', agreed >= 245 && lost >= 10, `${agreed} agreed, ${lost} lost`);
  },
};

export const figure8Unreliable: ConformanceTest = {
  name: 'figure-8-unreliable',
  purpose: 'leaders cut off after election, on a lossy network whose replies come late; the final leader repairs every log',
  nodes: 5, needs: [], ciSeeds: 3,
  options: { raft: FIGURE_8_FLOW },
  script(cluster) {
    const paper = paperFigure8(cluster, (node) => cluster.disconnect(node), (node) => cluster.connect(node));
    exercised(cluster, 'the paper\'s Figure 8: a new leader carried an earlier term\'s entry to a majority', paper.ok, paper.detail);
    cluster.setNetwork(LAB_UNRELIABLE);
    cluster.one(value(cluster), 1);
    const rng = cluster.random;
    let delayed = 0;
    const longReordering = (message: { type: string }): number => {
      if (!message.type.endsWith('Reply') || !rng.chance(2 / 3)) return 0;
      delayed++;
      return 200 + rng.int(1 + rng.int(2_000));
    };
    const first = figure8Loop(cluster, { iterations: 200, disconnectRatio: 0.5 });
    cluster.delayMessages('two replies in three by 200 ms to 2.2 s', longReordering);
    const second = figure8Loop(cluster, { iterations: 800, disconnectRatio: 0.5 });
    cluster.delayMessages('', null);
    // The lab allows 10 s; one entry per append with one in flight (for the paper's Figure 8
    // above) over a lossy network moves about 15 entries a second, and the logs hold several
    // hundred entries by now.
    cluster.one(value(cluster), 5, { withinMs: 120_000 });
    const removed = first.removed + second.removed;
    exercised(cluster, 'leaders were cut off, replies delayed, logs diverged',
      removed >= 10 && delayed >= 20 && cluster.sometimes().truncations >= 1,
      `${removed} leaders cut off, ${delayed} replies delayed, ${cluster.sometimes().truncations} truncations`);
  },
};

/** The lab's churn: three clients write through random disconnections, crashes and restarts. */
function churn(cluster: Cluster, figure: (figure: Figure) => void, unreliable: boolean): void {
  if (unreliable) cluster.setNetwork(LAB_UNRELIABLE);
  // The faults draw from a stream of their own: how many values the clients wrote (each drawn
  // from cluster.random) must not change the schedule, or the core under test would choose it.
  const rng = new RandomStreams(cluster.setup.seed).stream('churn-faults');
  const seen: { index: number; client: number }[] = [];
  let stop = false;
  for (let me = 0; me < 3; me++) {
    cluster.go(`client ${me}`, (function* (): Generator<number, void, void> {
      while (!stop) {
        let started: { index: number; client: number } | null = null;
        for (const node of cluster.nodeIds) {
          const one = cluster.start(node, { type: 'put', key: `c${me}-${cluster.operations.length + 1}`, value: value(cluster) });
          if (one !== null) started = { index: one.index, client: one.operation.client };
        }
        if (started === null) {
          yield 79 + me * 17;
          continue;
        }
        for (const sleepMs of [10, 20, 50, 100, 200]) {
          const committed = cluster.nCommitted(started.index);
          if (committed.count > 0) {
            if (committed.clientId === started.client) seen.push(started);
            break;
          }
          yield sleepMs;
        }
      }
    })());
  }
  for (let round = 0; round < 20; round++) {
    if (rng.chance(0.2)) cluster.disconnect(1 + rng.int(cluster.options.nodes));
    if (rng.chance(0.5)) {
      const node = 1 + rng.int(cluster.options.nodes);
      if (cluster.status(node) === null) cluster.restart(node);
      cluster.connect(node);
    }
    if (rng.chance(0.2)) cluster.crash(1 + rng.int(cluster.options.nodes));
    cluster.runMs(700);
  }
  cluster.runMs(1_000);
  cluster.setNetwork({ lossRatio: 0, delayMsMin: 1, delayMsMax: 10 });
  for (const node of cluster.nodeIds) {
    if (cluster.status(node) === null) cluster.restart(node);
    cluster.connect(node);
  }
  stop = true;
  cluster.stopTasks();
  cluster.one(value(cluster), 5);
  const lost = seen.filter(({ index, client }) => cluster.nCommitted(index).clientId !== client || cluster.nCommitted(index).count < 5);
  cluster.check('every value a client saw committed is applied on all five', lost.length === 0,
    lost.slice(0, 3).map(({ index }) => `index ${index}`).join(' '));
  const faults = Object.values(cluster.simulation.result().counters.faults).reduce((sum, n) => sum + n, 0);
  figure({ name: 'values seen committed', value: seen.length });
  exercised(cluster, 'clients saw values commit through churn', seen.length >= 10 && faults >= 5, `${seen.length} values, ${faults} faults`);
}

export const reliableChurn: ConformanceTest = {
  name: 'reliable-churn',
  purpose: 'three clients write through random disconnections, crashes and restarts; nothing committed is lost',
  nodes: 5, needs: [], ciSeeds: 3,
  script: (cluster, figure) => churn(cluster, figure, false),
};

export const unreliableChurn: ConformanceTest = {
  name: 'unreliable-churn',
  purpose: 'the same churn over a lossy network',
  nodes: 5, needs: [], ciSeeds: 3,
  script: (cluster, figure) => churn(cluster, figure, true),
};

export const PERSISTENCE_TESTS: readonly ConformanceTest[] = [
  persist1, persist2, persist3, figure8, unreliableAgree, figure8Unreliable, reliableChurn, unreliableChurn,
];
