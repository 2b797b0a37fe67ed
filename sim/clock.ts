// The simulator's one clock (docs/design.md, "Determinism"): virtual time that only the event loop
// moves, forward, to the time of the event it is about to run.
import { assert } from '../core/index.ts';

export class VirtualClock {
  /** Invariant: finite, >= 0, never decreases. */
  private current: number;

  constructor(start = 0) {
    assert(Number.isFinite(start), `clock start must be finite, got ${start}`);
    assert(start >= 0, `clock start must be >= 0, got ${start}`);
    this.current = start;
  }

  /** Virtual time; the simulator counts it in milliseconds. */
  get now(): number {
    return this.current;
  }

  /** Move to `time`; staying put is allowed (several events at one time), going back is a bug. */
  advanceTo(time: number): void {
    // Messages are built only on failure: this runs for every event.
    if (!Number.isFinite(time)) assert(false, `clock cannot advance to ${time}`);
    if (time < this.current) assert(false, `clock must never go backwards: now ${this.current}, asked ${time}`);
    this.current = time;
  }

  advanceBy(delta: number): void {
    assert(delta >= 0, `clock advance must be >= 0, got ${delta}`);
    this.advanceTo(this.current + delta);
  }
}
