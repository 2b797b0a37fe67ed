// The search's memory of configurations already explored: (set of linearized operations, model
// state). The set is a bitset with a Zobrist hash kept up to date in O(1) per change; the table
// is open hashing over flat typed arrays, because millions of small objects would cost more
// memory than the bits themselves.
//
// An entry stores the set exactly but compactly. Operations with a finite return get the low bit
// positions in call order, open ones (return +infinity) the high ones. The finite words below the
// first one with a bit clear are all ones and those after the last one with a bit set are zero, so
// an entry keeps only the finite words between, plus the open words. Just-in-time linearization
// keeps that window short: an operation is taken only while its call precedes every remaining
// return, so a finite operation left out below one taken overlaps it in time. A long history of n
// operations then costs about n short entries, not n entries of n bits (quadratic: 70,000
// operations on one key took more than a gigabyte).
import { assert } from '../../core/index.ts';
import type { Model } from './model.ts';

type StateEquality<State> = Pick<Model<State>, 'hash' | 'equal'>;

const EMPTY = -1;
const INITIAL_CAPACITY = 1 << 12;
const FULL = 0xffffffff;

/** 32-bit xorshift from a fixed seed: the same keys every run, no ambient randomness. */
function zobristKeys(count: number): Int32Array {
  const keys = new Int32Array(count);
  let x = 0x9e3779b9 | 0;
  for (let index = 0; index < count; index++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    keys[index] = x;
  }
  return keys;
}

export class StateCache<State> {
  /** The linearized set of the search's current configuration: finite words, then open words. */
  private readonly current: Uint32Array;
  private currentHash = 0;
  /** Bit position of each operation (finite ones first, in order; then open ones). */
  private readonly positions: Int32Array;
  private readonly finiteWords: number;
  private readonly openWords: number;
  /** The value of the last finite word when all its operations are linearized. */
  private readonly lastFiniteMask: number;
  /** Finite words below `low` are full; finite words from `high` on are empty; low <= high. */
  private low = 0;
  private high = 0;
  // Entry i: its combined hash, the next entry in its bucket, where its words start in the pool,
  // its `low` and the number of finite words it keeps; then its state.
  private entryHashes = new Int32Array(INITIAL_CAPACITY);
  private chain = new Int32Array(INITIAL_CAPACITY);
  private offsets = new Int32Array(INITIAL_CAPACITY);
  private lows = new Int32Array(INITIAL_CAPACITY);
  private spans = new Int32Array(INITIAL_CAPACITY);
  private pool: Uint32Array;
  private poolUsed = 0;
  private readonly states: State[] = [];
  private buckets = new Int32Array(INITIAL_CAPACITY).fill(EMPTY);
  private count = 0;

  /**
   * `open[i]` is 1 when operation i is open until +infinity; absent means none is. Tests pass
   * degenerate `zobrist` keys to make every set collide, so that only the exact comparison decides.
   */
  constructor(
    private readonly model: StateEquality<State>, operationCount: number, open?: ArrayLike<number>,
    private readonly zobrist: Int32Array = zobristKeys(operationCount),
  ) {
    assert(zobrist.length >= operationCount, 'a Zobrist key for every operation');
    this.positions = new Int32Array(operationCount);
    let finite = 0;
    for (let operation = 0; operation < operationCount; operation++) if (open?.[operation] !== 1) this.positions[operation] = finite++;
    let next = Math.ceil(finite / 32) * 32;
    for (let operation = 0; operation < operationCount; operation++) if (open?.[operation] === 1) this.positions[operation] = next++;
    this.finiteWords = Math.ceil(finite / 32);
    this.openWords = Math.ceil((operationCount - finite) / 32);
    this.lastFiniteMask = finite % 32 === 0 ? FULL : (2 ** (finite % 32) - 1);
    this.current = new Uint32Array(this.finiteWords + this.openWords);
    this.pool = new Uint32Array(INITIAL_CAPACITY * (this.openWords + 2));
  }

  get size(): number {
    return this.count;
  }

  /** 32-bit words the entries' sets take (the table's memory beyond its fixed cost per entry). */
  get words(): number {
    return this.poolUsed;
  }

  /**
   * If (current set + operation, state) is new, remember it, add the operation to the current
   * set and return true; otherwise return false and change nothing.
   */
  addIfAbsent(operation: number, state: State): boolean {
    const setHash = this.currentHash ^ (this.zobrist[operation] ?? 0);
    const stateHash = this.model.hash(state);
    const hash = setHash ^ Math.imul(stateHash ^ (stateHash >>> 15), 0x2c1b3c6d);
    const bucket = hash & (this.buckets.length - 1);
    let marked = false;
    for (let candidate = this.buckets[bucket]!; candidate !== EMPTY; candidate = this.chain[candidate]!) {
      if (this.entryHashes[candidate] !== hash) continue;
      // Compare with the set that includes the operation: mark it, and take it back on a match.
      if (!marked) this.setBit(operation);
      marked = true;
      if (this.sameSet(candidate) && this.model.equal(this.states[candidate] as State, state)) {
        this.clearBit(operation);
        return false;
      }
    }
    if (!marked) this.setBit(operation);
    this.currentHash = setHash;
    this.append(hash, state);
    return true;
  }

  unmark(operation: number): void {
    this.clearBit(operation);
    this.currentHash ^= this.zobrist[operation] ?? 0;
  }

  private setBit(operation: number): void {
    const position = this.positions[operation]!;
    const word = position >>> 5;
    const bit = (1 << (position & 31)) >>> 0;
    assert((this.current[word]! & bit) === 0, 'an operation is linearized twice');
    this.current[word]! |= bit;
    if (word >= this.finiteWords) return;
    if (word >= this.high) this.high = word + 1;
    // Bounded by the finite words.
    while (this.low < this.finiteWords && this.current[this.low] === this.fullWord(this.low)) this.low++;
  }

  private clearBit(operation: number): void {
    const position = this.positions[operation]!;
    const word = position >>> 5;
    const bit = (1 << (position & 31)) >>> 0;
    assert((this.current[word]! & bit) !== 0, 'unmarking an operation that is not linearized');
    this.current[word]! &= ~bit;
    if (word >= this.finiteWords) return;
    if (word < this.low) this.low = word;
    // Bounded by the words between low and high.
    while (this.high > this.low && this.current[this.high - 1] === 0) this.high--;
  }

  private fullWord(word: number): number {
    return word === this.finiteWords - 1 ? this.lastFiniteMask : FULL;
  }

  /** The current set equals the entry's: same low, same finite words from there, same open words. */
  private sameSet(entry: number): boolean {
    const span = this.high - this.low;
    if (this.lows[entry] !== this.low || this.spans[entry] !== span) return false;
    const base = this.offsets[entry]!;
    for (let index = 0; index < span; index++) if (this.pool[base + index] !== this.current[this.low + index]) return false;
    const openBase = base + span;
    for (let index = 0; index < this.openWords; index++) {
      if (this.pool[openBase + index] !== this.current[this.finiteWords + index]) return false;
    }
    return true;
  }

  /** Store the current set (already including the new operation) with `state`. */
  private append(hash: number, state: State): void {
    if (this.count === this.entryHashes.length) this.grow();
    const span = this.high - this.low;
    const length = span + this.openWords;
    if (this.poolUsed + length > this.pool.length) this.growPool(length);
    const entry = this.count++;
    this.entryHashes[entry] = hash;
    this.offsets[entry] = this.poolUsed;
    this.lows[entry] = this.low;
    this.spans[entry] = span;
    this.pool.set(this.current.subarray(this.low, this.high), this.poolUsed);
    this.pool.set(this.current.subarray(this.finiteWords), this.poolUsed + span);
    this.poolUsed += length;
    this.states.push(state);
    const bucket = hash & (this.buckets.length - 1);
    this.chain[entry] = this.buckets[bucket]!;
    this.buckets[bucket] = entry;
  }

  private growPool(needed: number): void {
    const pool = new Uint32Array(Math.max(this.pool.length * 2, this.poolUsed + needed));
    pool.set(this.pool.subarray(0, this.poolUsed));
    this.pool = pool;
  }

  private grow(): void {
    const capacity = this.entryHashes.length * 2;
    const widen = (old: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const wider = new Int32Array(capacity);
      wider.set(old);
      return wider;
    };
    this.entryHashes = widen(this.entryHashes);
    this.offsets = widen(this.offsets);
    this.lows = widen(this.lows);
    this.spans = widen(this.spans);
    this.chain = new Int32Array(capacity);
    // Rehash into twice as many buckets: chains stay about one entry long.
    this.buckets = new Int32Array(capacity).fill(EMPTY);
    for (let entry = 0; entry < this.count; entry++) {
      const bucket = this.entryHashes[entry]! & (capacity - 1);
      this.chain[entry] = this.buckets[bucket]!;
      this.buckets[bucket] = entry;
    }
  }
}
