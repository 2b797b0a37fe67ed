// The Raft log of one node: a snapshot boundary, the entries after it, and which entries the
// host has not yet been handed for persistence. Pure data structure: it knows nothing of roles.
import type { Entry, Snapshot } from './types.ts';
import { assert } from './assert.ts';

const NO_ENTRIES: readonly Entry[] = [];

/**
 * A cheap, deterministic estimate of an entry's encoded size, used for maxBytesPerMessage. It
 * counts the variable-length strings and a fixed overhead, so no JSON is built on the hot path.
 */
export function estimateEntryBytes(entry: Entry): number {
  const overhead = 48;
  const data = entry.data;
  switch (data.type) {
    case 'noop': return overhead;
    case 'confChange': return overhead + 32;
    case 'command': {
      const op = data.command.op;
      switch (op.type) {
        case 'get':
        case 'delete': return overhead + 40 + op.key.length;
        case 'put':
        case 'append': return overhead + 48 + op.key.length + op.value.length;
        case 'cas': return overhead + 56 + op.key.length + (op.from?.length ?? 4) + op.to.length;
        default: {
          const never: never = op;
          return never;
        }
      }
    }
    default: {
      const never: never = data;
      return never;
    }
  }
}

export class RaftLog {
  /** The snapshot the log starts after; null when the log starts at index 1. */
  snapshot: Snapshot | null;
  snapshotIndex: number;
  snapshotTerm: number;
  /** entries[k] has index snapshotIndex + 1 + k (invariant, checked in assertInvariants). */
  private entries: Entry[];
  /** First index not yet handed to the host in a Ready: entries from here on are not stable. */
  unstableFrom: number;

  constructor(snapshot: Snapshot | null, entries: readonly Entry[]) {
    this.snapshot = snapshot;
    this.snapshotIndex = snapshot?.metadata.index ?? 0;
    this.snapshotTerm = snapshot?.metadata.term ?? 0;
    this.entries = entries.slice();
    const first = entries[0];
    assert(first === undefined || first.index === this.snapshotIndex + 1,
      `persisted entries must start right after the snapshot (${this.snapshotIndex})`);
    this.unstableFrom = this.lastIndex() + 1;
    this.assertInvariants();
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.snapshotTerm : last.term;
  }

  /** The term of the entry at index, or undefined when it is compacted or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    return this.entries[index - this.snapshotIndex - 1]?.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft's election restriction: is a log ending at (lastIndex, lastTerm) at least as up to date? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myLastTerm = this.lastTerm();
    return lastTerm > myLastTerm || (lastTerm === myLastTerm && lastIndex >= this.lastIndex());
  }

  entryAt(index: number): Entry {
    const entry = this.entries[index - this.snapshotIndex - 1];
    if (entry === undefined) assert(false, `no entry at ${index} (log holds ${this.firstIndex()}..${this.lastIndex()})`);
    return entry;
  }

  /** Entries in [from, to]; throws when part of the range is compacted or beyond the log. */
  slice(from: number, to: number): readonly Entry[] {
    if (from > to) return NO_ENTRIES;
    if (from < this.firstIndex()) assert(false, `entries from ${from} are compacted (first index ${this.firstIndex()})`);
    if (to > this.lastIndex()) assert(false, `entries up to ${to} are beyond the last index ${this.lastIndex()}`);
    return this.entries.slice(from - this.snapshotIndex - 1, to - this.snapshotIndex);
  }

  /** Entries from `from` on for one AppendEntries: at most maxCount and, past the first, maxBytes. */
  sliceForMessage(from: number, maxCount: number, maxBytes: number): readonly Entry[] {
    const last = Math.min(this.lastIndex(), from + maxCount - 1);
    if (from > last) return NO_ENTRIES;
    let bytes = 0;
    let to = from;
    for (; to <= last; to++) {
      bytes += estimateEntryBytes(this.entryAt(to));
      // Always send at least one entry, or an oversized entry would block replication forever.
      if (bytes > maxBytes && to > from) break;
    }
    return this.slice(from, to - 1);
  }

  /**
   * The first index in entries (which follow prevIndex) whose term differs from this log's, or
   * lies beyond it; 0 when every entry is already present. Appending must start there.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /** Appends entries, first truncating the log from entries[0].index when it overlaps. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.snapshotIndex) assert(false, `cannot append at ${first.index}: compacted up to ${this.snapshotIndex}`);
    if (first.index > this.lastIndex() + 1) assert(false, `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    this.truncateFrom(first.index);
    for (const entry of entries) this.entries.push(entry);
    this.unstableFrom = Math.min(this.unstableFrom, first.index);
  }

  /** Drops entries from index on (the host learns it from the next Ready's entries). */
  truncateFrom(index: number): void {
    if (index > this.lastIndex()) return;
    if (index <= this.snapshotIndex) assert(false, `cannot truncate at ${index}: compacted up to ${this.snapshotIndex}`);
    this.entries.length = index - this.snapshotIndex - 1;
    this.unstableFrom = Math.min(this.unstableFrom, index);
  }

  /** First index of the run of `term` that contains index, not going below floor. */
  firstIndexOfTermAt(index: number, floor: number): number {
    const term = this.term(index);
    let first = index;
    const lowest = Math.max(floor, this.firstIndex());
    while (first > lowest && this.term(first - 1) === term) first--;
    return first;
  }

  /** The last index holding an entry of `term` at or below `atOrBelow`, or 0 when none. */
  lastIndexOfTerm(term: number, atOrBelow: number): number {
    let index = Math.min(atOrBelow, this.lastIndex());
    for (; index >= this.snapshotIndex; index--) {
      const entryTerm = this.term(index);
      if (entryTerm === undefined || entryTerm < term) return 0;
      if (entryTerm === term) return index;
    }
    return 0;
  }

  /** Entries the host has not been handed yet; marks them handed out. */
  takeUnstable(): readonly Entry[] {
    const last = this.lastIndex();
    if (this.unstableFrom > last) {
      this.unstableFrom = last + 1;
      return NO_ENTRIES;
    }
    const entries = this.slice(this.unstableFrom, last);
    this.unstableFrom = last + 1;
    return entries;
  }

  hasUnstable(): boolean {
    return this.unstableFrom <= this.lastIndex();
  }

  /** Discards entries up to snapshot.metadata.index, which must be in the log. */
  compact(snapshot: Snapshot): void {
    const index = snapshot.metadata.index;
    if (index <= this.snapshotIndex) assert(false, `compaction to ${index} is not past the snapshot ${this.snapshotIndex}`);
    if (index > this.lastIndex()) assert(false, `compaction to ${index} is beyond the last index ${this.lastIndex()}`);
    if (index >= this.unstableFrom) assert(false, `compaction to ${index} covers entries not yet persisted`);
    if (this.term(index) !== snapshot.metadata.term) assert(false, `snapshot term at ${index} does not match the log`);
    this.entries.splice(0, index - this.snapshotIndex);
    this.snapshot = snapshot;
    this.snapshotIndex = index;
    this.snapshotTerm = snapshot.metadata.term;
  }

  /** Replaces the whole log by a snapshot (InstallSnapshot with a conflicting or short log). */
  restore(snapshot: Snapshot): void {
    this.entries = [];
    this.snapshot = snapshot;
    this.snapshotIndex = snapshot.metadata.index;
    this.snapshotTerm = snapshot.metadata.term;
    this.unstableFrom = this.snapshotIndex + 1;
  }

  assertInvariants(): void {
    const first = this.entries[0];
    const last = this.entries[this.entries.length - 1];
    if (first === undefined || last === undefined) return;
    // Tested before building messages: this runs after every input of a node.
    if (first.index !== this.snapshotIndex + 1) assert(false, `log starts at ${first.index}, not after snapshot ${this.snapshotIndex}`);
    if (last.index !== this.lastIndex()) assert(false, `log indexes are not consecutive (last ${last.index})`);
    assert(first.term >= this.snapshotTerm, 'log term decreases after the snapshot');
    assert(last.term >= first.term, 'log terms decrease');
  }
}
