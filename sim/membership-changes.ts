// The membership workload: an operator who now and then asks the node it believes leads for one
// single-server change (add a learner, promote a learner, remove a voter), often right after an
// election, when a change still in flight from the previous leader meets the new one's (Ongaro,
// raft-dev 2015). It keeps a workable voter set, and in the liveness phase it only adds nodes back
// until every node votes again. Every choice comes from its own random stream.
import { assert, assertNever } from '../core/index.ts';
import type { ClusterConfig, ConfChange, NodeId, ProposeResult } from '../core/index.ts';
import type { NodeHost } from './host.ts';
import type { RngLike } from './options.ts';
import { exponentialMs, otherNode } from './random.ts';

/** 'interval': the timer of changes; 'attempt': the next try of the change under way; 'transfer': the timer of leadership transfers. */
export type MembershipTimer = 'interval' | 'attempt' | 'transfer';

/** What the workload needs from the simulation around it. */
export interface MembershipEnvironment {
  now(): number;
  host(node: NodeId): NodeHost;
  /** Wake the workload at `time`, with a token to recognise a superseded attempt. */
  schedule(time: number, timer: MembershipTimer, token: number): void;
}

export interface MembershipWorkloadOptions {
  readonly nodes: number;
  /** Mean time between changes started on the timer; 0: none. */
  readonly changeIntervalMsMean: number;
  /** The share of elections after which the new leader is asked for a change. */
  readonly changeAfterElectionRatio: number;
  /** A try follows an election, or a refusal, after a delay uniform in [1, retryMsMax]. */
  readonly retryMsMax: number;
  /** Tries of one change in the safety phase before it is given up. */
  readonly attemptsMax: number;
  /** In the liveness phase, how often the leader's configuration is looked at again. */
  readonly restoreEveryMs: number;
  /**
   * Mean time between two leadership transfers asked in the safety phase (absent or 0: none):
   * the node believed to lead is asked to hand over to another voter of its configuration.
   */
  readonly transferIntervalMsMean?: number;
}

export interface MembershipCounters {
  asked: number;
  accepted: number;
  refused: number;
  /** Leadership transfers asked of a leader, and those it started. */
  transfersAsked: number;
  transfersAccepted: number;
}

/** The fewest voters the workload leaves: three at least, so one deaf or lagging voter leaves a quorum. */
export function votersMin(nodes: number): number {
  return Math.max(3, nodes - 2);
}

function pick(rng: RngLike, nodes: readonly NodeId[]): NodeId {
  const node = nodes[rng.int(nodes.length)];
  assert(node !== undefined, 'pick from an empty list');
  return node;
}

/**
 * The change to ask of a node holding `config`, or null when there is nothing to do: promote a
 * learner, add a node from outside the cluster as a learner, or remove a voter (the leader too)
 * while more than votersMin remain, each kind as likely as the others that apply. Restoring only
 * adds: it promotes learners and adds outsiders until every node votes.
 */
export function chooseChange(config: ClusterConfig, nodes: number, restoring: boolean, rng: RngLike,
  lagging: readonly NodeId[] = []): ConfChange | null {
  const outside: NodeId[] = [];
  for (let node = 1; node <= nodes; node++) {
    if (!config.voters.includes(node) && !config.learners.includes(node)) outside.push(node);
  }
  const kinds: ConfChange['type'][] = [];
  if (config.learners.length > 0) kinds.push('promote');
  if (outside.length > 0) kinds.push('addLearner');
  if (!restoring && config.voters.length > votersMin(nodes)) kinds.push('remove');
  if (kinds.length === 0) return null;
  const kind = kinds.length === 1 ? kinds[0] : kinds[rng.int(kinds.length)];
  if (kind === undefined) assert(false, 'no change kind drawn');
  switch (kind) {
    case 'promote': return { type: 'promote', node: pick(rng, config.learners) };
    case 'addLearner': return { type: 'addLearner', node: pick(rng, outside) };
    case 'remove': {
      const behind = config.voters.filter((node) => lagging.includes(node));
      return { type: 'remove', node: pick(rng, behind.length > 0 ? behind : config.voters) };
    }
    default: return assertNever(kind);
  }
}

type Outcome =
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'nothing'; readonly leads: boolean; readonly leaderHint: NodeId | null }
  | { readonly kind: 'answer'; readonly answer: ProposeResult };

export class MembershipChanges {
  private leaderGuess: NodeId;
  /** A change is under way (its tries are scheduled); attempt counts the tries made. */
  private active = false;
  private attempt = 0;
  private attemptToken = 0;
  private restoring = false;
  /** While restoring: the last leader asked held every node as a voter. */
  private restoredSeen = false;
  readonly counters: MembershipCounters = { asked: 0, accepted: 0, refused: 0, transfersAsked: 0, transfersAccepted: 0 };

  constructor(private readonly options: MembershipWorkloadOptions, private readonly rng: RngLike,
    private readonly env: MembershipEnvironment) {
    assert(options.nodes >= 1, 'the membership workload needs a node');
    assert(options.retryMsMax >= 1 && options.restoreEveryMs >= 1, 'membership delays must be >= 1 ms');
    this.leaderGuess = 1 + rng.int(options.nodes);
    if (options.changeIntervalMsMean > 0) this.env.schedule(this.nextIntervalAt(), 'interval', 0);
    // Drawn after everything above, so a run without transfers draws what it drew before them.
    if (this.transferMeanMs > 0) this.env.schedule(this.env.now() + exponentialMs(rng, this.transferMeanMs), 'transfer', 0);
  }

  private get transferMeanMs(): number {
    return this.options.transferIntervalMsMean ?? 0;
  }

  /**
   * A node became leader (its role event). Called from inside that node's Ready handling, so it
   * only notes the leader and schedules the try; it never calls into a node here.
   */
  leaderElected(node: NodeId): void {
    this.leaderGuess = node;
    if (this.restoring || this.options.changeAfterElectionRatio === 0) return;
    if (this.rng.chance(this.options.changeAfterElectionRatio)) this.startChange();
  }

  /** True once, in the liveness phase, a leader was seen with every node a voter. */
  get restored(): boolean {
    return this.restoredSeen;
  }

  /** The liveness phase: no more removals; add every node back as a voter. */
  restore(): void {
    this.restoring = true;
    this.startChange();
  }

  wake(timer: MembershipTimer, token: number): void {
    switch (timer) {
      case 'interval':
        if (this.restoring) return;
        if (!this.active) this.startChange();
        this.env.schedule(this.nextIntervalAt(), 'interval', 0);
        return;
      case 'attempt':
        if (token === this.attemptToken) this.ask();
        return;
      case 'transfer':
        // Token 0: the timer (a new transfer); 1: another try of the one under way.
        if (this.restoring) return;
        if (token === 0) {
          this.transferTries = 0;
          this.env.schedule(this.env.now() + exponentialMs(this.rng, this.transferMeanMs), 'transfer', 0);
        }
        if (this.transfer()) return;
        this.transferTries++;
        if (this.transferTries < this.options.attemptsMax) {
          this.env.schedule(this.env.now() + 1 + this.rng.int(this.options.retryMsMax), 'transfer', 1);
        }
        return;
      default:
        assertNever(timer);
    }
  }

  /** Starts a change (superseding one under way): the first try after a short delay. */
  private startChange(): void {
    this.active = true;
    this.attempt = 0;
    this.retryAfter(1 + this.rng.int(this.options.retryMsMax));
  }

  private retryAfter(delayMs: number): void {
    this.attemptToken++;
    this.env.schedule(this.env.now() + delayMs, 'attempt', this.attemptToken);
  }

  private ask(): void {
    this.attempt++;
    const outcome = this.propose(this.leaderGuess);
    switch (outcome.kind) {
      case 'unreachable':
        return this.tryElsewhere(null);
      case 'nothing':
        if (!outcome.leads) return this.tryElsewhere(outcome.leaderHint);
        this.restoredSeen = this.restoring;
        return this.done();
      case 'answer':
        return this.answered(outcome.answer);
      default:
        assertNever(outcome);
    }
  }

  private propose(node: NodeId): Outcome {
    const host = this.env.host(node);
    const outcome = host.call((raft): Outcome => {
      const status = raft.status();
      const change = chooseChange(status.config, this.options.nodes, this.restoring, this.rng, this.lagging(status.term));
      if (change === null) return { kind: 'nothing', leads: status.role === 'leader', leaderHint: status.leader };
      this.counters.asked++;
      return { kind: 'answer', answer: raft.proposeConfChange(change) };
    });
    return outcome ?? { kind: 'unreachable' };
  }

  /** Tries of the transfer under way (a node that does not lead is followed to the one it names). */
  private transferTries = 0;

  /**
   * Asks the node believed to lead to transfer leadership to another voter of its configuration,
   * drawn at random; true when a leader was asked. A node that does not lead tells who it believes does.
   */
  private transfer(): boolean {
    const asked = this.leaderGuess;
    const outcome = this.env.host(asked).call((raft): { readonly leads: boolean; readonly hint: NodeId | null } => {
      const status = raft.status();
      if (status.role !== 'leader') return { leads: false, hint: status.leader };
      const targets = status.config.voters.filter((voter) => voter !== status.id);
      if (targets.length > 0) {
        this.counters.transfersAsked++;
        if (raft.transferLeadership(pick(this.rng, targets)).ok) this.counters.transfersAccepted++;
      }
      return { leads: true, hint: status.id };
    });
    if (outcome?.leads === true) return true;
    // Down, paused or not leading: try the node it names, or another one.
    const hint = outcome?.hint ?? null;
    this.leaderGuess = hint !== null && hint !== asked ? hint : otherNode(this.rng, this.options.nodes, asked);
    return false;
  }

  private answered(answer: ProposeResult): void {
    this.restoredSeen = false;
    if (answer.ok) {
      this.counters.accepted++;
      return this.done();
    }
    this.counters.refused++;
    switch (answer.reason) {
      case 'busy':
        return this.retry();
      case 'not-leader':
      case 'transferring':
      case 'removed':
        return this.tryElsewhere(answer.leaderHint);
      case 'invalid':
        // chooseChange draws from the asked node's own configuration; a core that calls such a
        // change invalid does not implement single-server changes as the contract says.
        return this.done();
      default:
        assertNever(answer.reason);
    }
  }

  private tryElsewhere(hint: NodeId | null): void {
    this.leaderGuess = hint !== null && hint !== this.leaderGuess ? hint : otherNode(this.rng, this.options.nodes, this.leaderGuess);
    this.retry();
  }

  private retry(): void {
    if (!this.restoring && this.attempt >= this.options.attemptsMax) return this.done();
    this.retryAfter(1 + this.rng.int(this.options.retryMsMax));
  }

  /** The change is done or given up; while restoring, look again (soon, unless all were voters). */
  private done(): void {
    this.active = false;
    this.attempt = 0;
    this.attemptToken++;
    if (!this.restoring) return;
    this.active = true;
    this.retryAfter(this.restoredSeen ? this.options.restoreEveryMs : 1 + this.rng.int(this.options.retryMsMax));
  }

  /** Voters an operator would see as unhealthy: down, or holding no entry of the leader's term. */
  private lagging(term: number): NodeId[] {
    const behind: NodeId[] = [];
    for (let node = 1; node <= this.options.nodes; node++) {
      const status = this.env.host(node).node?.status();
      if (status === undefined || status.lastTerm < term) behind.push(node);
    }
    return behind;
  }

  private nextIntervalAt(): number {
    const mean = this.options.changeIntervalMsMean;
    return this.env.now() + exponentialMs(this.rng, mean);
  }
}
