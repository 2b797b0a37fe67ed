// The event loop (docs/design.md, "Event loop"): one priority queue ordered by (virtual time,
// sequence) drives node ticks, message deliveries, faults and clients. Every choice is drawn from
// named random streams of one seed, so a run is a pure function of (seed, options, schedule, bugs).
import { RaftNode, assert, assertNever, isMember } from '../core/index.ts';
import type { BugId, ClusterConfig, EntryData, KvResult, Message, NodeId, NodeStatus, PersistedState, RaftOptions } from '../core/index.ts';
import { Clients } from './clients.ts';
import { VirtualClock } from './clock.ts';
import type { DropReason, TraceEvent, TraceEventOf } from './events.ts';
import { leaderCutSide } from './faults.ts';
import type { FaultEvent, LeaderCrash, LeaderCut, ResolvedLeaderCrash, ResolvedLeaderCut } from './faults.ts';
import { TraceHasher } from './hash.ts';
import { MembershipChanges } from './membership-changes.ts';
import type { MembershipTimer } from './membership-changes.ts';
import { NodeHost } from './host.ts';
import type { NodeFactory } from './host.ts';
import { Network } from './network.ts';
import { cutBetween, nodeIds } from './partitions.ts';
import type { Link } from './partitions.ts';
import { membershipChangesOn } from './options.ts';
import type { NetworkOptions, SimOptions } from './options.ts';
import { EventQueue } from './queue.ts';
import { RandomStreams } from './random.ts';
import type { Rng } from './random.ts';

export type Seed = bigint | number;

/** A violation a checker found (written as a `violation` event), or why the simulator ended a run early. */
export interface Stop {
  readonly checker: string;
  readonly message: string;
}

export interface SimulationConfig {
  readonly seed: Seed;
  readonly options: SimOptions;
  readonly schedule: readonly FaultEvent[];
  readonly bugs?: ReadonlySet<BugId>;
  /** Keep every event in memory (for traces and tests). Off in sweeps, for speed. */
  readonly record?: boolean;
  /** Hash every event (the trace hash). Implied by `record`. */
  readonly hash?: boolean;
  /** Told every event with its trace line (JSON), in order: streams a long run's trace to disk. */
  readonly sink?: (event: TraceEvent, line: string) => void;
  /**
   * Called on every event as it happens (online checkers); a returned Stop is written as a
   * `violation` event and the run goes on (docs/design.md, "Verdicts").
   */
  readonly observe?: (event: TraceEvent, index: number) => Stop | null;
  /**
   * Scripted runs (named scenarios): the first violation a checker finds ends the run, since the
   * script cannot go on meaningfully past it. A generated run goes on to its end.
   */
  readonly haltAtViolation?: boolean;
  /** Another Raft implementation behind the same contract (README, "Plugging in"). */
  readonly factory?: NodeFactory;
  /** Bounds on the run's work (RunBudgets); absent fields take budgetsFor's defaults. */
  readonly budgets?: Partial<RunBudgets>;
  // Scripted control (named scenarios). Absent in every generated run, which they do not change.
  /** The voters every node starts with; the default is all nodes. A node left out is not a member. */
  readonly initialVoters?: readonly NodeId[];
  /** State written and synced to a node's disk before it first starts (Figure 7's prepared logs). */
  readonly initialDisks?: ReadonlyMap<NodeId, PersistedState>;
  /** Told of every applied client command, after the built-in clients. */
  readonly onApplied?: (node: NodeId, data: EntryData, result: KvResult) => void;
  /** Told of every servable ReadIndex context, after the built-in clients. */
  readonly onReadReady?: (node: NodeId, context: number) => void;
}

/**
 * What one run may do before it is stopped as a runaway (a flood of messages, a loop of events):
 * a `budget` violation that names the budget, a failing verdict like any other, so the run still
 * ends with a trace and a sweep goes on. Both are deterministic (counted in events and simulated
 * time, never wall time), so the stop replays exactly. A run within them emits nothing more: its
 * trace and hash are as without budgets.
 */
export interface RunBudgets {
  /** Trace events per run (what a saved trace holds; queue events are bounded with them). */
  readonly eventsMax: number;
  /** Messages sent within one simulated second (from a whole second to the next). */
  readonly messagesPerSecondMax: number;
}

export const BUDGET_CHECKER = 'budget';
/** The stop of a run in which a node threw something other than an AssertionError. */
export const CRASH_CHECKER = 'crash';
/** Trace events per simulated second of the run's plan (safety and liveness phase) the default allows. */
export const EVENTS_PER_SECOND_BUDGET = 80_000;
/** The least default events budget, for short runs. */
export const EVENTS_BUDGET_MIN = 1_000_000;
/**
 * A run that keeps its trace in memory keeps at most this many events (about 140 bytes each):
 * with the rest of a run, under 1 GB. Stream a longer run's trace to a file (`--trace FILE`).
 */
export const RECORDED_EVENTS_MAX = 4_000_000;
/** The default message budget: the busiest of 300 swarm seeds at 20 s sent 28,609 in one simulated second. */
export const MESSAGES_PER_SECOND_BUDGET = 400_000;

/** The budgets of a run with these options: EVENTS_PER_SECOND_BUDGET of its plan, less when recording. */
export function budgetsFor(options: SimOptions, recording: boolean, given: Partial<RunBudgets> = {}): RunBudgets {
  const planSeconds = Math.ceil((options.durationMs + options.livenessMs) / 1000);
  const scaled = Math.max(EVENTS_BUDGET_MIN, EVENTS_PER_SECOND_BUDGET * planSeconds);
  return {
    eventsMax: given.eventsMax ?? (recording ? Math.min(scaled, RECORDED_EVENTS_MAX) : scaled),
    messagesPerSecondMax: given.messagesPerSecondMax ?? MESSAGES_PER_SECOND_BUDGET,
  };
}

/** Decides at delivery whether a message in flight gets through (false drops it as a 'loss'). */
export type MessageFilter = (message: Message, timeMs: number) => boolean;

/** Scripted control: extra milliseconds added to a message's delivery time when it is sent (0: none). */
export type MessageDelay = (message: Message, timeMs: number) => number;

export interface SimulationResult {
  /**
   * Why the run ended before its plan, or null: a budget, a node that threw (both written as a
   * `violation` event), or a node's failed assertion (an `assertion` event).
   */
  readonly halt: Stop | null;
  /** The violations written in the trace, in order: the online checkers', and those recorded after the run. */
  readonly violations: readonly Stop[];
  /** True when the liveness phase ended with a leader and no pending client work. */
  readonly settled: boolean;
  readonly timeMs: number;
  /** Queue events processed (ticks, deliveries, faults, client wake-ups). */
  readonly steps: number;
  /** Trace events emitted. */
  readonly traceEvents: number;
  readonly hash: string | null;
  readonly events: readonly TraceEvent[] | null;
  readonly counters: RunCounters;
  /** The leader crashes that fired, in order: what the schedule's crash-leader events resolved to. */
  readonly leaderCrashes: readonly ResolvedLeaderCrash[];
  /** The leader cuts that fired, in order (cut-leader events). */
  readonly leaderCuts: readonly ResolvedLeaderCut[];
}

export interface RunCounters {
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  messagesDuplicated: number;
  dropsByReason: Record<string, number>;
  elections: number;
  /** term -> leader, in term order. */
  leaders: [number, NodeId][];
  committed: number;
  faults: Record<string, number>;
  clients: Clients['counters'];
}

type Action =
  | { readonly kind: 'tick'; readonly node: NodeId; readonly epoch: number }
  | { readonly kind: 'deliver'; readonly id: number; readonly message: Message }
  | { readonly kind: 'fault'; readonly fault: FaultEvent }
  | { readonly kind: 'leader-crash'; readonly node: NodeId; readonly fault: LeaderCrash | LeaderCut }
  | { readonly kind: 'leader-cut-heal'; readonly cut: number }
  | { readonly kind: 'client'; readonly client: number; readonly token: number }
  | { readonly kind: 'membership'; readonly timer: MembershipTimer; readonly token: number }
  | { readonly kind: 'liveness' }
  | { readonly kind: 'probe' };

/** How long one leader must last, in election timeouts, when the liveness phase keeps a cut. */
export const STABLE_ELECTION_TIMEOUTS = 3;

/** The liveness checker's `checkpoint` fact without its time and type. */
type Checkpoint = Omit<TraceEventOf<'checkpoint'>, 'time' | 'type'>;

export class Simulation {
  private readonly clock = new VirtualClock();
  private readonly queue = new EventQueue<Action>();
  private readonly streams: RandomStreams;
  private readonly hosts: NodeHost[] = [];
  private readonly tickIntervalsMs: number[] = [];
  private readonly network: Network<Message>;
  private readonly clients: Clients;
  /** Null unless options.membership switches the workload on (it then has its own stream). */
  private readonly membership: MembershipChanges | null = null;
  private readonly faultRng: Rng;
  private readonly hasher: TraceHasher | null;
  private readonly events: TraceEvent[] | null;
  private readonly budgets: RunBudgets;
  /** Queue events allowed: the events budget plus every node's ticks over the plan, twice. */
  private readonly stepsMax: number;
  /** Messages sent in the current simulated second, and where that second ends. */
  private messagesThisSecond = 0;
  private secondEndsMs = 1000;
  private traceEvents = 0;
  private steps = 0;
  private nextMessageId = 1;
  private halted: Stop | null = null;
  private readonly violations: Stop[] = [];
  private settled = false;
  private liveness = false;
  /** The partition kept through the liveness phase, if the schedule has one; see keepCut. */
  private keptCut: Extract<FaultEvent, { type: 'partition' }> | null = null;
  private stableLeader: string | null = null;
  private stableSinceMs = 0;
  /** In the liveness phase: each node's commit index as last seen, and since when (by node id - 1). */
  private readonly commitsSeen: { commit: number; sinceMs: number }[] = [];
  private readonly counters: RunCounters;
  /** Scripted control: nodes whose ticks are skipped, and the delivery filter. */
  private readonly heldTimers = new Set<NodeId>();
  private messageFilter: MessageFilter | null = null;
  private messageDelay: MessageDelay | null = null;
  /** Leader crashes waiting for the next election, in schedule order (LeaderCrash). */
  private readonly leaderCrashesWaiting: (LeaderCrash | LeaderCut)[] = [];
  /** The term and time at which each node last became leader, and whether a leader crash took it. */
  private readonly leaderships = new Map<NodeId, { term: number; sinceMs: number; targeted: boolean }>();
  private readonly leaderCrashes: ResolvedLeaderCrash[] = [];
  /** The leader cuts made; the network's cut is the last one's while leaderCutInForce. */
  private readonly leaderCuts: { at: number; side: readonly NodeId[]; cut: readonly Link[]; healAt: number | null }[] = [];
  private leaderCutInForce = false;

  constructor(private readonly config: SimulationConfig) {
    const options = config.options;
    this.streams = new RandomStreams(config.seed);
    this.faultRng = this.streams.stream('faults');
    this.events = config.record === true ? [] : null;
    this.hasher = config.record === true || config.hash === true ? new TraceHasher() : null;
    this.budgets = budgetsFor(options, this.events !== null, config.budgets);
    const planMs = options.durationMs + options.livenessMs;
    this.stepsMax = this.budgets.eventsMax + 2 * options.nodes * Math.ceil(planMs / Math.max(1, options.tickMs) + 1);
    this.network = new Network<Message>(options.network, this.streams.stream('network'), options.nodes,
      this.streams.stream('network-stall'));
    this.createHosts();
    this.clients = new Clients({
      clients: options.clients, nodes: options.nodes, keys: options.keys, timeoutMs: options.clientTimeoutMs,
      // A quarter of the liveness bound: a backed-off client still retries several times in it.
      timeoutMsMax: Math.max(options.clientTimeoutMs, Math.floor(options.livenessMs / 4)),
      thinkMsMax: options.tickMs, replyLossRatio: options.network.lossRatio, attemptsMax: 3,
    }, this.streams.stream('clients'), {
      now: () => this.clock.now,
      host: (node) => this.host(node),
      emit: (event) => this.emit(event),
      schedule: (time, client, token) => this.queue.push(time, { kind: 'client', client, token }),
    });
    if (membershipChangesOn(options.membership)) this.membership = this.createMembership();
    this.counters = {
      messagesSent: 0, messagesDelivered: 0, messagesDropped: 0, messagesDuplicated: 0, dropsByReason: {},
      elections: 0, leaders: [], committed: 0, faults: {}, clients: this.clients.counters,
    };
  }

  private createMembership(): MembershipChanges {
    const options = this.config.options;
    return new MembershipChanges({
      nodes: options.nodes, ...options.membership, retryMsMax: options.tickMs, attemptsMax: 5,
      restoreEveryMs: options.raft.electionTicks * options.tickMs,
    }, this.streams.stream('membership'), {
      now: () => this.clock.now,
      host: (node) => this.host(node),
      schedule: (time, timer, token) => this.queue.push(time, { kind: 'membership', timer, token }),
    });
  }

  run(): SimulationResult {
    const options = this.config.options;
    this.begin();
    this.queue.push(options.durationMs, { kind: 'liveness' });
    this.steps = this.loop(options.durationMs + options.livenessMs);
    if (!this.settled && this.halted === null) this.unsettled();
    this.clients.finish();
    return this.result();
  }

  private begin(): void {
    const options = this.config.options;
    this.emit({ time: 0, type: 'phase', phase: 'safety' });
    for (const host of this.hosts) {
      host.start();
      this.scheduleTick(host, 1 + this.streams.stream('drift').int(this.tickIntervalsMs[host.id - 1] as number));
    }
    for (const fault of this.config.schedule) {
      if (fault.at < options.durationMs) this.queue.push(fault.at, { kind: 'fault', fault });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Scripted control, for named scenarios: the script starts the run, moves time forward, injects
  // faults and client calls at chosen instants, and ends with the liveness phase. run() uses none
  // of it.

  /** Starts the nodes (and the configured schedule) without scheduling the liveness phase. */
  startScripted(): void {
    assert(this.traceEvents === 0, 'startScripted on a simulation that already ran');
    this.begin();
  }

  /** Processes every queue event up to `timeMs`; returns false once the run has stopped. */
  runUntil(timeMs: number): boolean {
    assert(timeMs >= this.clock.now, `runUntil ${timeMs} is in the past (now ${this.clock.now})`);
    this.steps += this.loop(timeMs);
    return this.halted === null;
  }

  /** Applies a fault now, as if a schedule held it at the current time. */
  injectFault(fault: FaultEvent): void {
    assert(fault.at === this.clock.now, `fault at ${fault.at} injected at ${this.clock.now}`);
    this.applyFault(fault);
  }

  /** A held node's ticks are skipped: its election timer never fires and, as leader, it sends no heartbeats. */
  holdTimer(node: NodeId, held: boolean): void {
    this.host(node);
    if (held) this.heldTimers.add(node);
    else this.heldTimers.delete(node);
  }

  /** Ticks one node now, outside its schedule (forcing its election timer towards firing). */
  tickNow(node: NodeId): void {
    const host = this.host(node);
    if (host.up && !host.paused) host.tick();
  }

  setMessageFilter(filter: MessageFilter | null): void {
    this.messageFilter = filter;
  }

  /** Delays single messages sent from now on by what `delay` returns (the lab's long reordering). */
  setMessageDelay(delay: MessageDelay | null): void {
    this.messageDelay = delay;
  }

  /** Changes the network's settings from now on; copies already in flight keep their delivery times. */
  setNetworkOptions(network: NetworkOptions): void {
    this.network.setOptions(network);
  }

  /** The host of `node`, for status, logs and client calls; scripts must not mutate it. */
  nodeHost(node: NodeId): NodeHost {
    return this.host(node);
  }

  /** Records a scripted client's call or return. */
  recordClientEvent(event: Extract<TraceEvent, { type: 'call' | 'return' }>): void {
    assert(event.time === this.clock.now, 'a client event must happen now');
    this.emit(event);
  }

  /** Ends a scripted run: faults stop, then the liveness phase runs up to `boundMs` to settle. */
  finishScripted(boundMs: number): SimulationResult {
    if (this.halted === null) {
      this.startLiveness();
      this.steps += this.loop(this.clock.now + boundMs);
      if (!this.settled && this.halted === null) this.unsettled();
    }
    this.clients.finish();
    return this.result();
  }

  get now(): number {
    return this.clock.now;
  }

  /** Records a violation found after the run (at finish, or by the linearizability check). */
  recordViolation(stop: Stop): SimulationResult {
    this.writeViolation(stop);
    return this.result();
  }

  result(): SimulationResult {
    return {
      halt: this.halted, violations: this.violations, settled: this.settled, timeMs: this.clock.now, steps: this.steps, traceEvents: this.traceEvents,
      hash: this.hasher?.digest() ?? null, events: this.events, counters: this.counters,
      leaderCrashes: this.leaderCrashes, leaderCuts: this.leaderCuts.map(({ at, cut, healAt }) => ({ at, cut, healAt })),
    };
  }

  private loop(endMs: number): number {
    let steps = 0;
    while (this.halted === null && !this.settled) {
      const time = this.queue.peekTime();
      if (time === undefined || time > endMs) break;
      if (this.steps + steps >= this.stepsMax) {
        this.halt(BUDGET_CHECKER, `The run used its budget of ${this.stepsMax} queue events (ticks, deliveries, faults, `
          + `client wake-ups) at ${this.clock.now} ms without ending: a runaway run, stopped.`);
        break;
      }
      this.clock.advanceTo(time);
      this.dispatch(this.queue.popPayload() as Action);
      steps++;
    }
    if (this.halted === null && !this.settled) this.clock.advanceTo(Math.max(this.clock.now, endMs));
    return steps;
  }

  private dispatch(action: Action): void {
    switch (action.kind) {
      case 'tick': return this.tick(action.node, action.epoch);
      case 'deliver': return this.deliver(action.id, action.message);
      case 'fault': return this.applyFault(action.fault);
      case 'leader-crash':
        return action.fault.type === 'crash-leader' ? this.crashLeader(action.node, action.fault) : this.cutLeader(action.node, action.fault);
      case 'leader-cut-heal': return this.healLeaderCut(action.cut);
      case 'client': return this.clients.wake(action.client, action.token);
      case 'membership': return this.membership?.wake(action.timer, action.token);
      case 'liveness': return this.startLiveness();
      case 'probe': return this.probe();
      default: return assertNever(action);
    }
  }

  private createHosts(): void {
    const options = this.config.options;
    const voters = Array.from({ length: options.nodes }, (_, index) => index + 1);
    const clusterConfig: ClusterConfig = { voters: this.config.initialVoters ?? voters, learners: [] };
    const driftRng = this.streams.stream('drift');
    const factory = this.config.factory ?? ((raftOptions: RaftOptions) => new RaftNode(raftOptions));
    for (const id of voters) {
      const drift = (driftRng.next() * 2 - 1) * options.clockDriftRatioMax;
      this.tickIntervalsMs.push(Math.max(1, Math.round(options.tickMs * (1 + drift))));
      this.hosts.push(new NodeHost({
        id, raft: { ...options.raft, config: clusterConfig }, random: this.streams.stream(`node-${id}`), factory,
        snapshotEveryEntries: options.snapshotEveryEntries, bugs: this.config.bugs ?? new Set(),
      }, {
        clock: this.clock,
        send: (message) => this.send(message),
        emit: (event) => this.emit(event),
        applied: (node, entry, result) => this.applied(node, entry.data, result),
        readReady: (node, context) => {
          this.clients.readReady(node, context);
          this.config.onReadReady?.(node, context);
        },
        invariantBroken: (node, message) => this.assertionFailed(node, message),
        threw: (node, message) => this.halt(CRASH_CHECKER, `node ${node} ${message}`),
      }));
      const disk = this.config.initialDisks?.get(id);
      if (disk !== undefined) this.prepareDisk(this.host(id), disk);
    }
  }

  private prepareDisk(host: NodeHost, state: PersistedState): void {
    if (state.snapshot !== null) host.disk.writeSnapshot(state.snapshot);
    host.disk.appendEntries(state.entries);
    host.disk.writeHardState(state.hardState);
    host.disk.sync();
  }

  private host(node: NodeId): NodeHost {
    const host = this.hosts[node - 1];
    if (host === undefined) assert(false, `no node ${node}`);
    return host;
  }

  private applied(node: NodeId, data: EntryData, result: KvResult): void {
    if (data.type === 'command') this.clients.applied(node, data.command, result);
    this.config.onApplied?.(node, data, result);
  }

  private scheduleTick(host: NodeHost, delayMs: number): void {
    this.queue.push(this.clock.now + delayMs, { kind: 'tick', node: host.id, epoch: host.epoch });
  }

  private tick(node: NodeId, epoch: number): void {
    const host = this.host(node);
    if (epoch !== host.epoch || !host.up || host.paused) return;
    if (!this.heldTimers.has(node)) host.tick();
    if (host.up) this.scheduleTick(host, this.tickIntervalsMs[node - 1] as number);
  }

  private send(message: Message): void {
    const id = this.nextMessageId++;
    this.counters.messagesSent++;
    this.countMessage();
    this.emit({ time: this.clock.now, type: 'send', id, message });
    const route = this.network.route(this.clock.now, message);
    if ('drop' in route) {
      this.dropped(id, message, route.drop);
      return;
    }
    const deliveries = route.deliveries;
    const extraMs = this.messageDelay === null ? 0 : this.messageDelay(message, this.clock.now);
    for (let copy = 0; copy < deliveries.length; copy++) {
      if (copy > 0) {
        this.counters.messagesDuplicated++;
        this.emit({ time: this.clock.now, type: 'duplicate', id, copy });
      }
      this.queue.push((deliveries[copy] as number) + extraMs, { kind: 'deliver', id, message });
    }
  }

  /** The messages budget: a flood of messages stops the run within the simulated second it starts. */
  private countMessage(): void {
    const now = this.clock.now;
    if (now >= this.secondEndsMs) {
      this.secondEndsMs = (Math.floor(now / 1000) + 1) * 1000;
      this.messagesThisSecond = 0;
    }
    if (++this.messagesThisSecond <= this.budgets.messagesPerSecondMax || this.halted !== null) return;
    const from = this.secondEndsMs / 1000 - 1;
    this.halt(BUDGET_CHECKER, `The run sent more than its budget of ${this.budgets.messagesPerSecondMax} messages in one `
      + `simulated second (between ${from} s and ${from + 1} s; stopped at ${now} ms, ${this.counters.messagesSent} `
      + `messages in all): a message flood, stopped.`);
  }

  private deliver(id: number, message: Message): void {
    const host = this.host(message.to);
    if (this.network.isCut(message.from, message.to)) return this.lost(id, message, 'partition');
    if (!host.up) return this.lost(id, message, 'down');
    if (this.messageFilter !== null && !this.messageFilter(message, this.clock.now)) return this.lost(id, message, 'loss');
    this.network.delivered(message);
    if (host.paused) {
      host.inbox.push({ id, message });
      return;
    }
    this.counters.messagesDelivered++;
    this.emit({ time: this.clock.now, type: 'deliver', id, from: message.from, to: message.to });
    host.step(message);
  }

  private lost(id: number, message: Message, reason: 'partition' | 'down' | 'loss'): void {
    this.network.delivered(message);
    this.dropped(id, message, reason);
  }

  private dropped(id: number, message: Message, reason: DropReason): void {
    this.counters.messagesDropped++;
    this.counters.dropsByReason[reason] = (this.counters.dropsByReason[reason] ?? 0) + 1;
    this.emit({ time: this.clock.now, type: 'drop', id, from: message.from, to: message.to, reason });
  }

  private applyFault(fault: FaultEvent): void {
    const now = this.clock.now;
    const count = (kind: string): void => { this.counters.faults[kind] = (this.counters.faults[kind] ?? 0) + 1; };
    switch (fault.type) {
      case 'crash': {
        const host = this.host(fault.node);
        if (!host.up) return;
        count('crash');
        return host.crash(this.faultRng, fault.torn);
      }
      case 'restart': return this.restart(this.host(fault.node), count);
      case 'pause': {
        const host = this.host(fault.node);
        if (!host.up || host.paused) return;
        count('pause');
        host.paused = true;
        return this.emit({ time: now, type: 'pause', node: host.id });
      }
      case 'resume': return this.resume(this.host(fault.node));
      case 'partition':
        this.leaderCutInForce = false;
        count(`partition:${fault.kind}`);
        this.network.cut(fault.cut);
        return this.emit({ time: now, type: 'partition', kind: fault.kind, cut: fault.cut });
      case 'heal':
        this.leaderCutInForce = false;
        this.network.heal();
        return this.emit({ time: now, type: 'heal' });
      case 'crash-leader':
      case 'cut-leader':
        return this.aimAtLeader(fault);
      default: return assertNever(fault);
    }
  }

  /** A leader crash takes the leader in office, if no other took it, or waits for the next election. */
  private aimAtLeader(fault: LeaderCrash | LeaderCut): void {
    const leader = this.leaderStatus();
    const leadership = leader === null ? undefined : this.leaderships.get(leader.id);
    if (leader === null || leadership === undefined || leadership.term !== leader.term || leadership.targeted) {
      this.leaderCrashesWaiting.push(fault);
      return;
    }
    this.aim(leader.id, leadership, fault);
  }

  private aim(node: NodeId, leadership: { sinceMs: number; targeted: boolean }, fault: LeaderCrash | LeaderCut): void {
    leadership.targeted = true;
    const at = Math.max(this.clock.now, leadership.sinceMs + fault.afterMs);
    this.queue.push(at, { kind: 'leader-crash', node, fault });
  }

  /** A node became leader: record when, and hand it to the first waiting leader crash. */
  private elected(node: NodeId, term: number): void {
    const leadership = { term, sinceMs: this.clock.now, targeted: false };
    this.leaderships.set(node, leadership);
    const fault = this.leaderCrashesWaiting.shift();
    if (fault !== undefined) this.aim(node, leadership, fault);
  }

  /** Faults stop with the safety phase: a leader crash still due then does nothing. */
  private crashLeader(node: NodeId, fault: LeaderCrash): void {
    const host = this.host(node);
    if (this.liveness || !host.up) return;
    this.counters.faults['crash-leader'] = (this.counters.faults['crash-leader'] ?? 0) + 1;
    this.leaderCrashes.push({ at: this.clock.now, node, downMs: fault.downMs, torn: fault.torn });
    host.crash(this.faultRng, fault.torn);
    this.queue.push(this.clock.now + fault.downMs, { kind: 'fault', fault: { at: this.clock.now + fault.downMs, type: 'restart', node } });
  }

  /** Parts the leader and its mates from the others (LeaderCut); the cut replaces any other. */
  private cutLeader(node: NodeId, fault: LeaderCut): void {
    const host = this.host(node);
    if (this.liveness || !host.up) return;
    this.counters.faults['cut-leader'] = (this.counters.faults['cut-leader'] ?? 0) + 1;
    const previous = this.leaderCutInForce ? this.leaderCuts[this.leaderCuts.length - 1] : undefined;
    const away = previous === undefined ? [] : previous.side;
    const side = leaderCutSide(node, this.config.options.nodes, fault.mates, fault.shift, away);
    const cut = cutBetween(side, nodeIds(this.config.options.nodes).filter((other) => !side.includes(other)));
    this.leaderCuts.push({ at: this.clock.now, side, cut, healAt: null });
    this.leaderCutInForce = true;
    this.network.cut(cut);
    this.emit({ time: this.clock.now, type: 'partition', kind: 'explicit', cut });
    this.queue.push(this.clock.now + fault.downMs, { kind: 'leader-cut-heal', cut: this.leaderCuts.length - 1 });
  }

  /** Heals a leader cut still in force (not replaced since), unless the safety phase is over. */
  private healLeaderCut(index: number): void {
    const made = this.leaderCuts[index];
    if (this.liveness || !this.leaderCutInForce || made === undefined || index !== this.leaderCuts.length - 1) return;
    made.healAt = this.clock.now;
    this.leaderCutInForce = false;
    this.network.heal();
    this.emit({ time: this.clock.now, type: 'heal' });
  }

  private restart(host: NodeHost, count: (kind: string) => void): void {
    if (host.up) return;
    count('restart');
    host.start();
    if (host.up) this.scheduleTick(host, this.tickIntervalsMs[host.id - 1] as number);
  }

  private resume(host: NodeHost): void {
    if (!host.up || !host.paused) return;
    host.paused = false;
    host.epoch++;
    this.emit({ time: this.clock.now, type: 'resume', node: host.id });
    const inbox = host.inbox.splice(0);
    for (const { id, message } of inbox) {
      this.counters.messagesDelivered++;
      this.emit({ time: this.clock.now, type: 'deliver', id, from: message.from, to: message.to });
      host.step(message);
    }
    if (host.up) this.scheduleTick(host, this.tickIntervalsMs[host.id - 1] as number);
  }

  /** Faults stop: heal the network, resume and restart every node, let clients finish. */
  private startLiveness(): void {
    this.liveness = true;
    this.leaderCrashesWaiting.length = 0;
    this.emit({ time: this.clock.now, type: 'phase', phase: 'liveness' });
    this.network.heal();
    this.network.calm();
    this.emit({ time: this.clock.now, type: 'heal' });
    this.keepCut();
    for (const host of this.hosts) {
      if (host.paused) this.resume(host);
      if (!host.up) this.restart(host, () => undefined);
    }
    this.clients.drain();
    this.membership?.restore();
    this.queue.push(this.clock.now + this.config.options.tickMs, { kind: 'probe' });
  }

  /**
   * A partition the schedule places at exactly durationMs stays through the liveness phase (a
   * partial cut that leaves a connected quorum, sim/faults.ts keptCut); everything else is healed.
   */
  private keepCut(): void {
    const durationMs = this.config.options.durationMs;
    const kept = this.config.schedule.filter((fault) => fault.at === durationMs && fault.type === 'partition').at(-1);
    if (kept === undefined || kept.type !== 'partition') return;
    this.keptCut = kept;
    this.network.cut(kept.cut);
    this.emit({ time: this.clock.now, type: 'partition', kind: kept.kind, cut: kept.cut });
  }

  /** Under a kept cut a leader must also last: disruptive nodes depose one every election timeout. */
  private stableMs(): number {
    return STABLE_ELECTION_TIMEOUTS * this.config.options.raft.electionTicks * this.config.options.tickMs;
  }

  private probe(): void {
    this.trackCommits();
    if (this.workDone() && this.lagging(0) === null) {
      this.settled = true;
      return;
    }
    this.queue.push(this.clock.now + this.config.options.tickMs, { kind: 'probe' });
  }

  /** A leader (one that lasted, under a kept cut), no client work left, every node back as a voter. */
  private workDone(): boolean {
    // Track the leader on every call: a leader that held office while clients drained counts.
    const stable = this.leaderStable();
    const leader = this.leaderStatus() !== null;
    // With membership changes on, the run also owes every node back as a voter.
    const restored = this.membership?.restored ?? true;
    return leader && this.clients.idle && restored && stable;
  }

  /**
   * The liveness phase ended without settling: write what it saw for the liveness checker to judge
   * (a node left behind the leader's commit index, no leader that lasted under a kept cut).
   */
  private unsettled(): void {
    this.trackCommits();
    const idle = this.clients.idle && (this.membership?.restored ?? true);
    this.leaderStable();
    this.emit({ time: this.clock.now, type: 'checkpoint', ...this.checkpoint(), idle });
  }

  /** Notes when each node's commit index last moved (the liveness phase's probe calls it). */
  private trackCommits(): void {
    for (const host of this.hosts) {
      const commit = host.up ? (host.node?.status().commit ?? 0) : 0;
      const seen = this.commitsSeen[host.id - 1];
      if (seen === undefined || commit > seen.commit) this.commitsSeen[host.id - 1] = { commit, sinceMs: this.clock.now };
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
    const { commit, members } = this.checkpoint();
    const behind = members.find(([, , memberCommit, unmovedMs]) => memberCommit < commit && unmovedMs >= stalledMs);
    return behind === undefined ? null : behind[0];
  }

  /** The leader, how long it has held office, and every running member that owes it its commit index. */
  private checkpoint(): Omit<Checkpoint, 'idle'> {
    const leader = this.leaderStatus();
    if (leader === null) return { leader: null, term: 0, commit: 0, heldMs: 0, members: [] };
    const members: [NodeId, number, number, number][] = [];
    for (const host of this.hosts) {
      const status = host.up ? host.node?.status() : undefined;
      if (status === undefined || status.id === leader.id || !isMember(leader.config, status.id)) continue;
      if (this.network.isCut(leader.id, status.id) || this.network.isCut(status.id, leader.id)) continue;
      const unmovedMs = this.clock.now - (this.commitsSeen[status.id - 1]?.sinceMs ?? this.clock.now);
      members.push([status.id, status.term, status.commit, unmovedMs]);
    }
    const heldMs = this.stableLeader === `${leader.id}@${leader.term}` ? this.clock.now - this.stableSinceMs : 0;
    return { leader: leader.id, term: leader.term, commit: leader.commit, heldMs, members };
  }

  /** The running leader of the highest term (a deposed one may not know it yet), or null. */
  private leaderStatus(): NodeStatus | null {
    let leader: NodeStatus | null = null;
    for (const host of this.hosts) {
      const status = host.up ? host.node?.status() : undefined;
      if (status?.role === 'leader' && (leader === null || status.term > leader.term)) leader = status;
    }
    return leader;
  }

  /** True without a kept cut; with one, when the same leader in the same term has lasted stableMs. */
  private leaderStable(): boolean {
    let leader: string | null = null;
    for (const host of this.hosts) {
      const status = host.up ? host.node?.status() : undefined;
      if (status?.role === 'leader') leader = `${status.id}@${status.term}`;
    }
    if (leader !== this.stableLeader) {
      this.stableLeader = leader;
      this.stableSinceMs = this.clock.now;
    }
    return this.keptCut === null || (leader !== null && this.clock.now - this.stableSinceMs >= this.stableMs());
  }

  /** A node's own assertion failed: the fact goes in the trace (the invariants checker reports it), and the run ends. */
  private assertionFailed(node: NodeId, message: string): void {
    if (this.halted !== null) return;
    this.emit({ time: this.clock.now, type: 'assertion', node, message });
    this.halted = { checker: 'invariants', message: `node ${node}: ${message}` };
  }

  private halt(checker: string, message: string): void {
    if (this.halted !== null) return;
    this.halted = { checker, message };
    this.writeViolation(this.halted);
  }

  private writeViolation(stop: Stop): void {
    this.violations.push(stop);
    this.emit({ time: this.clock.now, type: 'violation', checker: stop.checker, message: stop.message });
  }

  private emit(event: TraceEvent): void {
    if (this.traceEvents >= this.budgets.eventsMax && this.halted === null) this.overEventsBudget();
    const index = this.traceEvents++;
    if (event.type === 'role') this.countRole(event.node, event.role, event.term);
    else if (event.type === 'commit' && event.index > this.counters.committed) this.counters.committed = event.index;
    this.events?.push(event);
    this.hasher?.event(event);
    // The JSON line only where one is written (a trace streamed to disk).
    if (this.config.sink !== undefined) this.config.sink(event, JSON.stringify(event));
    // A violation is shown to the checkers too (the judge reads a halt from it), never answered.
    if (event.type === 'violation') this.config.observe?.(event, index);
    if (this.halted !== null || event.type === 'violation') return;
    const found = this.config.observe?.(event, index) ?? null;
    if (found === null) return;
    this.writeViolation(found);
    if (this.config.haltAtViolation === true) this.halted = found;
  }

  /** The events budget: the event about to be emitted is past it; the violation comes first. */
  private overEventsBudget(): void {
    const timeMs = this.clock.now;
    const { durationMs, livenessMs } = this.config.options;
    const recorded = this.events !== null && this.budgets.eventsMax === RECORDED_EVENTS_MAX
      ? ', the most a run keeps in memory (stream a longer trace to a file with --trace FILE)' : '';
    this.halt(BUDGET_CHECKER, `The run used its budget of ${this.budgets.eventsMax} trace events${recorded} at ${timeMs} ms `
      + `of its ${durationMs + livenessMs} ms plan without ending: a runaway run, stopped.`);
  }

  private countRole(node: NodeId, role: string, term: number): void {
    if (role === 'candidate') this.counters.elections++;
    if (role === 'leader') {
      this.counters.leaders.push([term, node]);
      this.membership?.leaderElected(node);
      if (!this.liveness) this.elected(node, term);
    }
  }

  get isLiveness(): boolean {
    return this.liveness;
  }
}
