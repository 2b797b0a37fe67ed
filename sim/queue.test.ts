import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { EventQueue } from './queue.ts';

/** The naive model: a list kept sorted by (time, push order) with a linear insertion. */
class SortedListQueue<T> {
  private readonly items: { time: number; order: number; payload: T }[] = [];
  private pushes = 0;
  push(time: number, payload: T): void {
    const order = this.pushes++;
    let at = this.items.length;
    while (at > 0 && (this.items[at - 1]?.time ?? 0) > time) at--;
    this.items.splice(at, 0, { time, order, payload });
  }
  pop(): { time: number; payload: T } | undefined {
    const first = this.items.shift();
    return first === undefined ? undefined : { time: first.time, payload: first.payload };
  }
  peekTime(): number | undefined {
    return this.items[0]?.time;
  }
  get size(): number {
    return this.items.length;
  }
}

function drain<T>(queue: EventQueue<T>): { time: number; payload: T }[] {
  const out: { time: number; payload: T }[] = [];
  for (let event = queue.pop(); event !== undefined; event = queue.pop()) out.push(event);
  return out;
}

describe('EventQueue', () => {
  it('meanDepth is the mean size just before each pop', () => {
    const queue = new EventQueue<number>();
    expect(queue.meanDepth).toBe(0);
    for (const time of [5, 1, 3]) queue.push(time, time);
    queue.popPayload(); // 3 pending
    queue.push(9, 9);
    queue.popPayload(); // 3 pending
    queue.popPayload(); // 2 pending
    queue.popPayload(); // 1 pending
    queue.popPayload(); // empty: no pop counted
    expect(queue.meanDepth).toBe((3 + 3 + 2 + 1) / 4);
  });

  it('is empty at first', () => {
    const queue = new EventQueue<string>();
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
    expect(queue.popPayload()).toBeUndefined();
    expect(queue.peekTime()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it('pops by time, then in push order among equal times', () => {
    const queue = new EventQueue<string>();
    queue.push(5, 'e1');
    queue.push(1, 'a1');
    queue.push(5, 'e2');
    queue.push(3, 'c1');
    queue.push(1, 'a2');
    queue.push(5, 'e3');
    queue.push(0.5, 'half');
    expect(queue.size).toBe(7);
    expect(queue.peekTime()).toBe(0.5);
    expect(drain(queue).map((event) => `${event.time}:${event.payload}`))
      .toEqual(['0.5:half', '1:a1', '1:a2', '3:c1', '5:e1', '5:e2', '5:e3']);
    expect(queue.size).toBe(0);
  });

  it('keeps push order among 1000 events at one time, pushed between pops', () => {
    const queue = new EventQueue<number>();
    const popped: number[] = [];
    for (let index = 0; index < 1000; index++) {
      queue.push(7, index);
      if (index % 3 === 2) popped.push(queue.popPayload() as number);
    }
    while (queue.size > 0) popped.push(queue.popPayload() as number);
    expect(popped).toEqual(Array.from({ length: 1000 }, (_, index) => index));
  });

  it('returns increasing sequence numbers from push, also across clear', () => {
    const queue = new EventQueue<null>();
    const first = queue.push(3, null);
    const second = queue.push(1, null);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.push(0, null)).toBeGreaterThan(second);
    expect(second).toBeGreaterThan(first);
  });

  it('refuses non-finite times and pushes past capacityMax', () => {
    const queue = new EventQueue<number>({ capacityMax: 2 });
    expect(() => queue.push(Number.NaN, 0)).toThrow(/finite/);
    expect(() => queue.push(Number.POSITIVE_INFINITY, 0)).toThrow(/finite/);
    queue.push(1, 1);
    queue.push(2, 2);
    expect(() => queue.push(3, 3)).toThrow(/full \(capacityMax 2\)/);
    queue.pop();
    queue.push(3, 3);
    expect(drain(queue).map((event) => event.payload)).toEqual([2, 3]);
    expect(() => new EventQueue({ capacityMax: 0 })).toThrow(/capacityMax/);
  });
});

// Operations: a number pushes an event at that time, null pops one.
const operationsArbitrary = fc.array(
  fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 20 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
  { maxLength: 300 },
);

describe('EventQueue against a sorted list', () => {
  test.prop([operationsArbitrary])('pops exactly what the naive queue pops', (operations) => {
    const queue = new EventQueue<number>();
    const model = new SortedListQueue<number>();
    operations.forEach((operation, index) => {
      if (operation === null) {
        expect(queue.peekTime()).toBe(model.peekTime());
        expect(queue.pop()).toEqual(model.pop());
      } else {
        queue.push(operation, index);
        model.push(operation, index);
      }
      expect(queue.size).toBe(model.size);
      queue.assertInvariants();
    });
    const rest: (number | undefined)[] = [];
    while (model.size > 0) rest.push(model.pop()?.payload);
    expect(drain(queue).map((event) => event.payload)).toEqual(rest);
  });
});
