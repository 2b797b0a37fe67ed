// The fault injector (docs/design.md, "Faults"): applies the schedule's faults to the run as they
// fall due, and aims the leader-aimed ones (crash-leader, cut-leader, pause-leader) at whoever leads when they
// fire, or at the next leader elected. Faults stop with the safety phase.
import { assertNever } from '../core/index.ts';
import type { NodeId } from '../core/index.ts';
import { leaderCutSide } from './faults.ts';
import type {
  CrashMoment, FaultEvent, LeaderCrash, LeaderCut, LeaderFault, LeaderPause, MomentCrash, ResolvedLeaderCrash, ResolvedLeaderCut,
} from './faults.ts';
import type { TraceEvent } from './events.ts';
import { cutBetween, nodeIds } from './partitions.ts';
import type { Link } from './partitions.ts';
import type { NodeHost } from './host.ts';
import type { Rng } from './random.ts';
import { runningLeader } from './world.ts';
import type { World } from './world.ts';

interface Leadership {
  readonly term: number;
  readonly sinceMs: number;
  /** A leader-aimed fault already took this leadership. */
  targeted: boolean;
}

export class FaultInjector {
  /** Leader-aimed faults waiting for the next election, in schedule order. */
  private readonly waiting: LeaderFault[] = [];
  /** The term and time at which each node last became leader, and whether a leader-aimed fault took it. */
  private readonly leaderships = new Map<NodeId, Leadership>();
  /** The leader crashes that fired, in order. */
  readonly leaderCrashes: ResolvedLeaderCrash[] = [];
  /** The leader cuts made; the network's cut is the last one's while leaderCutInForce. */
  private readonly leaderCuts: { at: number; side: readonly NodeId[]; cut: readonly Link[]; healAt: number | null }[] = [];
  private leaderCutInForce = false;
  private stopped = false;
  /** Moment crashes waiting for their moment, in schedule order; momentsArmed counts them. */
  private readonly armed: MomentCrash[] = [];
  momentsArmed = 0;

  /** `rng`: the `faults` stream (which entries a crash loses, where a torn write ends). */
  constructor(private readonly world: World, private readonly rng: Rng) {}

  /** Applies a fault now (a schedule's, due at this time, or a script's). */
  apply(fault: FaultEvent): void {
    const world = this.world;
    switch (fault.type) {
      case 'crash': {
        const host = world.host(fault.node);
        if (!host.up) return;
        world.countFault('crash');
        return host.crash(this.rng, fault.torn);
      }
      case 'restart':
        if (world.restart(world.host(fault.node))) world.countFault('restart');
        return;
      case 'pause': {
        const host = world.host(fault.node);
        if (!host.up || host.paused) return;
        world.countFault('pause');
        host.paused = true;
        return world.emit({ time: world.clock.now, type: 'pause', node: host.id });
      }
      case 'resume': return world.resume(world.host(fault.node));
      case 'partition':
        this.leaderCutInForce = false;
        world.countFault(`partition:${fault.kind}`);
        world.network.cut(fault.cut);
        return world.emit({ time: world.clock.now, type: 'partition', kind: fault.kind, cut: fault.cut });
      case 'heal':
        this.leaderCutInForce = false;
        world.network.heal();
        return world.emit({ time: world.clock.now, type: 'heal' });
      case 'crash-leader':
      case 'cut-leader':
      case 'pause-leader':
        return this.aimAtLeader(fault);
      case 'crash-at':
        if (this.stopped) return;
        this.armed.push(fault);
        this.momentsArmed = this.armed.length;
        return;
      default: return assertNever(fault);
    }
  }

  /** A leader-aimed fault falls due on `node` (the 'leader-crash' action), unless faults stopped or the node is down. */
  fire(node: NodeId, fault: LeaderFault): void {
    const host = this.world.host(node);
    if (this.stopped || !host.up) return;
    // A node paused already (by a plain pause) is not paused again, nor resumed early by this one.
    if (fault.type === 'pause-leader' && host.paused) return;
    this.world.countFault(fault.type);
    if (fault.type === 'crash-leader') this.crashLeader(host, fault);
    else if (fault.type === 'cut-leader') this.cutLeader(node, fault);
    else this.pauseLeader(host, fault);
  }

  /** A node became leader: record when, and hand it to the first waiting leader-aimed fault. */
  elected(node: NodeId, term: number): void {
    if (this.stopped) return;
    const leadership = { term, sinceMs: this.world.clock.now, targeted: false };
    this.leaderships.set(node, leadership);
    const fault = this.waiting.shift();
    if (fault !== undefined) this.aim(node, leadership, fault);
  }

  /** Faults stop with the safety phase: waiting ones are dropped, due ones do nothing. */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
    this.armed.length = 0;
    this.momentsArmed = 0;
  }

  /**
   * A trace event, while moment crashes wait: when it shows a node that has just done a waiting
   * crash's moment, that node crashes once the current step is over (its replies sent), and
   * restarts downMs later. One event fires one crash, the first waiting for its moment.
   */
  moment(event: TraceEvent): void {
    const found = this.momentOf(event);
    if (found === null) return;
    const index = this.armed.findIndex((crash) => crash.moment === found.moment);
    if (index < 0) return;
    const host = this.world.host(found.node);
    if (!host.up || host.paused) return;
    const [crash] = this.armed.splice(index, 1) as [MomentCrash];
    this.momentsArmed = this.armed.length;
    const now = this.world.clock.now;
    this.world.countFault(`crash-at:${crash.moment}`);
    this.world.schedule(now, { kind: 'fault', fault: { at: now, type: 'crash', node: found.node, torn: crash.torn } });
    this.world.schedule(now + crash.downMs, { kind: 'fault', fault: { at: now + crash.downMs, type: 'restart', node: found.node } });
  }

  private momentOf(event: TraceEvent): { readonly moment: CrashMoment; readonly node: NodeId } | null {
    switch (event.type) {
      case 'term': return event.vote === null ? null : { moment: 'vote', node: event.node };
      case 'append': return { moment: 'append', node: event.node };
      case 'commit': return this.world.host(event.node).node?.status().role === 'leader' ? { moment: 'commit', node: event.node } : null;
      case 'snapshot': case 'compact': return { moment: 'snapshot', node: event.node };
      default: return null;
    }
  }

  /** The leader cuts that fired, in order. */
  resolvedCuts(): ResolvedLeaderCut[] {
    return this.leaderCuts.map(({ at, cut, healAt }) => ({ at, cut, healAt }));
  }

  /** A leader crash takes the leader in office, if no other took it, or waits for the next election. */
  private aimAtLeader(fault: LeaderFault): void {
    const leader = runningLeader(this.world.hosts);
    const leadership = leader === null ? undefined : this.leaderships.get(leader.id);
    if (leader === null || leadership === undefined || leadership.term !== leader.term || leadership.targeted) {
      this.waiting.push(fault);
      return;
    }
    this.aim(leader.id, leadership, fault);
  }

  private aim(node: NodeId, leadership: Leadership, fault: LeaderFault): void {
    leadership.targeted = true;
    const at = Math.max(this.world.clock.now, leadership.sinceMs + fault.afterMs);
    this.world.schedule(at, { kind: 'leader-crash', node, fault });
  }

  private crashLeader(host: NodeHost, fault: LeaderCrash): void {
    const now = this.world.clock.now;
    const node = host.id;
    this.leaderCrashes.push({ at: now, node, downMs: fault.downMs, torn: fault.torn });
    host.crash(this.rng, fault.torn);
    this.world.schedule(now + fault.downMs, { kind: 'fault', fault: { at: now + fault.downMs, type: 'restart', node } });
  }

  /**
   * Stops the leader for downMs (LeaderPause): its ticks and deliveries wait for the resume. With
   * cutMs, it is cut off alone first, as by a leader cut, until cutMs after the resume.
   */
  private pauseLeader(host: NodeHost, fault: LeaderPause): void {
    const now = this.world.clock.now;
    if (fault.cutMs > 0) this.isolate([host.id], now + fault.downMs + fault.cutMs);
    host.paused = true;
    this.world.emit({ time: now, type: 'pause', node: host.id });
    this.world.schedule(now + fault.downMs, { kind: 'fault', fault: { at: now + fault.downMs, type: 'resume', node: host.id } });
  }

  /** Cuts `side` from the rest of the cluster until healAt (a leader cut: it replaces any other cut). */
  private isolate(side: readonly NodeId[], healAt: number): void {
    const world = this.world;
    const now = world.clock.now;
    const cut = cutBetween(side, nodeIds(world.options.nodes).filter((other) => !side.includes(other)));
    this.leaderCuts.push({ at: now, side, cut, healAt: null });
    this.leaderCutInForce = true;
    world.network.cut(cut);
    world.emit({ time: now, type: 'partition', kind: 'explicit', cut });
    world.schedule(healAt, { kind: 'leader-cut-heal', cut: this.leaderCuts.length - 1 });
  }

  /** Parts the leader and its mates from the others (LeaderCut); the cut replaces any other. */
  private cutLeader(node: NodeId, fault: LeaderCut): void {
    const world = this.world;
    const now = world.clock.now;
    const previous = this.leaderCutInForce ? this.leaderCuts[this.leaderCuts.length - 1] : undefined;
    const away = previous === undefined ? [] : previous.side;
    this.isolate(leaderCutSide(node, world.options.nodes, fault.mates, fault.shift, away), now + fault.downMs);
  }

  /** Heals a leader cut still in force (not replaced since), unless the safety phase is over. */
  healLeaderCut(index: number): void {
    const made = this.leaderCuts[index];
    if (this.stopped || !this.leaderCutInForce || made === undefined || index !== this.leaderCuts.length - 1) return;
    made.healAt = this.world.clock.now;
    this.leaderCutInForce = false;
    this.world.network.heal();
    this.world.emit({ time: this.world.clock.now, type: 'heal' });
  }
}
