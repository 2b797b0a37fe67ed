// Liveness after heal: once the liveness phase starts, a leader must be elected and every client
// operation pending then, or called later, must return within the bound. Checked on every event
// (the first event past a deadline reports it) and at the end of the run. A phase that ended
// without settling wrote a `checkpoint` of what it saw: a member left behind the leader's commit
// index, or no leader that lasted under a kept partition, is judged from it.
import type { TraceEvent, TraceEventOf } from '../../sim/events.ts';
import { pairKey, type ClusterView } from './cluster-view.ts';
import { violation, type Checker, type Violation } from './types.ts';

interface Call {
  readonly client: number;
  readonly time: number;
  readonly event: number;
}

export class Liveness implements Checker {
  readonly name = 'liveness';
  /** Calls not yet returned, by (client, op), in call order. */
  private readonly pending = new Map<number, Call>();
  /** Operations with a deadline, in deadline order (deadlines grow with call time); head first. */
  private readonly queueKeys: number[] = [];
  private readonly queueDeadlines: number[] = [];
  private readonly queueEvents: number[] = [];
  private queueHead = 0;
  private phaseTime = -1;
  private phaseEvent = -1;
  private leaderElected = false;
  private lastTime = 0;
  /** The partition in force in the liveness phase (one the schedule keeps through it), or null. */
  private keptCut: TraceEventOf<'partition'> | null = null;

  /** `stableMs`: how long a leader must last under a kept partition (STABLE_ELECTION_TIMEOUTS). */
  constructor(private readonly view: ClusterView, private readonly boundMs: number, private readonly stableMs: number) {}

  /** Whether the liveness phase has begun: until then only calls, returns and the phase event matter. */
  get inPhase(): boolean {
    return this.phaseTime >= 0;
  }

  observe(event: TraceEvent, index: number): Violation | null {
    // Time and type read once: events come in many shapes, so each read is a megamorphic lookup.
    const time = event.time;
    const type = event.type;
    this.lastTime = time;
    if (type === 'call') {
      const key = pairKey(event.client, event.op);
      this.pending.set(key, { client: event.client, time, event: index });
      if (this.phaseTime >= 0) this.enqueue(key, time + this.boundMs, index);
    } else if (type === 'return') {
      this.pending.delete(pairKey(event.client, event.op));
    } else if (type === 'phase' && event.phase === 'liveness' && this.phaseTime < 0) {
      this.startPhase(time, index);
    } else if (type === 'role' && event.role === 'leader' && this.phaseTime >= 0 && time <= this.leaderDeadline()) {
      this.leaderElected = true;
    } else if ((type === 'partition' || type === 'heal') && this.phaseTime >= 0) {
      this.keptCut = event.type === 'partition' ? event : null;
    } else if (type === 'checkpoint' && this.phaseTime >= 0) {
      const found = this.unsettled(event, index);
      if (found !== null) return found;
    }
    return this.phaseTime < 0 ? null : this.overdue(time);
  }

  /**
   * What observe() does for an event of no type it acts on (a message event, say), at `time` (read
   * by the caller): note the time and, in the phase, judge the deadlines.
   */
  observeOther(time: number): Violation | null {
    this.lastTime = time;
    return this.phaseTime < 0 ? null : this.overdue(time);
  }

  finish(): Violation | null {
    if (this.phaseTime < 0) return null;
    if (!this.leaderElected) return this.noLeader();
    return this.overdue(this.lastTime);
  }

  private startPhase(time: number, index: number): void {
    this.phaseTime = time;
    this.phaseEvent = index;
    this.leaderElected = this.view.nodes().some((node) => this.view.up[node] === true && this.view.roles[node] === 'leader');
    for (const [key, call] of this.pending) this.enqueue(key, time + this.boundMs, call.event);
  }

  private enqueue(key: number, deadline: number, event: number): void {
    this.queueKeys.push(key);
    this.queueDeadlines.push(deadline);
    this.queueEvents.push(event);
  }

  private leaderDeadline(): number {
    return this.phaseTime + this.boundMs;
  }

  /** The first obligation whose deadline is before `time`; returned operations are skipped once. */
  private overdue(time: number): Violation | null {
    if (!this.leaderElected && time > this.leaderDeadline()) return this.noLeader();
    // Nothing is overdue before the head's deadline, returned or not (the others' come later).
    if (this.queueHead < this.queueKeys.length && time <= this.queueDeadlines[this.queueHead]!) return null;
    while (this.queueHead < this.queueKeys.length) {
      const head = this.queueHead;
      const call = this.pending.get(this.queueKeys[head]!);
      if (call === undefined || call.event !== this.queueEvents[head]) {
        this.queueHead += 1;
        continue;
      }
      const deadline = this.queueDeadlines[head]!;
      if (time <= deadline) return null;
      return violation(this.name, time,
        `Client ${call.client}'s operation called at time ${call.time} had not returned by time ${deadline}, ` +
        `${this.boundMs} ms into the liveness phase that began at time ${this.phaseTime}.`,
        [this.phaseEvent, call.event]);
    }
    return null;
  }

  /**
   * The phase ended without settling. With a leader (one that lasted, under a kept cut) and the
   * work done, only a member left behind was missing: one still catching up (slow links, one
   * entry per message) is not stuck; one whose commit index has not moved for the last half of the
   * phase is. Without them under a kept cut, no leader held office long enough.
   */
  private unsettled(checkpoint: TraceEventOf<'checkpoint'>, index: number): Violation | null {
    const stable = this.keptCut === null || (checkpoint.leader !== null && checkpoint.heldMs >= this.stableMs);
    if (checkpoint.leader !== null && checkpoint.idle && stable) {
      const stalledMs = Math.floor(this.boundMs / 2);
      const behind = checkpoint.members.find(([, , commit, unmovedMs]) => commit < checkpoint.commit && unmovedMs >= stalledMs);
      if (behind === undefined) return null;
      const [node, term, commit, unmovedMs] = behind;
      return violation(this.name, checkpoint.time, `Node ${node} (term ${term}, commit ${commit}) stayed behind leader ${checkpoint.leader} `
        + `(term ${checkpoint.term}, commit ${checkpoint.commit}) with its commit index unmoved for the last `
        + `${unmovedMs} ms of the ${this.boundMs} ms liveness phase, though linked to it both ways.`, [this.phaseEvent, index]);
    }
    if (this.keptCut === null) return null;
    return violation(this.name, checkpoint.time, `No leader held office for ${this.stableMs} ms with all client work done within `
      + `${this.boundMs} ms of the liveness phase, under a partial partition that leaves a connected quorum `
      + `(${describeKeptCut(this.keptCut)}, kept through the liveness phase: a node that keeps timing out must not `
      + `depose a leader the quorum hears, which takes PreVote and CheckQuorum together).`, [this.phaseEvent, index]);
  }

  private noLeader(): Violation {
    return violation(this.name, this.lastTime,
      `No leader was elected within ${this.boundMs} ms of the liveness phase that began at time ${this.phaseTime}.`,
      [this.phaseEvent]);
  }
}

/** The partition the liveness phase keeps, in words: who cannot hear whom. */
function describeKeptCut(cut: TraceEventOf<'partition'>): string {
  const deaf = new Set(cut.cut.map(([, to]) => to));
  const links = cut.cut.map(([from, to]) => `${from}->${to}`).join(', ');
  return deaf.size === 1 ? `node ${[...deaf][0]} hears no one but can still send; cut links ${links}` : `cut links ${links}`;
}

/** A liveness checkpoint in words, for the event lists of the replay, the report and the scenarios. */
export function describeCheckpoint(event: TraceEventOf<'checkpoint'>): string {
  const leader = event.leader === null ? 'no leader' : `leader n${event.leader} (term ${event.term}, commit ${event.commit}, held ${event.heldMs} ms)`;
  const members = event.members.map(([node, , commit, unmovedMs]) => `n${node} commit ${commit} unmoved ${unmovedMs} ms`).join(', ');
  return `liveness checkpoint: ${leader}, work ${event.idle ? 'done' : 'pending'}${members === '' ? '' : `; ${members}`}`;
}
