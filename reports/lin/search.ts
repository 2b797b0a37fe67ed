// The search for one partition: Wing & Gong's backtracking with Lowe's just-in-time
// linearization, as Porcupine does it. Calls and returns sit in one doubly linked list in time
// order; linearizing an operation lifts its call and return out of the list, backtracking puts
// them back. A cache of (linearized set, model state) pairs already explored prunes the search.
// Iterative with an explicit stack, and resumable: `run(steps)` does at most `steps` steps, so a
// driver can interleave partitions under one budget.
import { assert } from '../../core/index.ts';
import type { Model, Operation } from './model.ts';
import { StateCache } from './cache.ts';

export type SearchStatus = 'running' | 'linearizable' | 'illegal';

const NONE = -1;

/** The deepest dead end the search reached: what it could linearize, and what it could not place. */
export interface DeadEnd<State> {
  /** Indexes into the partition's operations, in linearization order. */
  readonly prefix: readonly number[];
  /** The operation whose return the prefix could not get past: nothing legal was left to place. */
  readonly blocked: number;
  readonly state: State;
}

export class PartitionSearch<State, Input, Output> {
  status: SearchStatus = 'running';
  steps = 0;
  private readonly operationCount: number;
  private readonly inputs: Input[];
  private readonly outputs: Output[];
  // The list: entries 0 .. 2n-1 in time order, `head` is a sentinel before the first.
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly previous: Int32Array;
  /** For a call entry, its return entry; NONE for a return entry. */
  private readonly match: Int32Array;
  private readonly operationOf: Int32Array;
  /** 1 for an operation open until +infinity (its output is unknown). */
  private readonly open: Uint8Array;
  /** 1 for a read-only operation with a finite return (see `run`). */
  private readonly readOnly: Uint8Array;
  /** 1 where the stack frame linearized a read-only operation: nothing else is tried there. */
  private readonly forced: Uint8Array;
  // The explicit stack: call entries linearized so far and the state before each.
  private readonly stackEntries: Int32Array;
  private readonly stackStates: State[];
  private depth = 0;
  private state: State;
  private entry: number;
  private cache: StateCache<State>;
  private deepest: DeadEnd<State> | null = null;

  constructor(private readonly model: Model<State, Input, Output>, operations: readonly Operation<Input, Output>[]) {
    const count = operations.length;
    this.operationCount = count;
    this.inputs = operations.map((operation) => operation.input);
    this.outputs = operations.map((operation) => operation.output);
    this.head = 2 * count;
    this.next = new Int32Array(2 * count + 1);
    this.previous = new Int32Array(2 * count + 1);
    this.match = new Int32Array(2 * count).fill(NONE);
    this.operationOf = new Int32Array(2 * count);
    this.open = Uint8Array.from(operations, (operation) => (operation.return === Number.POSITIVE_INFINITY ? 1 : 0));
    this.readOnly = Uint8Array.from(operations, (operation, index) =>
      (this.open[index] === 0 && model.isReadOnly?.(operation.input, operation.output) === true ? 1 : 0));
    this.forced = new Uint8Array(count);
    this.stackEntries = new Int32Array(count);
    this.stackStates = new Array<State>(count);
    this.buildList(operations);
    this.state = model.init();
    this.entry = this.next[this.head] ?? NONE;
    this.cache = new StateCache(model, count, this.open);
  }

  private buildList(operations: readonly Operation<Input, Output>[]): void {
    const events: { time: number; isReturn: number; operation: number }[] = [];
    operations.forEach((operation, index) => {
      assert(operation.return >= operation.call, `operation ${operation.id} returns before its call`);
      events.push({ time: operation.call, isReturn: 0, operation: index });
      events.push({ time: operation.return, isReturn: 1, operation: index });
    });
    // Calls before returns at equal times: operations that touch in time count as concurrent.
    events.sort((a, b) => (a.time !== b.time ? (a.time < b.time ? -1 : 1) : a.isReturn - b.isReturn || a.operation - b.operation));
    const callEntry = new Int32Array(operations.length);
    let previous = this.head;
    events.forEach((event, position) => {
      this.operationOf[position] = event.operation;
      if (event.isReturn === 0) callEntry[event.operation] = position;
      else this.match[callEntry[event.operation] ?? NONE] = position;
      this.next[previous] = position;
      this.previous[position] = previous;
      previous = position;
    });
    this.next[previous] = NONE;
  }

  /** Advance at most `stepLimit` steps; returns the steps taken. */
  run(stepLimit: number): number {
    if (this.status !== 'running') return 0;
    // The hot loop works on locals and writes them back at the end: a slice is thousands of steps.
    const { next, match, operationOf, open, readOnly, forced, model, inputs, outputs, head, cache, stackEntries, stackStates } = this;
    let state = this.state;
    let entry = this.entry;
    let depth = this.depth;
    let steps = 0;
    while (steps < stepLimit) {
      steps++;
      if (next[head] === NONE) {
        this.status = 'linearizable';
        break;
      }
      if (match[entry] === NONE) {
        // The first return left is open: so is every operation left, and an open operation may
        // take effect last or never, whatever the state (the Model contract for unknown outputs).
        if (open[operationOf[entry]!] === 1) {
          this.status = 'linearizable';
          break;
        }
        // Everything before this return was tried: undo the last linearized call.
        this.recordDeadEnd(entry, depth, state);
        depth = this.backtrack(depth);
        if (depth < 0) break;
        state = this.state;
        entry = this.entry;
        continue;
      }
      const operation = operationOf[entry]!;
      const result = model.step(state, inputs[operation] as Input, outputs[operation] as Output);
      // An open operation that changes nothing now is better left for later or never: taking it
      // only removes options, so that branch is dominated by the one without it.
      if (!result.ok || (open[operation] === 1 && model.equal(result.next, state))) {
        entry = next[entry]!;
        continue;
      }
      const isReadOnly = readOnly[operation] === 1;
      if (cache.addIfAbsent(operation, result.next)) {
        // A legal read-only operation can move to the front of any linearization from here (it
        // changes no state and every remaining operation returns after its call), so it is taken
        // now and no alternative is tried at this point.
        forced[depth] = isReadOnly ? 1 : 0;
        stackEntries[depth] = entry;
        stackStates[depth] = state;
        depth++;
        state = result.next;
        this.lift(entry);
        entry = next[head]!;
      } else if (isReadOnly) {
        // Taking it leads to a configuration already explored, so this one fails too.
        depth = this.backtrack(depth);
        if (depth < 0) break;
        state = this.state;
        entry = this.entry;
      } else {
        entry = next[entry]!;
      }
    }
    this.state = state;
    this.entry = entry;
    this.depth = Math.max(depth, 0);
    this.steps += steps;
    return steps;
  }

  /**
   * Undo linearized calls until a frame where other candidates remain (frames that took a
   * read-only operation have none). Leaves state and entry in the fields and returns the new
   * depth, or -1 when the whole search failed.
   */
  private backtrack(fromDepth: number): number {
    let depth = fromDepth;
    // Bounded: each turn pops one frame.
    do {
      if (depth === 0) {
        this.status = 'illegal';
        return -1;
      }
      depth--;
      const top = this.stackEntries[depth]!;
      this.state = this.stackStates[depth] as State;
      this.stackStates[depth] = undefined as State; // let the state be collected
      this.cache.unmark(this.operationOf[top]!);
      this.unlift(top);
      this.entry = this.next[top]!;
    } while (this.forced[depth] === 1);
    return depth;
  }

  /** Keep the deepest dead end: the longest linearizable prefix, for the explanation. */
  private recordDeadEnd(returnEntry: number, depth: number, state: State): void {
    if (this.deepest !== null && depth <= this.deepest.prefix.length) return;
    const prefix: number[] = [];
    for (let level = 0; level < depth; level++) prefix.push(this.operationOf[this.stackEntries[level]!]!);
    this.deepest = { prefix, blocked: this.operationOf[returnEntry]!, state };
  }

  private lift(entry: number): void {
    const { next, previous } = this;
    const after = next[entry] ?? NONE;
    previous[after] = previous[entry] ?? NONE;
    next[previous[entry] ?? NONE] = after;
    const returnEntry = this.match[entry] ?? NONE;
    const afterReturn = next[returnEntry] ?? NONE;
    next[previous[returnEntry] ?? NONE] = afterReturn;
    if (afterReturn !== NONE) previous[afterReturn] = previous[returnEntry] ?? NONE;
  }

  private unlift(entry: number): void {
    const { next, previous } = this;
    const returnEntry = this.match[entry] ?? NONE;
    const afterReturn = next[returnEntry] ?? NONE;
    next[previous[returnEntry] ?? NONE] = returnEntry;
    if (afterReturn !== NONE) previous[afterReturn] = returnEntry;
    previous[next[entry] ?? NONE] = entry;
    next[previous[entry] ?? NONE] = entry;
  }

  /** The deepest dead end; meaningful once the status is `illegal`. */
  deadEnd(): DeadEnd<State> | null {
    return this.deepest;
  }

  get linearizedCount(): number {
    return this.depth;
  }

  get size(): number {
    return this.operationCount;
  }

  /** Drop the memory of a decided search (its status, steps and dead end stay). */
  release(): void {
    assert(this.status !== 'running', 'only a decided search is released');
    this.cache = new StateCache(this.model, 0);
    this.stackStates.length = 0;
  }

  get cacheEntries(): number {
    return this.cache.size;
  }
}
