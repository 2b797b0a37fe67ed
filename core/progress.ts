// What a leader knows about one follower's log, and the flow control of appends to it
// (etcd's Progress and Inflights): probe sends one append at a time until the follower's
// position is known, replicate pipelines up to maxInflightMessages, snapshot waits for one.
import { assert } from './assert.ts';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A ring of the last indexes of appends in flight, oldest first. */
export class Inflights {
  private readonly lastIndexes: number[];
  private start = 0;
  count = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) assert(false, `maxInflightMessages must be >= 1, got ${capacity}`);
    this.lastIndexes = new Array<number>(capacity).fill(0);
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  add(lastIndex: number): void {
    assert(!this.full(), 'inflight appends exceed maxInflightMessages');
    this.lastIndexes[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Frees every append whose last index is at or below index (they are acknowledged). */
  freeUpTo(index: number): void {
    while (this.count > 0 && (this.lastIndexes[this.start] as number) <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

export class Progress {
  /** Highest index known to match the leader's log. Invariant: match < next. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is out and unanswered, so send no other until a reply or heartbeat. */
  probeSent = false;
  /** In snapshot state: the index of the snapshot sent, and the tick it was sent at. */
  pendingSnapshot = 0;
  snapshotSentTick = 0;
  readonly inflights: Inflights;
  /** Leader tick at which a message from this follower last arrived (CheckQuorum, leases). */
  lastHeardTick: number;
  /** Highest heartbeat round the follower echoed (ReadIndex). */
  ackedRound = 0;
  /** Tick at which match last moved or the pipeline last went from empty to busy. */
  lastProgressTick: number;
  /** In replicate: the follower refused an append of the pipeline for a gap before it (one overtaken or lost). */
  gapReported = false;

  constructor(next: number, maxInflight: number, now: number) {
    if (next < 1) assert(false, `next must be >= 1, got ${next}`);
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.lastHeardTick = now;
    this.lastProgressTick = now;
  }

  /**
   * In replicate state with appends outstanding, and a gap reported or no progress for
   * stallTicks: some were refused or lost.
   */
  isStalled(now: number, stallTicks: number): boolean {
    return this.state === 'replicate' && this.match + 1 < this.next && (this.gapReported || now - this.lastProgressTick >= stallTicks);
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
      default: {
        const never: never = this.state;
        return never;
      }
    }
  }

  /** Raises match (never lowers it); returns whether it moved. */
  maybeUpdate(match: number, now: number): boolean {
    if (match <= this.match) return false;
    this.match = match;
    if (this.next <= match) this.next = match + 1;
    this.inflights.freeUpTo(match);
    this.lastProgressTick = now;
    return true;
  }

  becomeProbe(next: number): void {
    if (next <= this.match) assert(false, `probe next ${next} must be above match ${this.match}`);
    this.state = 'probe';
    this.next = next;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.gapReported = false;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.gapReported = false;
    this.inflights.reset();
  }

  becomeSnapshot(snapshotIndex: number, now: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = snapshotIndex;
    this.snapshotSentTick = now;
    this.gapReported = false;
    this.inflights.reset();
  }

  /** After an append of entries up to lastIndex was sent. */
  sentEntries(lastIndex: number, now: number): void {
    switch (this.state) {
      case 'replicate':
        if (this.match + 1 === this.next) this.lastProgressTick = now;
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
        return;
      case 'probe':
        this.probeSent = true;
        return;
      case 'snapshot':
        assert(false, 'no appends are sent while a snapshot is pending');
        return;
      default: {
        const never: never = this.state;
        return never;
      }
    }
  }
}
