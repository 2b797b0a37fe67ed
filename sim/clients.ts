// Closed-loop clients: each has at most one operation outstanding, sends it to the node it
// believes leads, follows leader hints, and on a timeout retries elsewhere with the same (client,
// sequence) pair, so the state machine's sessions apply a retried command once. Each timeout of an
// operation doubles the next wait, up to a bound: clients that retry at a fixed rate can propose
// faster than a slow cluster commits, and the backlog of retried entries then grows without end
// (a retry storm). Every operation is
// recorded as a call and a return; one whose outcome the client never learned is indeterminate.
import { assert } from '../core/index.ts';
import type { KvCommand, KvOp, KvResult, NodeId, ProposeResult } from '../core/index.ts';
import type { ClientInput, ClientOutput, TraceEvent } from './events.ts';
import type { HeldCall, NodeHost } from './host.ts';
import { otherNode } from './random.ts';
import type { Rng } from './random.ts';

/** What the clients need from the simulation around them. */
export interface ClientEnvironment {
  now(): number;
  host(node: NodeId): NodeHost;
  emit(event: TraceEvent): void;
  /** Run `action` for `client` at `time`, with a token to recognise stale timeouts. */
  schedule(time: number, client: number, token: number): void;
}

export interface ClientOptions {
  readonly clients: number;
  readonly nodes: number;
  readonly keys: number;
  readonly timeoutMs: number;
  /** The longest wait after backing off (the first wait is timeoutMs, doubled on each timeout). */
  readonly timeoutMsMax: number;
  /** Pause between a return and the next call, and before retrying after a refusal. */
  readonly thinkMsMax: number;
  /** Replies lost on the way back (the client then times out and retries). */
  readonly replyLossRatio: number;
  /** In the safety phase an operation is given up (indeterminate) after this many attempts. */
  readonly attemptsMax: number;
  /**
   * A call to a paused node waits in its inbox and is served on resume (faults.pauseHoldsCalls);
   * false or absent: it is lost.
   */
  readonly pauseHoldsCalls?: boolean;
  /**
   * The share of new operations a client sends to a node drawn at random (from the `routeRng`
   * stream) instead of the one it believes leads: a load balancer, a DNS name or a stale leader
   * cache in front of the cluster. 0 or absent: always the believed leader.
   */
  readonly anyNodeRatio?: number;
}

interface Pending {
  readonly op: number;
  readonly input: ClientInput;
  node: NodeId;
  attempt: number;
  /** The ReadIndex context of the current attempt of a read. */
  context: number;
  /** Bumped on every state change, so a timeout scheduled earlier is recognised as stale. */
  token: number;
  waiting: boolean;
}

interface Client {
  readonly id: number;
  sequence: number;
  leaderGuess: NodeId;
  pending: Pending | null;
  token: number;
  /** Values this client saw per key, to make compare-and-set plausible. */
  readonly seen: Map<string, string | null>;
}

export interface ClientCounters {
  calls: number;
  ok: number;
  failed: number;
  indeterminate: number;
  retries: number;
}

export class Clients {
  private readonly clients: Client[] = [];
  private nextOp = 1;
  private nextContext = 1;
  /** ReadIndex context -> client id. */
  private readonly readContexts = new Map<number, number>();
  private draining = false;
  readonly counters: ClientCounters = { calls: 0, ok: 0, failed: 0, indeterminate: 0, retries: 0 };

  constructor(
    private readonly options: ClientOptions, private readonly rng: Rng, private readonly env: ClientEnvironment,
    private readonly routeRng: Rng | null = null,
  ) {
    for (let id = 1; id <= options.clients; id++) {
      const client: Client = { id, sequence: 0, leaderGuess: 1 + rng.int(options.nodes), pending: null, token: 0, seen: new Map() };
      this.clients.push(client);
      env.schedule(env.now() + rng.int(options.thinkMsMax + 1), id, client.token);
    }
  }

  /** Liveness phase: no new operations; pending ones retry without giving up, and no reply is lost. */
  drain(): void {
    this.draining = true;
  }

  get idle(): boolean {
    return this.clients.every((client) => client.pending === null);
  }

  /** A scheduled wake-up: start the next operation, or handle a timeout of the current one. */
  wake(clientId: number, token: number): void {
    const client = this.client(clientId);
    if (token !== client.token) return;
    const pending = client.pending;
    if (pending === null) {
      if (!this.draining) this.start(client);
      return;
    }
    if (pending.waiting) this.timeout(client, pending);
    else this.submit(client, pending);
  }

  /** A node applied a client command: answer the client if it waits for it there. */
  applied(node: NodeId, command: KvCommand, result: KvResult): void {
    const client = this.clients[command.clientId - 1];
    const pending = client?.pending;
    if (client === undefined || pending === null || pending === undefined || !pending.waiting) return;
    if (pending.node !== node || pending.input.type !== 'command') return;
    if (pending.input.command.sequence !== command.sequence) return;
    if (this.replyLost()) return;
    this.complete(client, pending, { type: 'result', result });
  }

  /** A reply is lost like a message; in the liveness phase, as the network is calm, none is. */
  private replyLost(): boolean {
    return !this.draining && this.rng.chance(this.options.replyLossRatio);
  }

  /** A node can now serve the read with this context. */
  readReady(node: NodeId, context: number): void {
    const clientId = this.readContexts.get(context);
    if (clientId === undefined) return;
    this.readContexts.delete(context);
    const client = this.client(clientId);
    const pending = client.pending;
    if (pending === null || pending.context !== context || pending.node !== node || pending.input.type !== 'read') return;
    if (this.replyLost()) return;
    const value = this.env.host(node).read(pending.input.key);
    this.complete(client, pending, { type: 'result', result: { type: 'value', value } });
  }

  /** End of run: operations still pending stay open (indeterminate). */
  finish(): void {
    for (const client of this.clients) if (client.pending !== null) this.counters.indeterminate++;
  }

  private client(id: number): Client {
    const client = this.clients[id - 1];
    if (client === undefined) assert(false, `no client ${id}`);
    return client;
  }

  private start(client: Client): void {
    const input = this.nextInput(client);
    const pending: Pending = { op: this.nextOp++, input, node: this.firstNode(client), attempt: 1, context: 0, token: 0, waiting: false };
    client.pending = pending;
    this.counters.calls++;
    this.env.emit({ time: this.env.now(), type: 'call', client: client.id, op: pending.op, node: pending.node, input });
    this.submit(client, pending);
  }

  /** Where a new operation goes: the believed leader, or a node at random (options.anyNodeRatio). */
  private firstNode(client: Client): NodeId {
    const ratio = this.options.anyNodeRatio ?? 0;
    const rng = this.routeRng;
    if (ratio === 0 || rng === null || !rng.chance(ratio)) return client.leaderGuess;
    return 1 + rng.int(this.options.nodes);
  }

  private submit(client: Client, pending: Pending): void {
    const host = this.env.host(pending.node);
    if (pending.input.type === 'read') {
      pending.context = this.nextContext++;
      this.readContexts.set(pending.context, client.id);
    }
    const answer = this.callNode(host, pending);
    if (answer === null && this.options.pauseHoldsCalls === true && host.up && host.paused) {
      host.inbox.push({ call: { client: client.id, op: pending.op, attempt: pending.attempt } });
    }
    if (answer !== null && !answer.ok) {
      this.refused(client, pending, answer);
      return;
    }
    // Accepted, or sent to a node that is down or paused: wait for an answer or the timeout.
    this.arm(client, pending, true, this.waitMs(pending.attempt));
  }

  /** The attempt's call on its node: null when the node is down or paused (or threw). */
  private callNode(host: NodeHost, pending: Pending): ProposeResult | null {
    if (pending.input.type === 'read') return host.call((node) => node.readIndex(pending.context));
    const command = pending.input.command;
    return host.call((node) => node.propose(command));
  }

  /** Refused: follow the hint (or try another node) after a short pause. */
  private refused(client: Client, pending: Pending, answer: Extract<ProposeResult, { ok: false }>): void {
    client.leaderGuess = answer.leaderHint ?? otherNode(this.rng, this.options.nodes, pending.node);
    pending.node = client.leaderGuess;
    this.arm(client, pending, false, 1 + this.rng.int(this.options.thinkMsMax + 1));
  }

  /**
   * A node resumed and serves a call it held: if the client still waits for that attempt there
   * (its timeout has not run out), the node takes it now, with the view it had before its pause;
   * a refusal reaches the client at once. A call the client stopped waiting for is dropped.
   */
  heldCall(node: NodeId, call: HeldCall): void {
    const client = this.client(call.client);
    const pending = client.pending;
    if (pending === null || pending.op !== call.op || pending.attempt !== call.attempt) return;
    if (pending.node !== node || !pending.waiting) return;
    const answer = this.callNode(this.env.host(node), pending);
    if (answer !== null && !answer.ok) this.refused(client, pending, answer);
  }

  /** Exponential backoff: timeoutMs on the first attempt, doubled on each retry, at most timeoutMsMax. */
  private waitMs(attempt: number): number {
    const { timeoutMs, timeoutMsMax } = this.options;
    return Math.max(timeoutMs, Math.min(timeoutMsMax, timeoutMs * 2 ** Math.min(attempt - 1, 30)));
  }

  private timeout(client: Client, pending: Pending): void {
    if (!this.draining && pending.attempt >= this.options.attemptsMax) {
      this.complete(client, pending, { type: 'unknown' });
      return;
    }
    pending.attempt++;
    this.counters.retries++;
    pending.node = otherNode(this.rng, this.options.nodes, pending.node);
    client.leaderGuess = pending.node;
    this.submit(client, pending);
  }

  private arm(client: Client, pending: Pending, waiting: boolean, delayMs: number): void {
    pending.waiting = waiting;
    client.token++;
    this.env.schedule(this.env.now() + delayMs, client.id, client.token);
  }

  private complete(client: Client, pending: Pending, output: ClientOutput): void {
    // A read given up had no effect (failed); a write given up may still apply (indeterminate).
    if (output.type === 'result') this.counters.ok++;
    else if (pending.input.type === 'read') this.counters.failed++;
    else this.counters.indeterminate++;
    if (output.type === 'result') this.remember(client, pending.input, output.result);
    client.pending = null;
    client.token++;
    client.leaderGuess = pending.node;
    this.env.emit({ time: this.env.now(), type: 'return', client: client.id, op: pending.op, output });
    this.env.schedule(this.env.now() + this.rng.int(this.options.thinkMsMax + 1), client.id, client.token);
  }

  private remember(client: Client, input: ClientInput, result: KvResult): void {
    if (input.type === 'read' && result.type === 'value') client.seen.set(input.key, result.value);
    if (input.type === 'command' && result.type === 'cas') client.seen.set(input.command.op.key, result.value);
  }

  private nextInput(client: Client): ClientInput {
    const key = `k${this.rng.int(this.options.keys)}`;
    const roll = this.rng.next();
    if (roll < 0.35) return { type: 'read', key };
    client.sequence++;
    const value = `${client.id}.${client.sequence}`;
    let op: KvOp;
    if (roll < 0.6) op = { type: 'put', key, value };
    else if (roll < 0.8) op = { type: 'append', key, value: ` ${value}` };
    else if (roll < 0.95) op = { type: 'cas', key, from: client.seen.get(key) ?? null, to: value };
    else op = { type: 'delete', key };
    return { type: 'command', command: { clientId: client.id, sequence: client.sequence, op } };
  }
}
