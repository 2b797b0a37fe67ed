// The search's memory of configurations already explored: (set of linearized operations, model
// state). The set is a bitset with a Zobrist hash kept up to date in O(1) per change; the table
// is open hashing over flat typed arrays, because millions of small objects would cost more
// memory than the bits themselves.
import { assert } from '../../core/index.ts';
import type { Model } from './model.ts';

type StateEquality<State> = Pick<Model<State>, 'hash' | 'equal'>;

const EMPTY = -1;
const INITIAL_CAPACITY = 1 << 12;

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
  /** The linearized set of the search's current configuration. */
  private readonly current: Uint32Array;
  private currentHash = 0;
  private readonly words: number;
  private readonly zobrist: Int32Array;
  // Entry i: its combined hash, the next entry in its bucket, its bits and its state.
  private entryHashes = new Int32Array(INITIAL_CAPACITY);
  private chain = new Int32Array(INITIAL_CAPACITY);
  private bits: Uint32Array;
  private readonly states: State[] = [];
  private buckets = new Int32Array(INITIAL_CAPACITY).fill(EMPTY);
  private count = 0;

  constructor(private readonly model: StateEquality<State>, operationCount: number) {
    this.words = Math.max(1, Math.ceil(operationCount / 32));
    this.current = new Uint32Array(this.words);
    this.zobrist = zobristKeys(operationCount);
    this.bits = new Uint32Array(INITIAL_CAPACITY * this.words);
  }

  get size(): number {
    return this.count;
  }

  /**
   * If (current set + operation, state) is new, remember it, add the operation to the current
   * set and return true; otherwise return false and change nothing.
   */
  addIfAbsent(operation: number, state: State): boolean {
    const setHash = this.currentHash ^ (this.zobrist[operation] ?? 0);
    const stateHash = this.model.hash(state);
    const hash = setHash ^ Math.imul(stateHash ^ (stateHash >>> 15), 0x2c1b3c6d);
    const word = operation >>> 5;
    const bit = 1 << (operation & 31);
    assert((this.current[word]! & bit) === 0, 'an operation is linearized twice');
    const bucket = hash & (this.buckets.length - 1);
    for (let candidate = this.buckets[bucket]!; candidate !== EMPTY; candidate = this.chain[candidate]!) {
      if (this.entryHashes[candidate] === hash && this.sameBits(candidate, word, bit)
        && this.model.equal(this.states[candidate] as State, state)) return false;
    }
    this.current[word]! |= bit;
    this.currentHash = setHash;
    this.append(hash, state);
    return true;
  }

  unmark(operation: number): void {
    const word = operation >>> 5;
    const bit = 1 << (operation & 31);
    assert((this.current[word]! & bit) !== 0, 'unmarking an operation that is not linearized');
    this.current[word]! &= ~bit;
    this.currentHash ^= this.zobrist[operation] ?? 0;
  }

  private sameBits(entry: number, word: number, bit: number): boolean {
    const base = entry * this.words;
    for (let index = 0; index < this.words; index++) {
      const expected = index === word ? (this.current[index]! | bit) >>> 0 : this.current[index]!;
      if (this.bits[base + index] !== expected) return false;
    }
    return true;
  }

  /** Store the current set (already including the new operation) with `state`. */
  private append(hash: number, state: State): void {
    if (this.count === this.entryHashes.length) this.grow();
    const entry = this.count++;
    this.entryHashes[entry] = hash;
    const base = entry * this.words;
    for (let index = 0; index < this.words; index++) this.bits[base + index] = this.current[index]!;
    this.states.push(state);
    const bucket = hash & (this.buckets.length - 1);
    this.chain[entry] = this.buckets[bucket]!;
    this.buckets[bucket] = entry;
  }

  private grow(): void {
    const capacity = this.entryHashes.length * 2;
    const hashes = new Int32Array(capacity);
    hashes.set(this.entryHashes);
    this.entryHashes = hashes;
    this.chain = new Int32Array(capacity);
    const bits = new Uint32Array(capacity * this.words);
    bits.set(this.bits);
    this.bits = bits;
    // Rehash into twice as many buckets: chains stay about one entry long.
    this.buckets = new Int32Array(capacity).fill(EMPTY);
    for (let entry = 0; entry < this.count; entry++) {
      const bucket = this.entryHashes[entry]! & (capacity - 1);
      this.chain[entry] = this.buckets[bucket]!;
      this.buckets[bucket] = entry;
    }
  }
}
