// The event loop (docs/design.md, "Event loop"): one priority queue ordered by (virtual time,
// sequence) drives node ticks, message deliveries, faults and clients. Every choice is drawn from
// named random streams of one seed, so a run is a pure function of (seed, options, schedule, bugs).
// The loop owns the clock, the nodes, the network and the trace; the fault injector
// (fault-injector.ts) and the liveness phase (liveness-phase.ts) act on the run through it, and a
// script drives it through the scripted facade (scripted.ts).
import { RaftNode, assert, assertNever } from '../core/index.ts';
import type { BugId, ClusterConfig, EntryData, KvResult, Message, NodeId, PersistedState, RaftOptions } from '../core/index.ts';
import { Clients } from './clients.ts';
import { VirtualClock } from './clock.ts';
import type { DropReason, TraceEvent } from './events.ts';
import { FaultInjector } from './fault-injector.ts';
import type { FaultEvent, ResolvedLeaderCrash, ResolvedLeaderCut } from './faults.ts';
import { TraceHasher } from './hash.ts';
import { LivenessPhase } from './liveness-phase.ts';
import { MembershipChanges } from './membership-changes.ts';
import { NodeHost } from './host.ts';
import type { NodeFactory } from './host.ts';
import { Network } from './network.ts';
import { membershipChangesOn } from './options.ts';
import type { NetworkOptions, SimOptions } from './options.ts';
import { EventQueue } from './queue.ts';
import { RandomStreams } from './random.ts';
import type { Action, World } from './world.ts';


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
   * Which violations end the run when found (the run's halt): every one in a scripted run
   * (scripted.ts), since the script cannot go on meaningfully past it; a safety one where only the
   * headline matters (shrinking). Absent: a run goes on to its end.
   */
  readonly haltAt?: (found: Stop) => boolean;
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

/** What a script may change in the event loop (scripted.ts); a generated run leaves them empty. */
export interface ScriptControls {
  /** Nodes whose ticks are skipped: no election timer, and as leader no heartbeats. */
  readonly heldTimers: Set<NodeId>;
  messageFilter: MessageFilter | null;
  messageDelay: MessageDelay | null;
}

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
  /** The mean number of events pending in the queue when one was taken (the bench's baseline runs at it). */
  readonly queueDepthMean: number;
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
  private readonly faults: FaultInjector;
  private readonly liveness: LivenessPhase;
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
  private readonly counters: RunCounters;
  /** Scripted control (scripted.ts): nodes whose ticks are skipped, the delivery filter and delay. */
  readonly controls: ScriptControls = { heldTimers: new Set(), messageFilter: null, messageDelay: null };

  constructor(private readonly config: SimulationConfig) {
    const options = config.options;
    this.streams = new RandomStreams(config.seed);
    this.events = config.record === true ? [] : null;
    this.hasher = config.record === true || config.hash === true ? new TraceHasher() : null;
    this.budgets = budgetsFor(options, this.events !== null, config.budgets);
    const planMs = options.durationMs + options.livenessMs;
    this.stepsMax = this.budgets.eventsMax + 2 * options.nodes * Math.ceil(planMs / Math.max(1, options.tickMs) + 1);
    this.network = new Network<Message>(options.network, this.streams.stream('network'), options.nodes,
      this.streams.stream('network-stall'));
    const world = this.world();
    this.faults = new FaultInjector(world, this.streams.stream('faults'));
    this.createHosts();
    this.clients = new Clients({
      clients: options.clients, nodes: options.nodes, keys: options.keys, timeoutMs: options.clientTimeoutMs,
      // A quarter of the liveness bound: a backed-off client still retries several times in it.
      timeoutMsMax: Math.max(options.clientTimeoutMs, Math.floor(options.livenessMs / 4)),
      thinkMsMax: options.tickMs, replyLossRatio: options.network.lossRatio, attemptsMax: 3,
      pauseHoldsCalls: options.faults.pauseHoldsCalls === true, anyNodeRatio: options.clientAnyNodeRatio ?? 0,
    }, this.streams.stream('clients'), {
      now: () => this.clock.now,
      host: (node) => this.host(node),
      emit: (event) => this.emit(event),
      schedule: (time, client, token) => this.queue.push(time, { kind: 'client', client, token }),
    }, this.streams.stream('clients-route'));
    if (membershipChangesOn(options.membership)) this.membership = this.createMembership();
    this.liveness = new LivenessPhase(world, this.clients, this.membership, config.schedule);
    this.counters = {
      messagesSent: 0, messagesDelivered: 0, messagesDropped: 0, messagesDuplicated: 0, dropsByReason: {},
      elections: 0, leaders: [], committed: 0, faults: {}, clients: this.clients.counters,
    };
  }

  /** What the fault injector and the liveness phase see of the run. */
  private world(): World {
    return {
      options: this.config.options,
      clock: this.clock,
      network: this.network,
      hosts: this.hosts,
      host: (node) => this.host(node),
      emit: (event) => this.emit(event),
      schedule: (time, action) => this.queue.push(time, action),
      countFault: (kind) => { this.counters.faults[kind] = (this.counters.faults[kind] ?? 0) + 1; },
      restart: (host) => this.restart(host),
      resume: (host) => this.resume(host),
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

  /** The whole run: the safety phase with the schedule's faults, then the liveness phase. */
  run(): SimulationResult {
    const options = this.config.options;
    this.start();
    this.queue.push(options.durationMs, { kind: 'liveness' });
    this.steps = this.loop(options.durationMs + options.livenessMs);
    return this.end();
  }

  /** Starts the nodes and queues the schedule's faults of the safety phase. */
  start(): void {
    assert(this.traceEvents === 0, 'a simulation starts once');
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

  /** Processes every queue event up to `timeMs`; false once the run has been halted. */
  runUntil(timeMs: number): boolean {
    assert(timeMs >= this.clock.now, `runUntil ${timeMs} is in the past (now ${this.clock.now})`);
    this.steps += this.loop(timeMs);
    return this.halted === null;
  }

  /** Faults stop now and the liveness phase runs up to `boundMs` to settle; then the run ends. */
  finishNow(boundMs: number): SimulationResult {
    if (this.halted === null) {
      this.startLiveness();
      this.steps += this.loop(this.clock.now + boundMs);
    }
    return this.end();
  }

  private end(): SimulationResult {
    if (this.liveness.active && !this.liveness.settled && this.halted === null) this.liveness.unsettled();
    this.clients.finish();
    return this.result();
  }

  /** Applies a fault now, as a schedule would at this time. */
  applyFault(fault: FaultEvent): void {
    this.faults.apply(fault);
  }

  get now(): number {
    return this.clock.now;
  }

  /** Changes the network's settings from now on; copies already in flight keep their delivery times. */
  setNetworkOptions(network: NetworkOptions): void {
    this.network.setOptions(network);
  }

  /** Records a violation found after the run (at finish, or by the linearizability check). */
  recordViolation(stop: Stop): SimulationResult {
    this.writeViolation(stop);
    return this.result();
  }

  result(): SimulationResult {
    return {
      halt: this.halted, violations: this.violations, settled: this.liveness.settled, timeMs: this.clock.now, steps: this.steps,
      traceEvents: this.traceEvents, queueDepthMean: this.queue.meanDepth, hash: this.hasher?.digest() ?? null, events: this.events,
      counters: this.counters, leaderCrashes: this.faults.leaderCrashes, leaderCuts: this.faults.resolvedCuts(),
    };
  }

  private loop(endMs: number): number {
    let steps = 0;
    while (this.halted === null && !this.liveness.settled) {
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
    if (this.halted === null && !this.liveness.settled) this.clock.advanceTo(Math.max(this.clock.now, endMs));
    return steps;
  }

  private dispatch(action: Action): void {
    switch (action.kind) {
      case 'tick': return this.tick(action.node, action.epoch);
      case 'deliver': return this.deliver(action.id, action.message);
      case 'fault': return this.faults.apply(action.fault);
      case 'leader-crash': return this.faults.fire(action.node, action.fault);
      case 'leader-cut-heal': return this.faults.healLeaderCut(action.cut);
      case 'client': return this.clients.wake(action.client, action.token);
      case 'membership': return this.membership?.wake(action.timer, action.token);
      case 'liveness': return this.startLiveness();
      case 'probe': return this.liveness.probe();
      default: return assertNever(action);
    }
  }

  private startLiveness(): void {
    this.faults.stop();
    this.liveness.start();
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

  /** The host of `node`, for status, logs and client calls; scripts must not mutate it. */
  host(node: NodeId): NodeHost {
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
    if (!this.controls.heldTimers.has(node)) host.tick();
    if (host.up) this.scheduleTick(host, this.tickIntervalsMs[node - 1] as number);
  }

  private send(message: Message): void {
    const id = this.nextMessageId++;
    this.counters.messagesSent++;
    this.countMessage();
    this.emit({ time: this.clock.now, type: 'send', id, message });
    const copies = this.network.routeCopies(this.clock.now, message);
    if (copies === 0) {
      this.dropped(id, message.from, message.to, this.network.lastDrop);
      return;
    }
    const delay = this.controls.messageDelay;
    const extraMs = delay === null ? 0 : delay(message, this.clock.now);
    for (let copy = 0; copy < copies; copy++) {
      if (copy > 0) {
        this.counters.messagesDuplicated++;
        this.emit({ time: this.clock.now, type: 'duplicate', id, copy });
      }
      this.queue.push(this.network.arrival(copy) + extraMs, { kind: 'deliver', id, message });
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
    // Sender and receiver read once: messages come in many shapes, so every read is a megamorphic lookup.
    const from = message.from;
    const to = message.to;
    const host = this.host(to);
    if (this.network.isCut(from, to)) return this.lost(id, from, to, 'partition');
    if (!host.up) return this.lost(id, from, to, 'down');
    const filter = this.controls.messageFilter;
    if (filter !== null && !filter(message, this.clock.now)) return this.lost(id, from, to, 'loss');
    this.network.left(from, to);
    if (host.paused) {
      host.inbox.push({ id, message });
      return;
    }
    this.counters.messagesDelivered++;
    this.emit({ time: this.clock.now, type: 'deliver', id, from, to });
    host.step(message);
  }

  private lost(id: number, from: NodeId, to: NodeId, reason: 'partition' | 'down' | 'loss'): void {
    this.network.left(from, to);
    this.dropped(id, from, to, reason);
  }

  private dropped(id: number, from: NodeId, to: NodeId, reason: DropReason): void {
    this.counters.messagesDropped++;
    this.counters.dropsByReason[reason] = (this.counters.dropsByReason[reason] ?? 0) + 1;
    this.emit({ time: this.clock.now, type: 'drop', id, from, to, reason });
  }

  private restart(host: NodeHost): boolean {
    if (host.up) return false;
    host.start();
    if (host.up) this.scheduleTick(host, this.tickIntervalsMs[host.id - 1] as number);
    return true;
  }

  private resume(host: NodeHost): void {
    if (!host.up || !host.paused) return;
    host.paused = false;
    host.epoch++;
    this.emit({ time: this.clock.now, type: 'resume', node: host.id });
    const inbox = host.inbox.splice(0);
    for (const entry of inbox) {
      if (entry.message === undefined) {
        this.clients.heldCall(host.id, entry.call);
        continue;
      }
      const message = entry.message;
      this.counters.messagesDelivered++;
      this.emit({ time: this.clock.now, type: 'deliver', id: entry.id, from: message.from, to: message.to });
      host.step(message);
    }
    if (host.up) this.scheduleTick(host, this.tickIntervalsMs[host.id - 1] as number);
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

  /** Writes an event to the trace (hash, memory, sink) and shows it to the online checkers. */
  emit(event: TraceEvent): void {
    if (this.traceEvents >= this.budgets.eventsMax && this.halted === null) this.overEventsBudget();
    const index = this.traceEvents++;
    // Trace events come in some twenty shapes, so each read of a field is a megamorphic lookup:
    // the type is read once.
    const type = event.type;
    if (type === 'role') this.countRole(event.node, event.role, event.term);
    else if (type === 'commit' && event.index > this.counters.committed) this.counters.committed = event.index;
    if (this.faults.momentsArmed > 0) this.faults.moment(event);
    this.events?.push(event);
    this.hasher?.event(event);
    // The JSON line only where one is written (a trace streamed to disk).
    if (this.config.sink !== undefined) this.config.sink(event, JSON.stringify(event));
    // A violation is shown to the checkers too (the judge reads a halt from it), never answered.
    if (type === 'violation') {
      this.config.observe?.(event, index);
      return;
    }
    if (this.halted !== null) return;
    const found = this.config.observe?.(event, index) ?? null;
    if (found === null) return;
    this.writeViolation(found);
    if (this.config.haltAt?.(found) === true) this.halted = found;
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
      this.faults.elected(node, term);
    }
  }
}
