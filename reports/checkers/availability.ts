// Availability during the safety phase: whenever a quorum of nodes has been up, running and fully
// connected, with nobody outside it able to reach it, and the links calm, for a stretch of several
// election timeouts, a leader must be elected within it, and a leader that holds uncommitted
// entries must make progress (commit, or bring a follower's log closer). The liveness phase only
// judges the cluster after the final heal; a core that loses its leader for good under a partition
// that a later heal undoes (a stuck timer, replication that stops after a crash) fails here.
//
// A fold over trace events like every checker: faults are in the trace (crash, restart, pause,
// resume, partition, heal), so it runs online and on a saved trace. It is conservative, since a
// false alarm is worse than a miss:
//  - only runs whose links are calm by their options (no loss, no stalls) are judged
//    (availabilityOptions returns null for the others), and a message dropped at a full link or
//    lost starts the stretch again;
//  - nodes outside the healthy set must be unable to send to it (crashed, paused, or cut off from
//    every member towards it): a node that can still reach the quorum one way may keep deposing
//    its leaders, which is the disruptive-server problem, not a loss of availability;
//  - with membership changes, whose configurations the trace does not show, every node must be in
//    the healthy set (a majority of the nodes need not be a majority of the voters);
//  - "progress" is any commit by the leader, or any log change (append, snapshot) or refused
//    append on a member of the healthy set: catching up a follower far behind over slow links may
//    take far longer than a few election timeouts, and counts.
import type { NodeId } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import type { SimOptions } from '../../sim/options.ts';
import { membershipChangesOn, TWO_NODE_ROUNDS } from '../../sim/options.ts';
import type { ClusterView } from './cluster-view.ts';
import { violation, type AvailabilityOptions, type Checker, type Violation } from './types.ts';

export type { AvailabilityOptions };


/** Election timeouts (the longest randomized one, with drift) a healthy quorum may stay leaderless. */
export const LEADER_ELECTION_TIMEOUTS = 10;
/** Election timeouts a leader of a healthy quorum may hold uncommitted entries with no progress. */
export const PROGRESS_ELECTION_TIMEOUTS = 10;

/**
 * The availability bounds of a run, or null when the run's links are not calm (loss, stalls): a
 * lossy network may delay an election by any amount, so nothing is judged there.
 */
export function availabilityOptions(options: SimOptions): AvailabilityOptions | null {
  if (options.network.lossRatio > 0 || options.network.stallRatio > 0) return null;
  const longestTickMs = Math.max(1, Math.round(options.tickMs * (1 + options.clockDriftRatioMax)));
  // The longest randomized election timeout, plus a round trip of the slowest link.
  const electionMs = 2 * options.raft.electionTicks * longestTickMs + 2 * options.network.delayMsMax;
  return {
    nodes: options.nodes,
    // Transfers alone change no configuration.
    quorum: membershipChangesOn({ ...options.membership, transferIntervalMsMean: 0 }) ? options.nodes : Math.floor(options.nodes / 2) + 1,
    // Two nodes need both votes for every election (sim/options.ts TWO_NODE_ROUNDS).
    leaderMs: LEADER_ELECTION_TIMEOUTS * electionMs * (options.nodes === 2 ? TWO_NODE_ROUNDS : 1),
    progressMs: PROGRESS_ELECTION_TIMEOUTS * electionMs,
  };
}

const MAX_NODES = 16;

export class Availability implements Checker {
  readonly name = 'availability';
  private readonly paused: boolean[] = [];
  private readonly up: boolean[] = [];
  /** Cut directed links, as from * MAX_NODES + to. */
  private cut = new Set<number>();
  /** Bit set of the healthy set, 0 when there is none. */
  private healthy = 0;
  private since = 0;
  private sinceEvent = -1;
  private leaderlessSince = 0;
  private leader: { node: NodeId; term: number } | null = null;
  private progressSince = 0;
  private readonly commits: number[] = [];
  /** The longest leaderless and progress-less stretches seen (for measurement, in ms). */
  longestLeaderlessMs = 0;
  longestStalledMs = 0;

  constructor(private readonly view: ClusterView, private readonly options: AvailabilityOptions | null) {}

  observe(event: TraceEvent, index: number): Violation | null {
    if (this.options === null) return null;
    const time = event.time;
    switch (event.type) {
      // The most frequent events first.
      case 'deliver': break;
      case 'send': {
        const message = event.message;
        if ((message.type === 'AppendEntriesReply' && !message.success) && this.inHealthy(message.from)) this.progressSince = time;
        break;
      }
      case 'crash': this.up[event.node] = false; this.paused[event.node] = false; return this.changed(time, index);
      case 'restart': this.up[event.node] = true; return this.changed(time, index);
      case 'pause': this.paused[event.node] = true; return this.changed(time, index);
      case 'resume': this.paused[event.node] = false; return this.changed(time, index);
      case 'partition':
        this.cut = new Set(event.cut.map(([from, to]) => from * MAX_NODES + to));
        return this.changed(time, index);
      case 'heal': this.cut = new Set(); return this.changed(time, index);
      case 'drop':
        // A message lost at a full link (or by loss): the links were not calm; start again.
        if (event.reason === 'capacity' || event.reason === 'loss') return this.changed(time, index, false);
        break;
      case 'role': this.updateLeader(time); break;
      case 'commit':
        if (this.leader !== null && event.node === this.leader.node && event.index > (this.commits[event.node] ?? 0)) {
          this.progressSince = time;
        }
        this.commits[event.node] = event.index;
        break;
      case 'append': case 'snapshot':
        if (this.inHealthy(event.node)) this.progressSince = time;
        break;
      default: break;
    }
    return this.overdue(time, index);
  }

  finish(): Violation | null {
    if (this.options === null) return null;
    return this.overdue(this.view.lastTime, -1);
  }

  private inHealthy(node: NodeId): boolean {
    return (this.healthy & (1 << node)) !== 0;
  }

  private changed(time: number, index: number, faults = true): Violation | null {
    // Judge what came before the change up to now, then start a new stretch (the same set after a
    // lost message: only faults change it, and the set is costly to find).
    const found = this.overdue(time, index);
    if (found !== null) return found;
    if (faults) this.healthy = this.healthySet();
    this.since = time;
    this.sinceEvent = index;
    this.leaderlessSince = time;
    this.progressSince = time;
    this.leader = null;
    this.updateLeader(time);
    return null;
  }

  /** The leader of the highest term in the healthy set; a new one starts the progress clock. */
  private updateLeader(time: number): void {
    let best: { node: NodeId; term: number } | null = null;
    for (let node = 1; node <= (this.options?.nodes ?? 0); node++) {
      if (!this.inHealthy(node) || this.view.roles[node] !== 'leader') continue;
      const term = this.view.terms[node] ?? 0;
      if (best === null || term > best.term) best = { node, term };
    }
    if (best !== null && (this.leader === null || best.node !== this.leader.node || best.term !== this.leader.term)) {
      this.progressSince = time;
    }
    if (best !== null || this.leader !== null) this.leaderlessSince = time;
    this.leader = best;
  }

  private overdue(time: number, index: number): Violation | null {
    const options = this.options;
    if (options === null || this.healthy === 0) return null;
    if (this.leader === null) {
      const leaderless = time - this.leaderlessSince;
      this.longestLeaderlessMs = Math.max(this.longestLeaderlessMs, leaderless);
      if (leaderless > options.leaderMs) {
        return violation(this.name, time,
          `Nodes ${this.members()} were up, running and connected (a quorum nobody else could reach, links calm) from time ${this.since}, `
          + `yet none of them was leader from time ${this.leaderlessSince} to ${time}, more than ${options.leaderMs} ms.`,
          [this.sinceEvent, index]);
      }
      return null;
    }
    const leader = this.leader;
    const lastIndex = this.view.logs[leader.node]?.lastIndex ?? 0;
    if (lastIndex <= (this.commits[leader.node] ?? 0)) {
      this.progressSince = time;
      return null;
    }
    const stalled = time - this.progressSince;
    this.longestStalledMs = Math.max(this.longestStalledMs, stalled);
    if (stalled <= options.progressMs) return null;
    return violation(this.name, time,
      `Leader ${leader.node} (term ${leader.term}) of nodes ${this.members()}, up, running and connected from time ${this.since} `
      + `with calm links, held entries up to index ${lastIndex} with commit index ${this.commits[leader.node] ?? 0} `
      + `and nothing committed or replicated from time ${this.progressSince} to ${time}, more than ${options.progressMs} ms.`,
      [this.sinceEvent, index]);
  }

  private members(): string {
    const members: NodeId[] = [];
    for (let node = 1; node <= (this.options?.nodes ?? 0); node++) if (this.inHealthy(node)) members.push(node);
    return members.join(', ');
  }

  /**
   * The one healthy set, as a bit set, or 0: at least a quorum of running nodes, linked both ways
   * to each other, none of the others able to send to any of them. (Two such quorums cannot both
   * exist: they would share a node, which a node of one outside the other could reach.)
   */
  private healthySet(): number {
    const options = this.options;
    if (options === null) return 0;
    const nodes = options.nodes;
    const running: NodeId[] = [];
    for (let node = 1; node <= nodes; node++) if (this.up[node] === true && this.paused[node] !== true) running.push(node);
    if (running.length < options.quorum) return 0;
    const linked = (from: NodeId, to: NodeId): boolean => !this.cut.has(from * MAX_NODES + to);
    for (let mask = (1 << running.length) - 1; mask > 0; mask--) {
      const set = running.filter((_, position) => (mask & (1 << position)) !== 0);
      if (set.length < options.quorum) continue;
      const outside = running.filter((node) => !set.includes(node));
      const connected = set.every((a) => set.every((b) => a === b || linked(a, b)));
      // Crashed and paused nodes send nothing; a running outsider must reach none of the set.
      const shut = outside.every((x) => set.every((member) => !linked(x, member)));
      if (connected && shut) return set.reduce((bits, node) => bits | (1 << node), 0);
    }
    return 0;
  }
}
