// The small vocabulary named scenarios are written in (docs/style.md, rule 9): a Cluster drives the
// real simulator through scripted control (partition, heal, crash, restart, pause, propose, read,
// waitForLeader, runTicks, forced election timers, message filters) while every checker watches,
// and records a compact text rendering of the important events for the scenario's golden file.
import { assert } from '../core/index.ts';
import type {
  BugId, ConfChange, Entry, EntryData, KvOp, KvResult, Message, NodeId, NodeStatus, PersistedState, ProposeResult,
} from '../core/index.ts';
import { CheckerSuite } from '../reports/checkers/suite.ts';
import type { SometimesCounters, Violation } from '../reports/checkers/types.ts';
import { historyEventFilter, historyFromTrace } from '../reports/history.ts';
import { checkHistory } from '../reports/lin/check.ts';
import type { LinResult } from '../reports/lin/check.ts';
import { eraseModel, kvModel } from '../reports/lin/model.ts';
import type { CheckerVerdict, Failure, RunReport, RunSpec, Verdict } from '../reports/run-report.ts';
import type { ClientInput, ClientOutput, TraceEvent } from '../sim/events.ts';
import type { FaultEvent } from '../sim/faults.ts';
import type { NodeHost } from '../sim/host.ts';
import { validateOptions } from '../sim/options.ts';
import type { OptionsOverride, SimOptions } from '../sim/options.ts';
import { cutBetween } from '../sim/partitions.ts';
import type { Link } from '../sim/partitions.ts';
import { RandomStreams } from '../sim/random.ts';
import type { Rng } from '../sim/random.ts';
import { Simulation } from '../sim/simulation.ts';
import type { Seed } from '../sim/simulation.ts';
import { renderEvent } from './named/render.ts';

export const SCENARIO_CHECKER = 'scenario';
export const LIN_CHECKER = 'linearizability';

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
  readonly simulation: Simulation;
  readonly options: SimOptions;
  /** The scenario's own random stream (a stream of the run's seed, apart from every other one). */
  readonly random: Rng;
  readonly operations: Operation[] = [];
  readonly checks: ScenarioCheck[] = [];
  /** The faults the script injected, in order: the trace header's schedule. */
  readonly schedule: FaultEvent[] = [];
  private readonly suite: CheckerSuite;
  private readonly clientEvents: TraceEvent[] = [];
  private readonly keepForHistory = historyEventFilter();
  private readonly lines: string[] = [];
  private rendered = 0;
  private violation: Violation | null = null;
  private readonly writesByClient = new Map<number, Operation>();
  private readonly readsByContext = new Map<number, Operation>();

  constructor(readonly setup: ClusterSetup) {
    this.options = setup.options;
    this.random = new RandomStreams(setup.seed).stream('scenario');
    this.suite = new CheckerSuite({ livenessBoundMs: setup.options.livenessMs });
    this.simulation = new Simulation({
      seed: setup.seed, options: setup.options, schedule: [], bugs: new Set(setup.bugs ?? []), record: true,
      ...(setup.initialVoters === undefined ? {} : { initialVoters: setup.initialVoters }),
      ...(setup.initialDisks === undefined ? {} : { initialDisks: setup.initialDisks }),
      observe: (event, index) => this.observe(event, index),
      onApplied: (node, data, result) => this.applied(node, data, result),
      onReadReady: (node, context) => this.readReady(node, context),
    });
    this.simulation.startScripted();
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

  runMs(ms: number): void {
    assert(ms >= 0, 'runMs: negative duration');
    this.simulation.runUntil(this.now + ms);
    this.throwIfStopped();
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
    this.fault({ at: this.now, type: 'partition', kind: 'explicit', cut: normalized(links) });
  }

  /** Cuts only the links from `senders` to `receivers` (the Cloudflare-style half-broken link). */
  partitionOneWay(senders: readonly NodeId[], receivers: readonly NodeId[]): void {
    const links: Link[] = [];
    for (const from of senders) for (const to of receivers) if (from !== to) links.push([from, to]);
    this.fault({ at: this.now, type: 'partition', kind: 'asymmetric', cut: normalized(links) });
  }

  heal(): void {
    this.fault({ at: this.now, type: 'heal' });
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
    return this.suite.sometimes();
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
    if (this.keepForHistory(event)) this.clientEvents.push(event);
    this.violation = this.suite.observe(event, index);
    return this.violation === null ? null : { checker: this.violation.checker, message: this.violation.message };
  }

  private throwIfStopped(): void {
    const stop = this.simulation.result().stop;
    if (stop !== null) throw new ScenarioError(`the run stopped: ${stop.checker}: ${stop.message}`);
  }

  // -------------------------------------------------------------------------------------------
  // The end: the liveness phase, the end-of-run checks, the linearizability check.

  finish(scriptError: Error | null): ScenarioReport {
    if (scriptError !== null) this.check('the script ran to its end', false, scriptError.message);
    // Faults stop in the liveness phase: scripted control too.
    for (const node of this.nodeIds) this.simulation.holdTimer(node, false);
    this.simulation.setMessageFilter(null);
    let sim = this.simulation.finishScripted(this.options.livenessMs);
    let failure: Failure | null = this.violation === null ? null : fromViolation(this.violation);
    if (failure === null && sim.stop !== null) {
      failure = { checker: sim.stop.checker, time: sim.timeMs, message: sim.stop.message, witnesses: [sim.traceEvents - 1] };
    }
    const atEnd = failure === null ? this.suite.finish() : null;
    if (atEnd !== null) {
      failure = fromViolation(atEnd);
      sim = this.simulation.recordViolation({ checker: atEnd.checker, message: atEnd.message });
    }
    let lin: LinResult | null = null;
    if (failure === null) {
      lin = checkHistory(historyFromTrace(this.clientEvents), eraseModel(kvModel('')));
      if (lin.verdict === 'fail') {
        failure = { checker: LIN_CHECKER, time: sim.timeMs, message: `key ${lin.explanation.key} is not linearizable`, witnesses: [] };
        sim = this.simulation.recordViolation({ checker: LIN_CHECKER, message: failure.message });
      }
    }
    const broken = this.checks.find((check) => !check.ok);
    if (failure === null && broken !== undefined) {
      failure = { checker: SCENARIO_CHECKER, time: sim.timeMs, message: `${broken.what}: ${broken.detail}`, witnesses: [] };
    }
    this.note(`end: ${failure === null ? 'pass' : `FAIL ${failure.checker}: ${failure.message}`}`);
    const verdict: Verdict = failure !== null ? 'fail' : lin?.verdict === 'unknown' ? 'unknown' : 'pass';
    const spec: RunSpec = {
      seed: this.setup.seed, options: this.options, schedule: this.schedule, bugs: this.setup.bugs ?? [],
      scenario: this.setup.scenario, record: true,
    };
    return {
      spec, sim, verdict, failure, verdicts: verdictsOf(failure, lin), sometimes: this.suite.sometimes(), lin,
      operations: this.operations.length, checks: this.checks, golden: `${this.lines.join('\n')}\n`,
    };
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

function fromViolation(violation: Violation): Failure {
  return { checker: violation.checker, time: violation.time, message: violation.message, witnesses: violation.witnesses };
}

const CHECKERS = [
  'election-safety', 'log-matching', 'leader-completeness', 'leader-append-only', 'state-machine-safety',
  'durability', 'invariants', 'liveness', LIN_CHECKER, SCENARIO_CHECKER,
] as const;

function verdictsOf(failure: Failure | null, lin: LinResult | null): CheckerVerdict[] {
  return CHECKERS.map((checker) => {
    if (failure?.checker === checker) return { checker, verdict: 'fail' };
    if (checker === LIN_CHECKER) return { checker, verdict: lin === null ? 'unknown' : lin.verdict };
    return { checker, verdict: failure === null ? 'pass' : 'unknown' };
  });
}
