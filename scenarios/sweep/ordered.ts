// Results of a pool come back in any order; a sweep prints them in seed order. Holds the ones that
// arrived early until the gap before them fills. The pool's window bounds how many wait here.
export class InOrder<T> {
  private readonly waiting = new Map<number, T>();

  constructor(private next: number) {}

  /** Adds the result for `position` and returns every result now ready, in order. */
  put(position: number, value: T): T[] {
    if (position < this.next || this.waiting.has(position)) throw new Error(`result ${position} arrived twice`);
    this.waiting.set(position, value);
    const ready: T[] = [];
    for (let value = this.waiting.get(this.next); value !== undefined; value = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      ready.push(value);
      this.next++;
    }
    return ready;
  }

  /** After an interrupt: the results that finished past a gap, in order. */
  rest(): T[] {
    const positions = [...this.waiting.keys()].sort((a, b) => a - b);
    const values = positions.map((position) => this.waiting.get(position) as T);
    this.waiting.clear();
    return values;
  }

  get size(): number {
    return this.waiting.size;
  }
}
