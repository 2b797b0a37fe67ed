// The liveness phase (docs/design.md, "Phases"): faults stop, the network heals and calms, every
// node comes back, clients finish their work; the phase settles once a leader (one that lasted,
// under a kept cut) holds office with the work done and every member linked both ways to it at its
// commit index. A phase that ends without settling writes a `checkpoint` of what it saw, for the
// liveness checker to judge: the simulator decides no verdict.
import { isMember } from '../core/index.ts';
import type { NodeId } from '../core/index.ts';
import type { Clients } from './clients.ts';
import type { TraceEventOf } from './events.ts';
import type { FaultEvent } from './faults.ts';
import type { MembershipChanges } from './membership-changes.ts';
import { runningLeader } from './world.ts';
import type { World } from './world.ts';

/** How long one leader must last, in election timeouts, when the liveness phase keeps a cut. */
export const STABLE_ELECTION_TIMEOUTS = 3;

/** The liveness checker's `checkpoint` fact without its time, type and `idle`. */
type Observed = Omit<TraceEventOf<'checkpoint'>, 'time' | 'type' | 'idle'>;

export class LivenessPhase {
  /** True once the phase has begun. */
  active = false;
  /** True when the phase ended with a leader, no pending client work, every member caught up. */
  settled = false;
  /** The partition kept through the phase, if the schedule has one; see keepCut. */
  private keptCut: Extract<FaultEvent, { type: 'partition' }> | null = null;
  private stableLeader: string | null = null;
  private stableSinceMs = 0;
  /** Each node's commit index as last seen, and since when (by node id - 1). */
  private readonly commitsSeen: { commit: number; sinceMs: number }[] = [];

  constructor(private readonly world: World, private readonly clients: Clients, private readonly membership: MembershipChanges | null,
    private readonly schedule: readonly FaultEvent[]) {}

  /** Faults have stopped: heal the network, resume and restart every node, let clients finish. */
  start(): void {
    const world = this.world;
    this.active = true;
    world.emit({ time: world.clock.now, type: 'phase', phase: 'liveness' });
    world.network.heal();
    world.network.calm();
    world.emit({ time: world.clock.now, type: 'heal' });
    this.keepCut();
    for (const host of world.hosts) {
      if (host.paused) world.resume(host);
      if (!host.up) world.restart(host);
    }
    this.clients.drain();
    this.membership?.restore();
    world.schedule(world.clock.now + world.options.tickMs, { kind: 'probe' });
  }

  /** Every tick of the phase: settled yet? */
  probe(): void {
    this.trackCommits();
    if (this.workDone() && this.lagging(0) === null) {
      this.settled = true;
      return;
    }
    this.world.schedule(this.world.clock.now + this.world.options.tickMs, { kind: 'probe' });
  }

  /**
   * The phase ended without settling: write what it saw for the liveness checker to judge (a node
   * left behind the leader's commit index, no leader that lasted under a kept cut).
   */
  unsettled(): void {
    this.trackCommits();
    const idle = this.clients.idle && (this.membership?.restored ?? true);
    this.leaderStable();
    this.world.emit({ time: this.world.clock.now, type: 'checkpoint', ...this.observe(), idle });
  }

  /**
   * A partition the schedule places at exactly durationMs stays through the liveness phase (a
   * partial cut that leaves a connected quorum, sim/faults.ts keptCut); everything else is healed.
   */
  private keepCut(): void {
    const durationMs = this.world.options.durationMs;
    const kept = this.schedule.filter((fault) => fault.at === durationMs && fault.type === 'partition').at(-1);
    if (kept === undefined || kept.type !== 'partition') return;
    this.keptCut = kept;
    this.world.network.cut(kept.cut);
    this.world.emit({ time: this.world.clock.now, type: 'partition', kind: kept.kind, cut: kept.cut });
  }

  /** Under a kept cut a leader must also last: disruptive nodes depose one every election timeout. */
  private stableMs(): number {
    return STABLE_ELECTION_TIMEOUTS * this.world.options.raft.electionTicks * this.world.options.tickMs;
  }

  /** A leader (one that lasted, under a kept cut), no client work left, every node back as a voter. */
  private workDone(): boolean {
    // Track the leader on every call: a leader that held office while clients drained counts.
    const stable = this.leaderStable();
    const leader = runningLeader(this.world.hosts) !== null;
    // With membership changes on, the run also owes every node back as a voter.
    const restored = this.membership?.restored ?? true;
    return leader && this.clients.idle && restored && stable;
  }

  /** Notes when each node's commit index last moved. */
  private trackCommits(): void {
    for (const host of this.world.hosts) {
      const commit = host.up ? (host.node?.status().commit ?? 0) : 0;
      const seen = this.commitsSeen[host.id - 1];
      if (seen === undefined || commit > seen.commit) this.commitsSeen[host.id - 1] = { commit, sinceMs: this.world.clock.now };
    }
  }

  /**
   * After heal every running node must reach the leader's commit index: a node the leader cannot
   * bring back (one whose higher term it ignores, say) is a liveness failure even while clients
   * are served. Only members of the leader's configuration linked both ways to it owe it: a
   * removed node, or one a kept cut parts from the leader, is excused. The first such node behind
   * whose commit index has not moved for stalledMs, or null (also when there is no leader).
   */
  private lagging(stalledMs: number): NodeId | null {
    const { commit, members } = this.observe();
    const behind = members.find(([, , memberCommit, unmovedMs]) => memberCommit < commit && unmovedMs >= stalledMs);
    return behind === undefined ? null : behind[0];
  }

  /** The leader, how long it has held office, and every running member that owes it its commit index. */
  private observe(): Observed {
    const world = this.world;
    const leader = runningLeader(world.hosts);
    if (leader === null) return { leader: null, term: 0, commit: 0, heldMs: 0, members: [] };
    const members: [NodeId, number, number, number][] = [];
    for (const host of world.hosts) {
      const status = host.up ? host.node?.status() : undefined;
      if (status === undefined || status.id === leader.id || !isMember(leader.config, status.id)) continue;
      if (world.network.isCut(leader.id, status.id) || world.network.isCut(status.id, leader.id)) continue;
      const unmovedMs = world.clock.now - (this.commitsSeen[status.id - 1]?.sinceMs ?? world.clock.now);
      members.push([status.id, status.term, status.commit, unmovedMs]);
    }
    const heldMs = this.stableLeader === `${leader.id}@${leader.term}` ? world.clock.now - this.stableSinceMs : 0;
    return { leader: leader.id, term: leader.term, commit: leader.commit, heldMs, members };
  }

  /** True without a kept cut; with one, when the same leader in the same term has lasted stableMs. */
  private leaderStable(): boolean {
    let leader: string | null = null;
    for (const host of this.world.hosts) {
      const status = host.up ? host.node?.status() : undefined;
      if (status?.role === 'leader') leader = `${status.id}@${status.term}`;
    }
    if (leader !== this.stableLeader) {
      this.stableLeader = leader;
      this.stableSinceMs = this.world.clock.now;
    }
    return this.keptCut === null || (leader !== null && this.world.clock.now - this.stableSinceMs >= this.stableMs());
  }
}
