// Conformance: snapshots. The log is trimmed as the state machine snapshots every ten entries; a
// follower that missed entries (cut off or crashed) catches up through InstallSnapshot; nodes
// restarted from a snapshot and a log tail go on at higher indexes, never lower.
import type { NodeId } from '../../core/index.ts';
import { LAB_UNRELIABLE } from '../vocabulary.ts';
import type { Cluster } from '../vocabulary.ts';
import { after, value } from './elections.ts';
import { exercised } from './suite.ts';
import type { ConformanceTest, Figure } from './suite.ts';

/** The lab's snapshot interval: the state machine snapshots every ten applied entries. */
const SNAPSHOT_EVERY = 10;

/** The lab's bound on the persisted Raft state (hard state and log, not the snapshot): the log must be trimmed. */
const LOG_BYTES_MAX = 2_000;

/** The largest log, in entries and in bytes of JSON, any node has on its disk (hard state and entries, not the snapshot). */
function persistedLog(cluster: Cluster): { entries: number; bytes: number } {
  let entries = 0;
  let bytes = 0;
  for (const node of cluster.nodeIds) {
    const state = cluster.host(node).disk.load();
    entries = Math.max(entries, state.entries.length);
    bytes = Math.max(bytes, JSON.stringify({ hardState: state.hardState, entries: state.entries }).length);
  }
  return { entries, bytes };
}

interface SnapshotRun {
  readonly disconnect: boolean;
  readonly crash: boolean;
  readonly unreliable: boolean;
}

function snapshotRounds(cluster: Cluster, figure: (figure: Figure) => void, run: SnapshotRun): void {
  if (run.unreliable) cluster.setNetwork(LAB_UNRELIABLE);
  const nodes = cluster.options.nodes;
  let leader = cluster.oneLeader();
  let largest = { entries: 0, bytes: 0 };
  for (let round = 0; round < 30; round++) {
    let victim: NodeId = after(cluster, leader, 1);
    let sender: NodeId = leader;
    if (round % 3 === 1) {
      sender = after(cluster, leader, 1);
      victim = leader;
    }
    if (run.disconnect) {
      cluster.disconnect(victim);
      cluster.one(value(cluster), nodes - 1);
    }
    if (run.crash) {
      cluster.disconnect(victim);
      cluster.crash(victim);
      cluster.one(value(cluster), nodes - 1);
    }
    // Perhaps enough for a snapshot.
    const count = SNAPSHOT_EVERY / 2 + cluster.random.int(SNAPSHOT_EVERY);
    for (let i = 0; i < count; i++) cluster.start(sender, { type: 'put', key: `s${round}-${i}`, value: value(cluster) });
    // Without faults, wait for every node, so no InstallSnapshot is needed.
    cluster.one(value(cluster), run.disconnect || run.crash ? nodes - 1 : nodes);
    const log = persistedLog(cluster);
    if (log.bytes > largest.bytes) largest = log;
    if (run.disconnect || run.crash) {
      if (run.crash) cluster.restart(victim);
      cluster.connect(victim);
      cluster.one(value(cluster), nodes);
      leader = cluster.oneLeader();
    }
  }
  figure({ name: 'persisted log bytes', value: largest.bytes, bound: LOG_BYTES_MAX, unit: 'B' });
  figure({ name: 'persisted log entries', value: largest.entries });
  const compactions = cluster.events.filter((event) => event.type === 'compact').length;
  if (run.disconnect || run.crash) {
    const installs = cluster.messageStats().byType['InstallSnapshot']?.count ?? 0;
    exercised(cluster, 'followers caught up through InstallSnapshot', compactions >= 3 && installs >= 1, `${compactions} compactions, ${installs} InstallSnapshot`);
  } else {
    exercised(cluster, 'the log was compacted', compactions >= 3, `${compactions} compactions`);
  }
}

const SNAPSHOT_OPTIONS = { snapshotEveryEntries: SNAPSHOT_EVERY };

export const snapshotBasic: ConformanceTest = {
  name: 'snapshot-basic',
  purpose: 'thirty rounds of commands: every node snapshots and the log stays short',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script: (cluster, figure) => snapshotRounds(cluster, figure, { disconnect: false, crash: false, unreliable: false }),
};

export const snapshotInstall: ConformanceTest = {
  name: 'snapshot-install',
  purpose: 'a follower or leader cut off while the others snapshot catches up through InstallSnapshot',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script: (cluster, figure) => snapshotRounds(cluster, figure, { disconnect: true, crash: false, unreliable: false }),
};

export const snapshotInstallUnreliable: ConformanceTest = {
  name: 'snapshot-install-unreliable',
  purpose: 'the same over a lossy network',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script: (cluster, figure) => snapshotRounds(cluster, figure, { disconnect: true, crash: false, unreliable: true }),
};

export const snapshotInstallCrash: ConformanceTest = {
  name: 'snapshot-install-crash',
  purpose: 'a crashed node restarts from its snapshot and log tail and catches up',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script: (cluster, figure) => snapshotRounds(cluster, figure, { disconnect: false, crash: true, unreliable: false }),
};

export const snapshotInstallUnCrash: ConformanceTest = {
  name: 'snapshot-install-uncrash',
  purpose: 'the same over a lossy network',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script: (cluster, figure) => snapshotRounds(cluster, figure, { disconnect: false, crash: true, unreliable: true }),
};

function crashAll(cluster: Cluster): void {
  for (const node of cluster.nodeIds) {
    cluster.disconnect(node);
    cluster.crash(node);
  }
  for (const node of cluster.nodeIds) {
    cluster.restart(node);
    cluster.connect(node);
  }
}

export const snapshotAllCrash: ConformanceTest = {
  name: 'snapshot-all-crash',
  purpose: 'every node crashes after snapshotting, five times over a lossy network; indexes never go back',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script(cluster) {
    cluster.setNetwork(LAB_UNRELIABLE);
    cluster.one(value(cluster), 3);
    let restoredFromSnapshot = 0;
    for (let round = 0; round < 5; round++) {
      const count = SNAPSHOT_EVERY / 2 + cluster.random.int(SNAPSHOT_EVERY);
      for (let i = 0; i < count; i++) cluster.one(value(cluster), 3);
      const before = cluster.one(value(cluster), 3);
      crashAll(cluster);
      restoredFromSnapshot += cluster.nodeIds.filter((node) => (cluster.status(node)?.firstIndex ?? 1) > 1).length;
      const next = cluster.one(value(cluster), 3);
      cluster.check(`round ${round}: the index does not go back`, next > before, `${before} -> ${next}`);
    }
    exercised(cluster, 'nodes restarted from snapshots', restoredFromSnapshot >= 3, `${restoredFromSnapshot} restarts from a snapshot`);
  },
};

export const snapshotInit: ConformanceTest = {
  name: 'snapshot-init',
  purpose: 'a node restarted from a snapshot keeps it when it next persists (restart, write, restart again)',
  nodes: 3, needs: ['snapshots'], ciSeeds: 3, options: SNAPSHOT_OPTIONS,
  script(cluster) {
    cluster.setNetwork(LAB_UNRELIABLE);
    cluster.one(value(cluster), 3);
    let last = 0;
    for (let i = 0; i <= SNAPSHOT_EVERY; i++) last = cluster.one(value(cluster), 3);
    crashAll(cluster);
    const snapshotted = cluster.nodeIds.filter((node) => (cluster.status(node)?.firstIndex ?? 1) > 1).length;
    const one = cluster.one(value(cluster), 3);
    crashAll(cluster);
    const two = cluster.one(value(cluster), 3);
    cluster.check('indexes go on after each restart', one > last && two > one, `${last} -> ${one} -> ${two}`);
    exercised(cluster, 'the nodes restarted from a snapshot', snapshotted >= 2, `${snapshotted} of 3`);
  },
};

export const SNAPSHOT_TESTS: readonly ConformanceTest[] = [
  snapshotBasic, snapshotInstall, snapshotInstallUnreliable, snapshotInstallCrash, snapshotInstallUnCrash, snapshotAllCrash, snapshotInit,
];
