import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.ts';

describe('VirtualClock', () => {
  it('starts at 0 or at the given time and moves forward', () => {
    const clock = new VirtualClock();
    expect(clock.now).toBe(0);
    clock.advanceTo(5);
    clock.advanceTo(5);
    clock.advanceBy(2.5);
    expect(clock.now).toBe(7.5);
    expect(new VirtualClock(100).now).toBe(100);
  });

  it('refuses to go backwards and keeps its time when it refuses', () => {
    const clock = new VirtualClock(10);
    expect(() => clock.advanceTo(9)).toThrow(/never go backwards: now 10, asked 9/);
    expect(() => clock.advanceBy(-1)).toThrow(/>= 0/);
    expect(clock.now).toBe(10);
  });

  it('refuses non-finite times', () => {
    const clock = new VirtualClock();
    expect(() => clock.advanceTo(Number.NaN)).toThrow(/cannot advance/);
    expect(() => clock.advanceTo(Number.POSITIVE_INFINITY)).toThrow(/cannot advance/);
    expect(() => new VirtualClock(-1)).toThrow(/>= 0/);
  });
});
