// The small vocabulary named scenarios are written in (docs/style.md, rule 9): a Cluster drives the
// real simulator through scripted control (partition, heal, crash, restart, pause, propose, read,
// waitForLeader, runTicks, forced election timers, message filters) while every checker watches,
// and records a compact text rendering of the important events for the scenario's golden file.
import { assert } from '../core/index.ts';
import type {
  BugId, ConfChange, Entry, EntryData, KvOp, KvResult, Message, NodeId, NodeStatus, PersistedState, ProposeResult,
} from '../core/index.ts';
import type { SometimesCounters } from '../reports/checkers/types.ts';
import { headlineOf, Judge, LIN_CHECKER, suiteOptionsFor, verdictsOf } from '../reports/judge.ts';
import type { CheckerVerdict, Failure, RunHooks, RunReport, RunSpec } from '../reports/run-report.ts';
import type { ClientInput, ClientOutput, TraceEvent } from '../sim/events.ts';
import type { FaultEvent } from '../sim/faults.ts';
import type { NodeHost } from '../sim/host.ts';
import { validateOptions } from '../sim/options.ts';
import type { NetworkOptions, OptionsOverride, SimOptions } from '../sim/options.ts';
import { cutBetween } from '../sim/partitions.ts';
import type { Link } from '../sim/partitions.ts';
import { RandomStreams } from '../sim/random.ts';
import type { Rng } from '../sim/random.ts';
import { ScriptedSimulation } from '../sim/scripted.ts';
import type { Seed } from '../sim/simulation.ts';
import { renderEvent } from './named/render.ts';

export const SCENARIO_CHECKER = 'scenario';
export { LIN_CHECKER };
const APPLY_CONFLICT = 'no two nodes apply different commands at one index';

/**
 * Scenarios state every option themselves instead of deriving them from DEFAULT_OPTIONS, so tuning
 * the defaults never rewrites a golden trace. No random faults and no random clients: the script
 * is the only source of faults and of client calls unless a scenario asks for more.
 */
export const SCENARIO_BASE_OPTIONS: SimOptions = validateOptions({
  nodes: 5, clients: 0, keys: 1, durationMs: 600_000, livenessMs: 20_000, tickMs: 100, clockDriftRatioMax: 0,
  clientTimeoutMs: 3_000, snapshotEveryEntries: 0,
  raft: {
    electionTicks: 10, heartbeatTicks: 1, preVote: true, checkQuorum: true, leaseReads: false,
    maxEntriesPerMessage: 64, maxBytesPerMessage: 64 * 1024, maxInflightMessages: 8,
  },
  network: { delayMsMin: 1, delayMsMax: 20, lossRatio: 0, duplicateRatio: 0, capacityPerLink: 1024 },
  faults: {
    crashIntervalMsMean: 0, restartDelayMsMax: 1_000, partitionIntervalMsMean: 0, partitionDurationMsMax: 1_000,
    partitionKinds: [], pauseIntervalMsMean: 0, pauseDurationMsMax: 1_000, tornWriteRatio: 0, faultyNodesMax: 2,
  },
});

/**
 * Timing like the MIT 6.5840 Raft lab's: 100 ms heartbeats, election timeouts uniform in 300 to
 * 600 ms (10 ms ticks), no PreVote, no CheckQuorum, a reliable network with short delays.
 */
export const LAB_TIMING: OptionsOverride = {
  tickMs: 10, clockDriftRatioMax: 0, livenessMs: 20_000, clientTimeoutMs: 1_000,
  raft: { electionTicks: 30, heartbeatTicks: 10, preVote: false, checkQuorum: false, leaseReads: false },
  network: { delayMsMin: 1, delayMsMax: 10, lossRatio: 0, duplicateRatio: 0 },
};

/** The lab's unreliable network: each message delayed 0 to 26 ms, one in ten lost (requests and replies alike). */
export const LAB_UNRELIABLE: Partial<NetworkOptions> = { delayMsMin: 0, delayMsMax: 26, lossRatio: 0.1 };

/** Scenario options over the lab's timing (LAB_TIMING), with `override` on top, group by group. */
export function labOptions(override: OptionsOverride = {}): SimOptions {
  return scenarioOptions(mergeOverride(LAB_TIMING, override));
}

function mergeOverride(base: OptionsOverride, override: OptionsOverride): OptionsOverride {
  return {
    ...base, ...override,
    raft: { ...base.raft, ...override.raft },
    network: { ...base.network, ...override.network },
    faults: { ...base.faults, ...override.faults },
  };
}

export function scenarioOptions(override: OptionsOverride): SimOptions {
  const base = SCENARIO_BASE_OPTIONS;
  return validateOptions({
    ...base, ...override,
    raft: { ...base.raft, ...override.raft },
    network: { ...base.network, ...override.network },
    faults: { ...base.faults, ...override.faults },
  });
}

/** A scenario's own expectation broke (a bounded wait ran out, or a check failed): the run fails. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

export interface ClusterSetup {
  readonly scenario: string;
  readonly seed: Seed;
  readonly options: SimOptions;
  readonly bugs?: readonly BugId[];
  readonly initialVoters?: readonly NodeId[];
  readonly initialDisks?: ReadonlyMap<NodeId, PersistedState>;
  /**
   * False runs the scenario with the checkers off: no safety checker, no liveness phase, no
   * linearizability check; only the script's own checks (and a node's own assertions, which stop
   * the run) decide. To see what a lab-style test catches by itself.
   */
  readonly checkers?: boolean;
}

/** Messages sent, by type, with their size as JSON (the lab's RPC count and bytes). */
export interface MessageStats {
  /** Every message sent, requests and replies. */
  messages: number;
  bytes: number;
  /** Requests only (RequestVote, AppendEntries, InstallSnapshot, TimeoutNow): the lab's RPC count. */
  rpcs: number;
  /** AppendEntries replies that refused the entries (log backtracking). */
  rejections: number;
  readonly byType: Record<string, { count: number; bytes: number }>;
}

const REQUEST_TYPES: ReadonlySet<string> = new Set(['RequestVote', 'AppendEntries', 'InstallSnapshot', 'TimeoutNow']);

export interface AgreementOptions {
  /** False: the first command a leader accepted must be applied within 2 s (default true: offer it again). */
  readonly retry?: boolean;
  /** How long to keep offering it (default 10 s, the lab's). */
  readonly withinMs?: number;
}

/** What `start` returns when the node accepted the command as leader. */
export interface Started {
  readonly index: number;
  readonly term: number;
  readonly operation: Operation;
}

/**
 * A concurrent scripted client (or any background activity): a generator that does some work and
 * yields how many simulated milliseconds to sleep before it runs again (at least 1).
 */
export type Task = Generator<number, void, void>;

interface RunningTask {
  readonly name: string;
  readonly body: Task;
  wakeAt: number;
  done: boolean;
}

/** One scripted client operation: its own client id, one call, at most one return. */
export interface Operation {
  readonly op: number;
  readonly client: number;
  readonly node: NodeId;
  readonly input: ClientInput;
  /** The node's answer to the call itself; a refused call returns 'unknown' at once. */
  readonly answer: ProposeResult | null;
  output: ClientOutput | null;
  returnedAt: number | null;
}

export interface ScenarioCheck {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ScenarioReport extends RunReport {
  readonly checks: readonly ScenarioCheck[];
  readonly golden: string;
}

/** Scripted client ids and ReadIndex contexts start far above the built-in clients' own. */
const SCRIPT_CLIENT_BASE = 1000;
const SCRIPT_CONTEXT_BASE = 1_000_000_000;
const WAIT_TICKS_DEFAULT = 100;

export class Cluster {
  readonly simulation: ScriptedSimulation;
  readonly options: SimOptions;
  /** The scenario's own random stream (a stream of the run's seed, apart from every other one). */
  readonly random: Rng;
  readonly operations: Operation[] = [];
  readonly checks: ScenarioCheck[] = [];
  /** The faults the script injected, in order: the trace header's schedule. */
  readonly schedule: FaultEvent[] = [];
  private readonly judge: Judge;
  private readonly lines: string[] = [];
  private rendered = 0;
  private readonly writesByClient = new Map<number, Operation>();
  private readonly readsByContext = new Map<number, Operation>();
  /** The cut the script made: the last partition's links, plus those of every disconnected node. */
  private readonly partitionLinks = new Map<string, Link>();
  private readonly disconnectedNodes = new Set<NodeId>();
  /** Per node, the highest index it applied (or restored from a snapshot); what the first applier applied at each index. */
  private readonly appliedUpTo = new Map<NodeId, number>();
  private readonly appliedAt = new Map<number, { digest: number; clientId: number | null; node: NodeId }>();
  private conflict: string | null = null;
  private readonly stats: MessageStats = { messages: 0, bytes: 0, rpcs: 0, rejections: 0, byType: {} };
  private readonly tasks: RunningTask[] = [];
  private inTask = false;

  /** `hooks`: the callbacks of the run (another Raft implementation, a trace sink); none by default. */
  constructor(readonly setup: ClusterSetup, hooks: RunHooks = {}) {
    this.options = setup.options;
    this.network = setup.options.network;
    this.random = new RandomStreams(setup.seed).stream('scenario');
    // Named scenarios judge neither availability nor stability during the run: their scripts hold
    // nodes, timers and messages on purpose.
    this.judge = new Judge({ ...suiteOptionsFor(setup.options), availability: null, stability: null });
    this.simulation = new ScriptedSimulation({
      seed: setup.seed, options: setup.options, schedule: [], bugs: new Set(setup.bugs ?? []), record: true,
      ...(setup.initialVoters === undefined ? {} : { initialVoters: setup.initialVoters }),
      ...(setup.initialDisks === undefined ? {} : { initialDisks: setup.initialDisks }),
      ...(hooks.factory === undefined ? {} : { factory: hooks.factory }),
      ...(hooks.sink === undefined ? {} : { sink: hooks.sink }),
      observe: (event, index) => this.observe(event, index),
      onApplied: (node, data, result) => this.applied(node, data, result),
      onReadReady: (node, context) => this.readReady(node, context),
    });
  }

  get now(): number {
    return this.simulation.now;
  }

  get nodeIds(): NodeId[] {
    return Array.from({ length: this.options.nodes }, (_, index) => index + 1);
  }

  get events(): readonly TraceEvent[] {
    return this.simulation.result().events ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // Time.

  /** Runs the simulation `ms` simulated milliseconds on, waking concurrent tasks (`go`) when due. */
  runMs(ms: number): void {
    assert(ms >= 0, 'runMs: negative duration');
    if (this.inTask) throw new ScenarioError('a task must yield its sleep, not run the cluster itself');
    const target = this.now + ms;
    for (;;) {
      const wake = this.nextWake();
      this.simulation.runUntil(Math.min(target, Math.max(this.now, wake)));
      this.throwIfStopped();
      if (wake > target) return;
      this.wakeTasks();
      if (this.now >= target && this.nextWake() > target) return;
    }
  }

  /** Runs in steps of `stepMs` until `predicate` holds; a ScenarioError after `msMax` simulated ms. */
  waitUntilMs(what: string, predicate: () => boolean, msMax: number, stepMs = this.options.tickMs): void {
    const deadline = this.now + msMax;
    for (;;) {
      if (predicate()) return;
      if (this.now >= deadline) throw new ScenarioError(`${what}: not within ${msMax} ms (at ${this.now} ms)`);
      this.runMs(Math.min(stepMs, deadline - this.now));
    }
  }

  /**
   * Starts a concurrent task (a scripted client, say): it runs now and then whenever the
   * simulated milliseconds it yields have passed, while the script runs time on. It ends when its
   * generator returns, or at `stopTasks` and at the end of the script.
   */
  go(name: string, body: Task): void {
    const task: RunningTask = { name, body, wakeAt: this.now, done: false };
    this.tasks.push(task);
    this.resumeTask(task);
  }

  /** Ends every task (they are not resumed again). */
  stopTasks(): void {
    for (const task of this.tasks) task.done = true;
    this.tasks.length = 0;
  }

  private nextWake(): number {
    let wake = Infinity;
    for (const task of this.tasks) if (!task.done && task.wakeAt < wake) wake = task.wakeAt;
    return wake;
  }

  private wakeTasks(): void {
    for (const task of [...this.tasks]) if (!task.done && task.wakeAt <= this.now) this.resumeTask(task);
    for (let index = this.tasks.length - 1; index >= 0; index--) if (this.tasks[index]?.done === true) this.tasks.splice(index, 1);
  }

  private resumeTask(task: RunningTask): void {
    this.inTask = true;
    let step: IteratorResult<number, void>;
    try {
      step = task.body.next();
    } finally {
      this.inTask = false;
    }
    if (step.done === true) {
      task.done = true;
      return;
    }
    if (!(step.value >= 1)) throw new ScenarioError(`task ${task.name} must sleep at least 1 ms, yielded ${step.value}`);
    task.wakeAt = this.now + step.value;
  }

  runTicks(ticks: number): void {
    this.runMs(ticks * this.options.tickMs);
  }

  /** Runs tick by tick until `predicate` holds; a ScenarioError after `ticksMax` ticks. */
  waitUntil(what: string, predicate: () => boolean, ticksMax = WAIT_TICKS_DEFAULT): void {
    for (let tick = 0; tick <= ticksMax; tick++) {
      if (predicate()) return;
      if (tick < ticksMax) this.runTicks(1);
    }
    throw new ScenarioError(`${what}: not within ${ticksMax} ticks (at ${this.now} ms)`);
  }

  /**
   * Waits for a leader among `among` (default all nodes) that has committed an entry of its own
   * term, so proposals and membership changes go through; returns it.
   */
  waitForLeader(options: { readonly ticksMax?: number; readonly among?: readonly NodeId[] } = {}): NodeId {
    let found: NodeId | null = null;
    this.waitUntil('a leader with an entry of its term committed', () => {
      found = this.readyLeader(options.among ?? this.nodeIds);
      return found !== null;
    }, options.ticksMax ?? WAIT_TICKS_DEFAULT);
    assert(found !== null, 'waitForLeader without a leader');
    this.note(`leader is n${found as NodeId}`);
    return found;
  }

  private readyLeader(among: readonly NodeId[]): NodeId | null {
    const leaders = among.filter((node) => this.status(node)?.role === 'leader');
    const best = leaders.sort((a, b) => (this.status(b)?.term ?? 0) - (this.status(a)?.term ?? 0))[0];
    const status = best === undefined ? null : this.status(best);
    if (status === null || status === undefined) return null;
    return status.lastTerm === status.term && status.commit === status.lastIndex ? status.id : null;
  }

  // -------------------------------------------------------------------------------------------
  // Faults, each recorded as the schedule event it is.

  /** Cuts every link between the groups (both directions); nodes in no group stay connected to all. */
  partition(...groups: (readonly NodeId[])[]): void {
    const links: Link[] = [];
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) links.push(...cutBetween(groups[a] ?? [], groups[b] ?? []));
    }
    this.setCut(links);
    this.fault({ at: this.now, type: 'partition', kind: 'explicit', cut: normalized(links) });
  }

  /** Cuts only the links from `senders` to `receivers` (the Cloudflare-style half-broken link). */
  partitionOneWay(senders: readonly NodeId[], receivers: readonly NodeId[]): void {
    const links: Link[] = [];
    for (const from of senders) for (const to of receivers) if (from !== to) links.push([from, to]);
    this.setCut(links);
    this.fault({ at: this.now, type: 'partition', kind: 'asymmetric', cut: normalized(links) });
  }

  heal(): void {
    this.setCut([]);
    this.fault({ at: this.now, type: 'heal' });
  }

  /**
   * Cuts both directions of every link of `node`, keeping the rest of the current cut (the lab's
   * disconnect: the node keeps running, its timers fire and it accepts commands). A partition or
   * heal replaces the whole cut, disconnections included.
   */
  disconnect(node: NodeId): void {
    this.host(node);
    this.disconnectedNodes.add(node);
    this.applyCut();
  }

  /** Restores the links of `node` that no partition and no other disconnection cuts. */
  connect(node: NodeId): void {
    this.host(node);
    this.disconnectedNodes.delete(node);
    this.applyCut();
  }

  /** False after `disconnect(node)` until `connect(node)`, a partition or a heal. */
  isConnected(node: NodeId): boolean {
    return !this.disconnectedNodes.has(node);
  }

  /** The nodes not disconnected (up or down). */
  connectedNodes(): NodeId[] {
    return this.nodeIds.filter((node) => this.isConnected(node));
  }

  private setCut(links: readonly Link[]): void {
    this.partitionLinks.clear();
    this.disconnectedNodes.clear();
    for (const link of links) this.partitionLinks.set(`${link[0]}>${link[1]}`, link);
  }

  /** Records the composed cut as an explicit partition (or a heal when nothing is cut). */
  private applyCut(): void {
    const cut = [...this.partitionLinks.values()];
    for (const node of this.disconnectedNodes) {
      for (const other of this.nodeIds) if (other !== node) cut.push([node, other], [other, node]);
    }
    const links = normalized(cut);
    this.fault(links.length === 0 ? { at: this.now, type: 'heal' } : { at: this.now, type: 'partition', kind: 'explicit', cut: links });
  }

  crash(node: NodeId, options: { readonly torn?: boolean } = {}): void {
    this.fault({ at: this.now, type: 'crash', node, torn: options.torn ?? false });
  }

  restart(node: NodeId): void {
    this.fault({ at: this.now, type: 'restart', node });
  }

  pause(node: NodeId): void {
    this.fault({ at: this.now, type: 'pause', node });
  }

  resume(node: NodeId): void {
    this.fault({ at: this.now, type: 'resume', node });
  }

  private fault(event: FaultEvent): void {
    this.flush();
    this.schedule.push(event);
    this.simulation.injectFault(event);
    this.throwIfStopped();
  }

  // -------------------------------------------------------------------------------------------
  // Timers and messages.

  /** Held nodes skip their ticks: no election timeout, and a held leader sends no heartbeats. */
  holdTimers(nodes: readonly NodeId[], held = true): void {
    for (const node of nodes) this.simulation.holdTimer(node, held);
    this.note(`${held ? 'hold' : 'release'} timers ${nodes.map((node) => `n${node}`).join(' ')}`);
  }

  /** Ticks `node` until its election timer fires (a new candidacy: its role or term changes); bounded. */
  fireElectionTimer(node: NodeId): void {
    this.note(`fire election timer n${node}`);
    const before = this.status(node);
    if (before === null) throw new ScenarioError(`n${node} is down: its election timer cannot fire`);
    const fired = (): boolean => {
      const now = this.status(node);
      return now !== null && now.role !== 'leader' && (now.role !== before.role || now.term > before.term);
    };
    const ticksMax = 2 * this.options.raft.electionTicks + 1;
    for (let tick = 0; tick < ticksMax && !fired(); tick++) {
      this.simulation.tickNow(node);
      this.throwIfStopped();
    }
    if (!fired()) throw new ScenarioError(`n${node}'s election timer did not fire`);
  }

  /**
   * Changes the network from now on (copies in flight keep their delivery times): the lab's
   * reliable and unreliable modes, say. The liveness phase still calms whatever is set.
   */
  setNetwork(network: Partial<NetworkOptions>): void {
    const next = { ...this.network, ...network };
    this.simulation.setNetworkOptions(next);
    this.network = next;
    this.note(`network delay ${next.delayMsMin}-${next.delayMsMax} ms, loss ${next.lossRatio}, dup ${next.duplicateRatio}`);
  }

  /** The network settings in force. */
  network: NetworkOptions;

  /**
   * Adds the milliseconds `delay` returns to each message sent from now on (0 or less: none), until
   * cleared with null: a long delay for single messages, the lab's long reordering of replies.
   */
  delayMessages(description: string, delay: ((message: Message) => number) | null): void {
    this.note(delay === null ? 'stop delaying messages' : `delay ${description}`);
    this.simulation.setMessageDelay(delay === null ? null : (message) => Math.max(0, Math.floor(delay(message))));
  }

  /** Drops every message in flight or later sent that `drop` selects, until cleared with null. */
  dropMessages(description: string, drop: ((message: Message) => boolean) | null): void {
    this.note(drop === null ? 'stop dropping messages' : `drop ${description}`);
    this.simulation.setMessageFilter(drop === null ? null : (message) => !drop(message));
  }

  // -------------------------------------------------------------------------------------------
  // Scripted clients: each operation is its own client, so one never waits behind another.

  propose(node: NodeId, op: KvOp): Operation {
    const client = SCRIPT_CLIENT_BASE + this.operations.length + 1;
    const input: ClientInput = { type: 'command', command: { clientId: client, sequence: 1, op } };
    return this.call(node, client, input, (host, pending) => {
      this.writesByClient.set(client, pending);
      return host.call((raft) => raft.propose(input.command));
    });
  }

  read(node: NodeId, key: string): Operation {
    const client = SCRIPT_CLIENT_BASE + this.operations.length + 1;
    const context = SCRIPT_CONTEXT_BASE + this.operations.length + 1;
    const input: ClientInput = { type: 'read', key };
    const operation = this.call(node, client, input, (host, pending) => {
      this.readsByContext.set(context, pending);
      return host.call((raft) => raft.readIndex(context));
    });
    if (operation.output !== null) this.readsByContext.delete(context);
    return operation;
  }

  put(node: NodeId, key: string, value: string): Operation {
    return this.propose(node, { type: 'put', key, value });
  }

  /**
   * The lab's Start: proposes `op` at `node` if it believes it leads (recorded as a client call
   * like `propose`); null, with nothing recorded, when it does not, is down, or refuses.
   */
  start(node: NodeId, op: KvOp): Started | null {
    if (this.status(node)?.role !== 'leader') return null;
    const operation = this.propose(node, op);
    const answer = operation.answer;
    return answer !== null && answer.ok ? { index: answer.index, term: answer.term, operation } : null;
  }

  /**
   * How many nodes applied `index` (a snapshot covering it counts), and the client of the command
   * first applied there (null for a no-op or a configuration entry, or when no node applied it).
   */
  nCommitted(index: number): { count: number; clientId: number | null } {
    let count = 0;
    for (const node of this.nodeIds) if ((this.appliedUpTo.get(node) ?? 0) >= index) count++;
    return { count, clientId: this.appliedAt.get(index)?.clientId ?? null };
  }

  /**
   * The lab's one(): for up to `withinMs` (10 s), offers `op` (a string is a put of that value to
   * key `one`) to each connected node in turn until one accepts it as leader, then waits up to
   * 2 s for at least `expected` nodes to apply that very command at the index it returned. Without
   * `retry`, a first attempt that does not commit fails. Returns the index; a ScenarioError when
   * agreement is not reached.
   */
  one(op: KvOp | string, expected: number, options: AgreementOptions = {}): number {
    const agreement = this.agreement(op, expected, options);
    for (;;) {
      const step = agreement.next();
      if (step.done === true) return step.value;
      this.runMs(step.value);
    }
  }

  /** `one` as a task step: `yield* cluster.agreement(...)` inside a task started with `go`. */
  *agreement(op: KvOp | string, expected: number, options: AgreementOptions = {}): Generator<number, number, void> {
    const command: KvOp = typeof op === 'string' ? { type: 'put', key: `k${this.operations.length + 1}`, value: op } : op;
    const label = typeof op === 'string' ? (op.length > 20 ? `${op.slice(0, 17)}...` : op) : JSON.stringify(op);
    const withinMs = options.withinMs ?? 10_000;
    const deadline = this.now + withinMs;
    while (this.now < deadline) {
      let started: Started | null = null;
      for (const node of this.connectedNodes()) {
        started = this.start(node, command);
        if (started !== null) break;
      }
      if (started !== null) {
        const { index, operation } = started;
        const agreed = (): boolean => {
          const committed = this.nCommitted(index);
          return committed.count >= expected && committed.clientId === operation.client;
        };
        const until = Math.min(deadline, this.now + 2_000);
        while (this.now < until && !agreed()) yield Math.max(1, Math.min(20, until - this.now));
        if (agreed()) return index;
        if (options.retry === false) {
          throw new ScenarioError(`one(${label}): index ${index} not applied by ${expected} nodes within 2 s`);
        }
      }
      yield Math.max(1, Math.min(50, deadline - this.now));
    }
    throw new ScenarioError(`one(${label}): no agreement on ${expected} nodes within ${withinMs} ms`);
  }

  /**
   * The lab's checkOneLeader: up to ten rounds, each sleeping 450 to 550 ms and then looking at
   * the connected nodes that are up; returns the leader of the highest term once there is one. Two
   * connected leaders of one term fail the scenario (a check), and none in time is a ScenarioError.
   */
  oneLeader(options: { readonly rounds?: number } = {}): NodeId {
    const rounds = options.rounds ?? 10;
    for (let round = 0; round < rounds; round++) {
      this.runMs(450 + this.random.int(101));
      const leader = this.highestLeader();
      if (leader !== null) return leader;
    }
    throw new ScenarioError(`one leader among the connected nodes: none in ${rounds} rounds (at ${this.now} ms)`);
  }

  private highestLeader(): NodeId | null {
    const byTerm = new Map<number, NodeId[]>();
    for (const node of this.connectedNodes()) {
      const status = this.status(node);
      if (status?.role === 'leader') byTerm.set(status.term, [...(byTerm.get(status.term) ?? []), node]);
    }
    for (const [term, leaders] of byTerm) {
      if (leaders.length > 1) {
        this.check(`one leader in term ${term}`, false, leaders.map((node) => `n${node}`).join(' '));
        throw new ScenarioError(`term ${term} has ${leaders.length} leaders`);
      }
    }
    const highest = Math.max(...byTerm.keys());
    return byTerm.get(highest)?.[0] ?? null;
  }


  /** The lab's checkNoLeader: no connected node that is up believes it leads (a check). */
  noLeader(): boolean {
    const leaders = this.connectedNodes().filter((node) => this.status(node)?.role === 'leader');
    return this.check('no leader among the connected nodes', leaders.length === 0, leaders.map((node) => `n${node}`).join(' '));
  }

  /** The lab's checkTerms: every connected node that is up has the same term (a check); returns it. */
  termsAgree(): number {
    const terms = this.connectedNodes().map((node) => this.status(node)?.term).filter((term) => term !== undefined);
    const first = terms[0] ?? 0;
    this.check('the connected nodes agree on the term', terms.every((term) => term === first), terms.join(' '));
    return first;
  }

  /** Messages sent so far, by type (a copy: take two and subtract). */
  messageStats(): MessageStats {
    const byType: Record<string, { count: number; bytes: number }> = {};
    for (const [type, value] of Object.entries(this.stats.byType)) byType[type] = { ...value };
    const { messages, bytes, rpcs, rejections } = this.stats;
    return { messages, bytes, rpcs, rejections, byType };
  }

  /** A conflict between two nodes' applied commands at one index, as the lab's applier sees it, or null. */
  get applyConflict(): string | null {
    return this.conflict;
  }

  /** Proposes a membership change at `node` and waits for it to commit there. */
  changeMembership(node: NodeId, change: ConfChange, ticksMax = WAIT_TICKS_DEFAULT): void {
    this.flush();
    const answer = this.host(node).call((raft) => raft.proposeConfChange(change));
    this.note(`n${node} proposes ${change.type} n${change.node}: ${describeAnswer(answer)}`);
    if (answer === null || !answer.ok) throw new ScenarioError(`${change.type} n${change.node} refused by n${node}`);
    this.waitUntil(`${change.type} n${change.node} committed`, () => (this.status(node)?.commit ?? 0) >= answer.index
      || this.status(node)?.role !== 'leader', ticksMax);
  }

  private call(node: NodeId, client: number, input: ClientInput,
    submit: (host: NodeHost, pending: Operation) => ProposeResult | null): Operation {
    this.flush();
    const op = this.operations.length + 1;
    const pending: Operation = { op, client, node, input, answer: null, output: null, returnedAt: null };
    this.operations.push(pending);
    this.simulation.recordClientEvent({ time: this.now, type: 'call', client, op, node, input });
    const answer = submit(this.host(node), pending);
    const operation: Operation = Object.assign(pending, { answer });
    if ((answer === null || !answer.ok) && operation.output === null) {
      this.note(`n${node} refuses op ${op}: ${describeAnswer(answer)}`);
      this.complete(operation, { type: 'unknown' });
    }
    this.throwIfStopped();
    return operation;
  }

  /** Waits until the operation returned; a ScenarioError past `ticksMax`. */
  waitForReturn(operation: Operation, ticksMax = WAIT_TICKS_DEFAULT): ClientOutput {
    this.waitUntil(`op ${operation.op} returns`, () => operation.output !== null, ticksMax);
    return operation.output as ClientOutput;
  }

  private applied(node: NodeId, data: EntryData, result: KvResult): void {
    if (data.type !== 'command') return;
    const operation = this.writesByClient.get(data.command.clientId);
    if (operation === undefined || operation.output !== null || operation.node !== node) return;
    this.complete(operation, { type: 'result', result });
  }

  private readReady(node: NodeId, context: number): void {
    const operation = this.readsByContext.get(context);
    if (operation === undefined || operation.output !== null || operation.node !== node || operation.input.type !== 'read') return;
    this.readsByContext.delete(context);
    const value = this.host(node).read(operation.input.key);
    this.complete(operation, { type: 'result', result: { type: 'value', value } });
  }

  private complete(operation: Operation, output: ClientOutput): void {
    operation.output = output;
    operation.returnedAt = this.now;
    this.simulation.recordClientEvent({ time: this.now, type: 'return', client: operation.client, op: operation.op, output });
  }

  // -------------------------------------------------------------------------------------------
  // Looking at nodes.

  host(node: NodeId): NodeHost {
    return this.simulation.nodeHost(node);
  }

  /** Null while the node is down. */
  status(node: NodeId): NodeStatus | null {
    return this.host(node).node?.status() ?? null;
  }

  /** The node's log after its snapshot; null while down. */
  log(node: NodeId): readonly Entry[] | null {
    const raft = this.host(node).node;
    if (raft === null) return null;
    const status = raft.status();
    return status.lastIndex < status.firstIndex ? [] : raft.entries(status.firstIndex, status.lastIndex);
  }

  /** The terms of the node's log, index 1 first (compacted entries are not listed). */
  logTerms(node: NodeId): number[] {
    return (this.log(node) ?? []).map((entry) => entry.term);
  }

  leaders(): NodeId[] {
    return this.nodeIds.filter((node) => this.status(node)?.role === 'leader');
  }

  // -------------------------------------------------------------------------------------------
  // The scenario's own assertions and notes.

  /** The checkers' "sometimes" counters so far. */
  sometimes(): SometimesCounters {
    const counters = this.judge.sometimes();
    assert(counters !== null, 'the scenario judge always has its checkers');
    return counters;
  }

  check(what: string, ok: boolean, detail = ''): boolean {
    this.checks.push({ what, ok, detail });
    this.note(`check ${ok ? 'ok' : 'FAILED'}: ${what}${detail === '' ? '' : ` (${detail})`}`);
    return ok;
  }

  note(text: string): void {
    this.flush();
    this.lines.push(`${String(this.now).padStart(7)} # ${text}`);
  }

  private flush(): void {
    const events = this.events;
    for (; this.rendered < events.length; this.rendered++) {
      const line = renderEvent(events[this.rendered] as TraceEvent);
      if (line !== null) this.lines.push(line);
    }
  }

  private observe(event: TraceEvent, index: number): { checker: string; message: string } | null {
    if (event.type === 'send') this.countMessage(event.message);
    else if (event.type === 'apply') this.noteApplied(event.node, event.entry.index, event.entry.digest, event.entry.clientId ?? null);
    else if (event.type === 'snapshot') this.noteApplied(event.node, event.index, null, null);
    // With the checkers off they still count "sometimes" evidence; their verdict is ignored.
    const violation = this.judge.observe(event, index);
    return this.setup.checkers === false ? null : violation;
  }

  private countMessage(message: Message): void {
    const bytes = JSON.stringify(message).length;
    const stats = this.stats;
    stats.messages++;
    stats.bytes += bytes;
    if (REQUEST_TYPES.has(message.type)) stats.rpcs++;
    if (message.type === 'AppendEntriesReply' && !message.success) stats.rejections++;
    const byType = stats.byType[message.type] ?? (stats.byType[message.type] = { count: 0, bytes: 0 });
    byType.count++;
    byType.bytes += bytes;
  }

  /** The lab's applier: the first command applied at an index is the one; another there is a conflict. */
  private noteApplied(node: NodeId, index: number, digest: number | null, clientId: number | null): void {
    if (index > (this.appliedUpTo.get(node) ?? 0)) this.appliedUpTo.set(node, index);
    if (digest === null) return;
    const first = this.appliedAt.get(index);
    if (first === undefined) this.appliedAt.set(index, { digest, clientId, node });
    else if (first.digest !== digest && this.conflict === null) {
      this.conflict = `n${node} applied another command at index ${index} than n${first.node}`;
    }
  }

  private throwIfStopped(): void {
    const halt = this.simulation.result().halt;
    if (halt !== null) throw new ScenarioError(`the run stopped: ${halt.checker}: ${halt.message}`);
  }

  // -------------------------------------------------------------------------------------------
  // The end: the liveness phase, the end-of-run checks, the linearizability check.

  finish(scriptError: Error | null): ScenarioReport {
    if (scriptError !== null) this.check('the script ran to its end', false, scriptError.message);
    if (this.conflict !== null) this.check(APPLY_CONFLICT, false, this.conflict);
    // Faults stop in the liveness phase: scripted control too.
    this.stopTasks();
    for (const node of this.nodeIds) this.simulation.holdTimer(node, false);
    this.simulation.setMessageFilter(null);
    this.simulation.setMessageDelay(null);
    const checked = this.setup.checkers !== false;
    // With the checkers off: no liveness phase and no linearizability check; the script's checks decide.
    let sim = checked ? this.simulation.finish(this.options.livenessMs) : this.simulation.result();
    const judgement = checked ? this.judge.finish({}, sim.timeMs, sim.halt) : null;
    for (const failure of judgement?.atEnd ?? []) sim = this.simulation.recordViolation({ checker: failure.checker, message: failure.message });
    const broken = this.firstBrokenCheck();
    const scenario: Failure[] = broken === undefined ? []
      : [{ checker: SCENARIO_CHECKER, time: sim.timeMs, message: `${broken.what}: ${broken.detail}`, witnesses: [] }];
    // With the checkers off, only the simulator's own stop counts besides the script's checks.
    const halt: Failure[] = sim.halt === null ? [] : [{ checker: sim.halt.checker, time: sim.timeMs, message: sim.halt.message, witnesses: [] }];
    const failures = [...(judgement?.failures ?? halt), ...scenario];
    const failure = headlineOf(failures);
    this.note(`end${checked ? '' : ' (checkers off)'}: ${failure === null ? 'pass' : `FAIL ${failure.checker}: ${failure.message}`}`);
    const spec: RunSpec = {
      seed: this.setup.seed, options: this.options, schedule: this.schedule, bugs: this.setup.bugs ?? [],
      scenario: this.setup.scenario, record: true,
    };
    const verdicts: CheckerVerdict[] = [...(judgement?.verdicts ?? verdictsOf([], null, false, null)),
      { checker: SCENARIO_CHECKER, verdict: broken === undefined ? 'pass' : 'fail' }];
    return {
      spec, sim, verdict: failures.length > 0 ? 'fail' : judgement?.verdict ?? 'pass', failure, failures, verdicts,
      sometimes: this.sometimes(), lin: judgement?.lin ?? null, operations: this.operations.length, checks: this.checks,
      golden: `${this.lines.join('\n')}\n`,
    };
  }

  /** The check that decides a scenario failure: an apply conflict first (later checks may only be its echo), else the first. */
  private firstBrokenCheck(): ScenarioCheck | undefined {
    return this.checks.find((check) => !check.ok && check.what === APPLY_CONFLICT) ?? this.checks.find((check) => !check.ok);
  }
}

function normalized(links: readonly Link[]): Link[] {
  const keyed = new Map<string, Link>();
  for (const link of links) keyed.set(`${link[0]}>${link[1]}`, link);
  return [...keyed.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function describeAnswer(answer: ProposeResult | null): string {
  if (answer === null) return 'down';
  return answer.ok ? `index ${answer.index} term ${answer.term}` : `${answer.reason}, hint ${answer.leaderHint ?? '-'}`;
}
