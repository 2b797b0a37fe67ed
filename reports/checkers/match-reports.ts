// The successful AppendEntriesReply messages on the wire, by message id, for the invariants
// checker: an open-addressing hash table (linear probing, backward-shift deletion) over number
// arrays. About one message in two is such a reply, so a Map of one object per reply allocated and
// hashed on every send and looked up on every delivery; this table allocates only when it grows.

const EMPTY = 0;
const USED = 1;
const INITIAL_CAPACITY = 64;

export class MatchReports {
  private capacity = INITIAL_CAPACITY;
  private mask = INITIAL_CAPACITY - 1;
  /** 32 - log2(capacity): home() keeps the top bits of the hash. */
  private shift = 32 - Math.log2(INITIAL_CAPACITY);
  private count = 0;
  private state = new Uint8Array(INITIAL_CAPACITY);
  private ids = new Float64Array(INITIAL_CAPACITY);
  private froms = new Float64Array(INITIAL_CAPACITY);
  private terms = new Float64Array(INITIAL_CAPACITY);
  private matchIndexes = new Float64Array(INITIAL_CAPACITY);
  private sendEvents = new Float64Array(INITIAL_CAPACITY);
  /** Copies of the message still on their way (a duplicated message has one id and several copies). */
  private copies = new Float64Array(INITIAL_CAPACITY);

  /** Reports on the wire. */
  get size(): number {
    return this.count;
  }

  /** Records message `id` with one copy on its way (replacing a record of the same id). */
  add(id: number, from: number, term: number, matchIndex: number, sendEvent: number): void {
    if ((this.count + 1) * 2 > this.capacity) this.grow();
    let slot = this.home(id);
    while (this.state[slot] === USED && this.ids[slot] !== id) slot = (slot + 1) & this.mask;
    if (this.state[slot] !== USED) this.count += 1;
    this.state[slot] = USED;
    this.ids[slot] = id;
    this.froms[slot] = from;
    this.terms[slot] = term;
    this.matchIndexes[slot] = matchIndex;
    this.sendEvents[slot] = sendEvent;
    this.copies[slot] = 1;
  }

  /** The slot of message `id`, or -1; valid until the next add or arrival. */
  find(id: number): number {
    let slot = this.home(id);
    while (this.state[slot] === USED) {
      if (this.ids[slot] === id) return slot;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  from(slot: number): number { return this.froms[slot] as number; }
  term(slot: number): number { return this.terms[slot] as number; }
  matchIndex(slot: number): number { return this.matchIndexes[slot] as number; }
  sendEvent(slot: number): number { return this.sendEvents[slot] as number; }
  copiesOf(slot: number): number { return this.copies[slot] as number; }

  /** One more copy of message `id` is on its way (nothing if it is not recorded). */
  duplicated(id: number): void {
    const slot = this.find(id);
    if (slot >= 0) this.copies[slot] = (this.copies[slot] as number) + 1;
  }

  /** One copy of message `id` arrived or was lost: its record goes when no copy is left. */
  arrived(id: number): void {
    const slot = this.find(id);
    if (slot >= 0) this.arrivedAt(slot);
  }

  /** arrived() for the slot find() just gave (no second lookup). */
  arrivedAt(slot: number): void {
    const left = (this.copies[slot] as number) - 1;
    this.copies[slot] = left;
    if (left === 0) this.remove(slot);
  }

  /** Empties `slot`, moving back the entries after it that probed past it (no tombstones). */
  private remove(slot: number): void {
    let hole = slot;
    let next = (slot + 1) & this.mask;
    while (this.state[next] === USED) {
      const home = this.home(this.ids[next] as number);
      // The entry at `next` may fill the hole if its home is not cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!between) {
        this.move(next, hole);
        hole = next;
      }
      next = (next + 1) & this.mask;
    }
    this.state[hole] = EMPTY;
    this.count -= 1;
  }

  private move(from: number, to: number): void {
    this.state[to] = USED;
    this.ids[to] = this.ids[from] as number;
    this.froms[to] = this.froms[from] as number;
    this.terms[to] = this.terms[from] as number;
    this.matchIndexes[to] = this.matchIndexes[from] as number;
    this.sendEvents[to] = this.sendEvents[from] as number;
    this.copies[to] = this.copies[from] as number;
  }

  /** Fibonacci hashing: the top bits of the id times 2^32 / phi. */
  private home(id: number): number {
    // Message ids are small integers; any other number only collides more (the id decides a match).
    const word = (id | 0) ^ ((id / 4294967296) | 0);
    return Math.imul(word, 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const old = { state: this.state, ids: this.ids, froms: this.froms, terms: this.terms, matchIndexes: this.matchIndexes, sendEvents: this.sendEvents, copies: this.copies };
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.shift -= 1;
    this.state = new Uint8Array(this.capacity);
    this.ids = new Float64Array(this.capacity);
    this.froms = new Float64Array(this.capacity);
    this.terms = new Float64Array(this.capacity);
    this.matchIndexes = new Float64Array(this.capacity);
    this.sendEvents = new Float64Array(this.capacity);
    this.copies = new Float64Array(this.capacity);
    this.count = 0;
    for (let slot = 0; slot < oldCapacity; slot++) {
      if (old.state[slot] !== USED) continue;
      const id = old.ids[slot] as number;
      this.add(id, old.froms[slot] as number, old.terms[slot] as number, old.matchIndexes[slot] as number, old.sendEvents[slot] as number);
      this.copies[this.find(id)] = old.copies[slot] as number;
    }
  }
}
