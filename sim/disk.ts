// A node's disk. Writes land in a volatile list first and become durable in order on sync(); a
// crash keeps what was synced and, as a fault, may keep a torn prefix of the rest (a torn WAL
// tail). Restart rebuilds the node from load() only. Entries are immutable and never copied deeply:
// a write holds references, so the host can write on every Ready cheaply.
import { assert, assertNever } from '../core/index.ts';
import type { Entry, HardState, PersistedState, Snapshot } from '../core/index.ts';
import type { RngLike } from './options.ts';

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 });

export type DiskWrite =
  | { readonly type: 'hardState'; readonly hardState: HardState }
  /** Replaces the log from entries[0].index on (a truncation when that is not past the end). */
  | { readonly type: 'entries'; readonly entries: readonly Entry[] }
  /** Entries the snapshot covers go; the rest stay only if the log agrees at its index. */
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot };

export interface DiskStats {
  readonly writes: number;
  readonly syncs: number;
  readonly crashes: number;
  /** Entries lost to crashes, over the disk's life. */
  readonly entriesLost: number;
}

/** One version of the disk's contents: what is durable, or what a read would see now. */
class DiskState {
  hardState: HardState = EMPTY_HARD_STATE;
  snapshot: Snapshot | null = null;
  /** Invariant: consecutive, entries[0].index === snapshotIndex + 1 when non-empty. */
  entries: Entry[] = [];

  get snapshotIndex(): number {
    return this.snapshot?.metadata.index ?? 0;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  clone(): DiskState {
    const copy = new DiskState();
    copy.hardState = this.hardState;
    copy.snapshot = this.snapshot;
    copy.entries = this.entries.slice();
    return copy;
  }

  apply(write: DiskWrite): void {
    switch (write.type) {
      case 'hardState':
        this.hardState = write.hardState;
        return;
      case 'entries':
        return this.applyEntries(write.entries);
      case 'snapshot':
        return this.applySnapshot(write.snapshot);
      default:
        return assertNever(write);
    }
  }

  private applyEntries(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    // Messages are built only on failure: this runs on every write.
    if (first.index <= this.snapshotIndex) {
      assert(false, `disk: entry ${first.index} is covered by the snapshot at ${this.snapshotIndex}`);
    }
    if (first.index > this.lastIndex + 1) {
      assert(false, `disk: entry ${first.index} leaves a gap after the last index ${this.lastIndex}`);
    }
    const kept = first.index - this.snapshotIndex - 1;
    // Only a real truncation shrinks the array (assigning length on every append is much slower).
    if (kept < this.entries.length) this.entries.length = kept;
    for (const entry of entries) this.entries.push(entry);
  }

  private applySnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    const position = index - this.snapshotIndex - 1;
    const agrees = position >= 0 && this.entries[position]?.term === term;
    // Compaction keeps the log after the snapshot; an installed snapshot the log does not agree
    // with replaces the whole log (etcd's MemoryStorage does the same).
    this.entries = agrees ? this.entries.slice(position + 1) : [];
    this.snapshot = snapshot;
  }
}

function unitsOf(write: DiskWrite): number {
  return write.type === 'entries' ? write.entries.length : 1;
}

function entriesIn(writes: readonly DiskWrite[]): number {
  let count = 0;
  for (const write of writes) if (write.type === 'entries') count += write.entries.length;
  return count;
}

function assertConsecutive(entries: readonly Entry[], firstIndex: number, context: string): void {
  for (let offset = 0; offset < entries.length; offset++) {
    const entry = entries[offset] as Entry;
    if (entry.index !== firstIndex + offset) {
      assert(false, `${context}: entry at position ${offset} has index ${entry.index}, expected ${firstIndex + offset}`);
    }
  }
}

export class Disk {
  private durable = new DiskState();
  /** What the node would read now: durable plus the pending writes, in order. */
  private latest = new DiskState();
  private pending: DiskWrite[] = [];
  private writes = 0;
  private syncs = 0;
  private crashes = 0;
  private entriesLost = 0;

  writeHardState(hardState: HardState): void {
    this.write({ type: 'hardState', hardState });
  }

  /** Entries at or below the snapshot index are already covered and skipped (as etcd does). */
  appendEntries(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assertConsecutive(entries, first.index, 'disk.appendEntries');
    const covered = Math.max(0, this.latest.snapshotIndex + 1 - first.index);
    if (covered >= entries.length) return;
    // A shallow copy: the caller may reuse its array, the entries themselves are immutable.
    this.write({ type: 'entries', entries: entries.slice(covered) });
  }

  writeSnapshot(snapshot: Snapshot): void {
    this.write({ type: 'snapshot', snapshot });
  }

  /**
   * Writes a Ready's state in the order that keeps every torn prefix sensible: the snapshot, then
   * the entries after it, then the hard state, so a commit index is never kept without its entries.
   */
  persist(state: { readonly hardState: HardState | null; readonly snapshot: Snapshot | null; readonly entries: readonly Entry[] }): void {
    if (state.snapshot !== null) this.writeSnapshot(state.snapshot);
    this.appendEntries(state.entries);
    if (state.hardState !== null) this.writeHardState(state.hardState);
  }

  private write(write: DiskWrite): void {
    this.latest.apply(write);
    this.pending.push(write);
    this.writes++;
  }

  /** Makes every pending write durable, in order. */
  sync(): void {
    for (const write of this.pending) this.durable.apply(write);
    this.pending = [];
    this.syncs++;
  }

  hasPendingWrites(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Loses the pending writes, or with `torn` keeps a random strict prefix of them (counting each
   * entry, hard state and snapshot as one unit, so an entries batch can tear in the middle).
   * Returns how many entries were lost.
   */
  crash(rng: RngLike, torn: boolean): number {
    const pending = this.pending;
    const entriesPending = entriesIn(pending);
    let unitsKept = 0;
    if (torn && pending.length > 0) {
      let units = 0;
      for (const write of pending) units += unitsOf(write);
      unitsKept = rng.int(units);
    }
    let entriesKept = 0;
    for (const write of pending) {
      if (unitsKept === 0) break;
      const units = unitsOf(write);
      const kept: DiskWrite = units <= unitsKept || write.type !== 'entries'
        ? write
        : { type: 'entries', entries: write.entries.slice(0, unitsKept) };
      this.durable.apply(kept);
      if (kept.type === 'entries') entriesKept += kept.entries.length;
      unitsKept -= unitsOf(kept);
    }
    this.pending = [];
    this.latest = this.durable.clone();
    this.crashes++;
    const lost = entriesPending - entriesKept;
    this.entriesLost += lost;
    return lost;
  }

  /** What survived: the durable state only. */
  load(): PersistedState {
    const { hardState, snapshot, entries } = this.durable;
    assertConsecutive(entries, this.durable.snapshotIndex + 1, 'disk.load');
    return { hardState, snapshot, entries: entries.slice() };
  }

  /** The last index durable on the disk (for tests and checkers). */
  durableLastIndex(): number {
    return this.durable.lastIndex;
  }

  stats(): DiskStats {
    return { writes: this.writes, syncs: this.syncs, crashes: this.crashes, entriesLost: this.entriesLost };
  }
}
