// Liveness after heal: once the liveness phase starts, a leader must be elected and every client
// operation pending then, or called later, must return within the bound. Checked on every event
// (the first event past a deadline reports it) and at the end of the run.
import type { TraceEvent } from '../../sim/events.ts';
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

  constructor(private readonly view: ClusterView, private readonly boundMs: number) {}

  observe(event: TraceEvent, index: number): Violation | null {
    this.lastTime = event.time;
    if (event.type === 'call') {
      const key = pairKey(event.client, event.op);
      this.pending.set(key, { client: event.client, time: event.time, event: index });
      if (this.phaseTime >= 0) this.enqueue(key, event.time + this.boundMs, index);
    } else if (event.type === 'return') {
      this.pending.delete(pairKey(event.client, event.op));
    } else if (event.type === 'phase' && event.phase === 'liveness' && this.phaseTime < 0) {
      this.startPhase(event.time, index);
    } else if (event.type === 'role' && event.role === 'leader' && this.phaseTime >= 0 && event.time <= this.leaderDeadline()) {
      this.leaderElected = true;
    }
    return this.phaseTime < 0 ? null : this.overdue(event.time);
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

  private noLeader(): Violation {
    return violation(this.name, this.lastTime,
      `No leader was elected within ${this.boundMs} ms of the liveness phase that began at time ${this.phaseTime}.`,
      [this.phaseEvent]);
  }
}
