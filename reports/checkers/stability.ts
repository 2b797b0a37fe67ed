// Stable leadership: in a calm, healthy cluster whose leader every node has heard, no node starts
// an election. A follower resets its election timer on every AppendEntries (or InstallSnapshot)
// of its leader's term, and when the run's options make the leader's heartbeats arrive well within
// the shortest election timeout, a correct core's timers never run out there. Bugs in when timers
// are reset (a follower that does not reset its timer on its leader's messages, a candidate that
// does not step down on an AppendEntries of its own term, a refused vote that resets the timer, a
// PreVote that raises a receiver's term) only delay or disrupt elections, so no safety checker
// fails them, and a leader is soon elected again, so availability does not either. (The MIT
// 6.5840 lab asks the same: does the leader and term stay the same without network failures?)
//
// A fold over trace events like every checker, online and on a saved trace. It is conservative,
// since a false alarm is worse than a miss. It judges only while ALL of these hold:
//  - the run's options hold no stalls (a held message arrives late with no event to say so), run no
//    membership change (so no learner either), and make the leader's
//    heartbeats arrive well within the shortest election timeout (stabilityOptions returns null for
//    the others); lossy links are judged, since every lost message is a `drop` in the trace, which
//    starts the stretch again (below); leadership transfers are judged, but a TimeoutNow in flight
//    stops the judging, and each copy's arrival or loss starts the stretch again (its target
//    campaigns then, by design);
//  - every node is up and running and no link is cut (a partition the liveness phase keeps counts);
//    a crash, restart, pause, resume, partition, heal, or a message dropped for any reason (a lost
//    heartbeat lets a follower time out) starts the stretch again, and every node must hear the
//    leader again within it;
//  - a node leads (the `role` event), every node is in its term, and every other node has been
//    delivered an AppendEntries or InstallSnapshot of that leader in that term since the stretch
//    began (a message sent before the stretch began and delivered after it counts: it resets the
//    receiver's timer when it arrives).
// Then a node that becomes candidate or precandidate, or changes its term, fails the run. A
// precandidate counts: a pre-vote changes no term and deposes nobody, but it only starts when the
// node's election timer ran out, which heartbeats arriving in time forbid; it is the first sign of
// the same timer bug, and a correct core never shows it there.
//
// What a correct core may do there and this checker allows: a leader that steps down (CheckQuorum,
// with no reply in time) ends the judging, since no leader is in office; a vote granted late to a
// losing candidate of the same term changes the vote, not the term; a message of an earlier term
// (a late duplicate, a deposed leader's append) is refused without a change of term; a PreVote
// request of the next term, sent before the sender heard the leader and delivered late, is
// answered without a change of term.
import type { Message, MessageType, NodeId } from '../../core/index.ts';
import type { TraceEvent, TraceEventOf } from '../../sim/events.ts';
import type { SimOptions } from '../../sim/options.ts';
import { leaseBounds, membershipChangesOn } from '../../sim/options.ts';
import type { ClusterView } from './cluster-view.ts';
import { violation, type Checker, type StabilityOptions, type Violation } from './types.ts';

export type { StabilityOptions };

/**
 * The stability bounds of a run, or null when it is not judged: stalls (a lost message is a
 * `drop` event, which starts the judged stretch again; a stalled one leaves no mark),
 * membership changes (leadership transfers are judged: a TimeoutNow in flight, and each copy's
 * arrival or loss, start the stretch again, so the transfer's target campaigns unjudged), or
 * heartbeats that may not arrive well within the
 * shortest election timeout: the longest gap between two heartbeats at a follower (heartbeatTicks
 * of the slowest clock, plus the spread of the link delay, plus a tick of slack for events at the
 * same instant) must be shorter than electionTicks - 1 ticks of the fastest clock (a timer reset
 * just before a tick runs out after electionTicks - 1 whole ticks at the soonest).
 */
export function stabilityOptions(options: SimOptions): StabilityOptions | null {
  if (options.network.stallRatio > 0) return null;
  // Transfers are judged: a TimeoutNow in flight, and its arrival, start the stretch again.
  if (membershipChangesOn({ ...options.membership, transferIntervalMsMean: 0 })) return null;
  const { shortestTickMs, longestTickMs } = leaseBounds(options);
  const heartbeatGapMs = options.raft.heartbeatTicks * longestTickMs
    + (options.network.delayMsMax - options.network.delayMsMin) + longestTickMs;
  const timeoutMs = (options.raft.electionTicks - 1) * shortestTickMs;
  if (heartbeatGapMs >= timeoutMs) return null;
  return { nodes: options.nodes, heartbeatGapMs, timeoutMs };
}

/**
 * Appends and snapshots are remembered in a ring of this many slots by message id: a message
 * whose slot a later one took (more than this many messages later) is not recognized when it
 * arrives, and counts as no heartbeat, which can only leave a run unjudged.
 */
const SLOTS = 1 << 14;

export class Stability implements Checker {
  readonly name = 'stability';
  private readonly up: boolean[] = [];
  private readonly paused: boolean[] = [];
  /** Directed links cut now. */
  private cutLinks = 0;
  /**
   * Appends and snapshots sent: the message id in slot id % SLOTS, its sender and its term (two
   * columns: one key of both took a floating-point modulo to split on every delivery).
   */
  private readonly slotIds = new Float64Array(SLOTS).fill(-1);
  private readonly slotFroms = new Float64Array(SLOTS);
  private readonly slotTerms = new Float64Array(SLOTS);
  private since = 0;
  private sinceEvent = -1;
  /** The leader of the highest term now in office (0: none) and its term. */
  private leader: NodeId = 0;
  private leaderTerm = 0;
  /** Per node, the leader's term it was last delivered an append or snapshot of in this stretch (0: none). */
  private readonly heardTerm: number[] = [];
  /** Per node, when and at which event it first heard that term in this stretch. */
  private readonly heardSince: number[] = [];
  private readonly heardEvent: number[] = [];
  /** TimeoutNow messages sent and not yet delivered or lost, by id: copies in flight. */
  private readonly timeoutNowInFlight = new Map<number, number>();
  /** True while every condition holds; judgedSince is when it last began to. */
  private judging = false;
  private judgedSince = 0;
  /** Virtual ms judged so far (for measurement). */
  judgedMs = 0;

  constructor(private readonly view: ClusterView, private readonly options: StabilityOptions | null) {}

  observe(event: TraceEvent, index: number): Violation | null {
    if (this.options === null) return null;
    switch (event.type) {
      case 'send': {
        const message = event.message;
        return this.onSend(event, event.id, message, message.type, index);
      }
      case 'duplicate': this.onDuplicate(event.id); return null;
      case 'deliver': return this.onDeliver(event, event.id, event.to, index);
      case 'drop': return this.onDrop(event, event.id, index);
      case 'crash': this.up[event.node] = false; this.paused[event.node] = false; return this.restart(event.time, index);
      case 'restart': this.up[event.node] = true; this.paused[event.node] = false; return this.restart(event.time, index);
      case 'pause': this.paused[event.node] = true; return this.restart(event.time, index);
      case 'resume': this.paused[event.node] = false; return this.restart(event.time, index);
      case 'partition': this.cutLinks = event.cut.length; return this.restart(event.time, index);
      case 'heal': this.cutLinks = 0; return this.restart(event.time, index);
      case 'role': {
        if (this.judging && (event.role === 'candidate' || event.role === 'precandidate' || event.term !== this.leaderTerm)) {
          return this.violated(event.node, `became ${event.role} in term ${event.term}`, event.time, index);
        }
        this.findLeader();
        this.update(event.time);
        return null;
      }
      case 'term':
        // A vote cast in the same term is no change of term.
        if (this.judging && event.term !== this.leaderTerm) {
          return this.violated(event.node, `moved to term ${event.term}`, event.time, index);
        }
        this.update(event.time);
        return null;
      default: return null;
    }
  }

  /**
   * A message sent: `id`, `message` and its `type` read by the caller (the suite reads them once
   * for every checker: messages come in many shapes, so each read of the type is a megamorphic lookup).
   * The suite calls this and the other message methods only with options.
   */
  onSend(event: TraceEventOf<'send'>, id: number, message: Message, type: MessageType, index: number): Violation | null {
    if (type === 'TimeoutNow') {
      // A leadership transfer: its target campaigns when this arrives, by design.
      this.timeoutNowInFlight.set(id, 1);
      return this.restart(event.time, index);
    }
    if (type === 'AppendEntries' || type === 'InstallSnapshot') {
      const slot = id & (SLOTS - 1);
      this.slotIds[slot] = id;
      this.slotFroms[slot] = message.from;
      this.slotTerms[slot] = message.term;
    }
    return null;
  }

  onDuplicate(id: number): void {
    const copies = this.timeoutNowInFlight.get(id);
    if (copies !== undefined) this.timeoutNowInFlight.set(id, copies + 1);
  }

  /** A copy of message `id` delivered to `to` (both read by the caller). */
  onDeliver(event: TraceEventOf<'deliver'>, id: number, to: NodeId, index: number): Violation | null {
    if (this.timeoutNowInFlight.size > 0 && this.timeoutNowInFlight.has(id)) return this.landed(id, event.time, index);
    const slot = id & (SLOTS - 1);
    if (this.leader === 0 || this.slotIds[slot] !== id) return null;
    const from = this.slotFroms[slot] as number;
    const term = this.slotTerms[slot] as number;
    // A receiver of a later term refuses it; one of this term or an earlier one takes it (and
    // moves to its term) and resets its election timer.
    if (from !== this.leader || term !== this.leaderTerm || (this.view.terms[to] ?? 0) > term) return null;
    // Only the first in the stretch changes anything: the others find it judged already, or
    // waiting for another node or event.
    if (this.heardTerm[to] === term) return null;
    const time = event.time;
    this.heardTerm[to] = term;
    this.heardSince[to] = time;
    this.heardEvent[to] = index;
    this.update(time);
    return null;
  }

  /** A copy of message `id` lost. */
  onDrop(event: TraceEventOf<'drop'>, id: number, index: number): Violation | null {
    const time = event.time;
    if (this.timeoutNowInFlight.has(id)) this.landed(id, time, index);
    // Lost for any reason (a full link, a cut, a crashed receiver): a follower may time out.
    return this.restart(time, index);
  }

  finish(): Violation | null {
    if (this.judging) this.judgedMs += this.view.lastTime - this.judgedSince;
    this.judging = false;
    return null;
  }

  /** A copy of a TimeoutNow arrived or was lost: one fewer in flight, and the stretch starts again. */
  private landed(id: number, time: number, index: number): null {
    const copies = (this.timeoutNowInFlight.get(id) ?? 1) - 1;
    if (copies > 0) this.timeoutNowInFlight.set(id, copies);
    else this.timeoutNowInFlight.delete(id);
    return this.restart(time, index);
  }

  /** A fault (or a lost message): start the stretch again; every node must hear the leader anew. */
  private restart(time: number, index: number): null {
    if (this.judging) this.judgedMs += time - this.judgedSince;
    this.since = time;
    this.sinceEvent = index;
    this.heardTerm.length = 0;
    this.judging = false;
    this.findLeader();
    return null;
  }

  /** The running leader of the highest term, from the view (crashes and restarts make nodes followers there). */
  private findLeader(): void {
    let leader: NodeId = 0;
    let term = 0;
    const nodes = this.options?.nodes ?? 0;
    for (let node = 1; node <= nodes; node++) {
      if (this.view.roles[node] !== 'leader') continue;
      const nodeTerm = this.view.terms[node] ?? 0;
      if (nodeTerm > term) {
        leader = node;
        term = nodeTerm;
      }
    }
    this.leader = leader;
    this.leaderTerm = term;
  }

  /** Whether every condition holds now. */
  private update(time: number): void {
    const judging = this.healthy();
    if (judging && !this.judging) this.judgedSince = time;
    if (!judging && this.judging) this.judgedMs += time - this.judgedSince;
    this.judging = judging;
  }

  private healthy(): boolean {
    const nodes = this.options?.nodes ?? 0;
    if (this.leader === 0 || this.cutLinks > 0 || this.timeoutNowInFlight.size > 0) return false;
    for (let node = 1; node <= nodes; node++) {
      if (this.up[node] !== true || this.paused[node] === true) return false;
      if ((this.view.terms[node] ?? 0) !== this.leaderTerm) return false;
      if (node !== this.leader && this.heardTerm[node] !== this.leaderTerm) return false;
    }
    return true;
  }

  private violated(node: NodeId, what: string, time: number, index: number): Violation {
    const options = this.options as StabilityOptions;
    const heard = node === this.leader
      ? 'it was that leader'
      : `its appends had been reaching it since time ${this.heardSince[node] ?? 0}`;
    return violation(this.name, time,
      `Node ${node} ${what} at time ${time} while leader ${this.leader} of term ${this.leaderTerm} was in office and heard by every node `
      + `(${heard}), every node up, running and connected with calm links from time ${this.since}, and every node hearing the leader from time `
      + `${this.judgedSince}: heartbeats arrive at most ${options.heartbeatGapMs} ms apart, within the shortest election timeout of `
      + `${options.timeoutMs} ms, so no timer may run out.`,
      [this.sinceEvent, node === this.leader ? -1 : (this.heardEvent[node] ?? -1), index]);
  }
}
