// The event loop's priority queue (docs/design.md, "Event loop"): events ordered by (time,
// sequence), the sequence assigned at push, so events at the same time run in the order they were
// scheduled.
//
// A binary min-heap kept in three parallel arrays (time, sequence, payload) rather than one array
// of wrapper objects: a push allocates nothing once the arrays have grown, and the comparisons
// read two packed number arrays. Sifting moves a "hole" instead of swapping, halving the writes.
import { assert } from '../core/index.ts';

export interface QueuedEvent<T> {
  readonly time: number;
  readonly payload: T;
}

export interface EventQueueOptions {
  /** Pushing beyond this many pending events is an error (docs/style.md, rule 7: limit everything). */
  readonly capacityMax?: number;
}

export const EVENT_QUEUE_CAPACITY_MAX = 1 << 24;

export class EventQueue<T> {
  // Invariant: the three arrays have `count` live slots; for every slot i > 0, the key
  // (times[i], sequences[i]) is not smaller than its parent's at (i - 1) >> 1.
  private readonly times: number[] = [];
  private readonly sequences: number[] = [];
  private readonly payloads: (T | undefined)[] = [];
  private count = 0;
  private nextSequence = 0;
  /** Events popped, and the sum of the queue's size just before each pop (see meanDepth). */
  private pops = 0;
  private depthSum = 0;
  private readonly capacityMax: number;

  constructor(options: EventQueueOptions = {}) {
    this.capacityMax = options.capacityMax ?? EVENT_QUEUE_CAPACITY_MAX;
    assert(Number.isSafeInteger(this.capacityMax) && this.capacityMax >= 1, `capacityMax must be an integer >= 1, got ${this.capacityMax}`);
  }

  get size(): number {
    return this.count;
  }

  /** The mean number of pending events at a pop (0 before the first): the depth a pop sifts through. */
  get meanDepth(): number {
    return this.pops === 0 ? 0 : this.depthSum / this.pops;
  }

  /** Schedule `payload` at `time`; returns the sequence number that breaks ties with other events at that time. */
  push(time: number, payload: T): number {
    // Asserts on the hot path build their message only on failure.
    if (!(time - time === 0)) assert(false, `event time must be finite, got ${time}`);
    if (this.count >= this.capacityMax) assert(false, `event queue is full (capacityMax ${this.capacityMax})`);
    const sequence = this.nextSequence++;
    this.siftUp(this.count++, time, sequence, payload);
    return sequence;
  }

  /** The earliest event (first pushed among equal times), or undefined when empty. */
  pop(): QueuedEvent<T> | undefined {
    if (this.count === 0) return undefined;
    const time = this.times[0] as number;
    return { time, payload: this.popPayload() as T };
  }

  /**
   * The earliest event's payload without the wrapper object, for the hot loop: read peekTime()
   * first. Undefined when empty (ambiguous only if T itself admits undefined).
   */
  popPayload(): T | undefined {
    if (this.count === 0) return undefined;
    const payload = this.payloads[0];
    this.pops++;
    this.depthSum += this.count;
    const last = --this.count;
    if (last > 0) {
      this.siftDown(0, this.times[last] as number, this.sequences[last] as number, this.payloads[last] as T);
    }
    this.payloads[last] = undefined; // let the payload be collected
    return payload;
  }

  /** The time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.count === 0 ? undefined : this.times[0];
  }

  peek(): QueuedEvent<T> | undefined {
    if (this.count === 0) return undefined;
    return { time: this.times[0] as number, payload: this.payloads[0] as T };
  }

  clear(): void {
    this.times.length = 0;
    this.sequences.length = 0;
    this.payloads.length = 0;
    this.count = 0;
  }

  /** Check the heap order of every slot; for tests and for debugging a run, O(size). */
  assertInvariants(): void {
    for (let index = 1; index < this.count; index++) {
      const parent = (index - 1) >> 1;
      assert(!this.less(index, parent), `event queue heap order broken at slot ${index}`);
    }
  }

  private less(left: number, right: number): boolean {
    const leftTime = this.times[left] as number;
    const rightTime = this.times[right] as number;
    return leftTime < rightTime || (leftTime === rightTime && (this.sequences[left] as number) < (this.sequences[right] as number));
  }

  private siftUp(start: number, time: number, sequence: number, payload: T): void {
    const times = this.times;
    const sequences = this.sequences;
    const payloads = this.payloads;
    let hole = start;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const parentTime = times[parent] as number;
      // A new event has the largest sequence so far: on equal times it never moves above.
      if (parentTime <= time) break;
      times[hole] = parentTime;
      sequences[hole] = sequences[parent] as number;
      payloads[hole] = payloads[parent];
      hole = parent;
    }
    times[hole] = time;
    sequences[hole] = sequence;
    payloads[hole] = payload;
  }

  private siftDown(start: number, time: number, sequence: number, payload: T): void {
    const times = this.times;
    const sequences = this.sequences;
    const payloads = this.payloads;
    const count = this.count;
    let hole = start;
    while (true) {
      let child = 2 * hole + 1;
      if (child >= count) break;
      const right = child + 1;
      let childTime = times[child] as number;
      if (right < count) {
        const rightTime = times[right] as number;
        if (rightTime < childTime || (rightTime === childTime && (sequences[right] as number) < (sequences[child] as number))) {
          child = right;
          childTime = rightTime;
        }
      }
      if (childTime > time || (childTime === time && (sequences[child] as number) > sequence)) break;
      times[hole] = childTime;
      sequences[hole] = sequences[child] as number;
      payloads[hole] = payloads[child];
      hole = child;
    }
    times[hole] = time;
    sequences[hole] = sequence;
    payloads[hole] = payload;
  }
}
