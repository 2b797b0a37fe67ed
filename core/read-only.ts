// Linearizable reads on the leader (thesis 6.4, etcd's readOnly): a read waits until a quorum
// acknowledged a heartbeat round started after it arrived, and until the leader committed an
// entry of its own term (only then is its commit index at least every committed index).
import type { ReadState } from './types.ts';
import { assert } from './assert.ts';

export interface PendingRead {
  readonly context: number;
  /** The commit index when the read arrived; -1 until the leader has committed in its term. */
  index: number;
  /** The round whose quorum acknowledgement confirms leadership for this read. */
  readonly round: number;
}

/** Bound on reads waiting at once; beyond it readIndex answers busy. */
export const MAX_PENDING_READS = 4096;

export class ReadOnlyQueue {
  private pending: PendingRead[] = [];

  get size(): number {
    return this.pending.length;
  }

  add(read: PendingRead): void {
    assert(this.pending.length < MAX_PENDING_READS, 'too many pending reads');
    const last = this.pending[this.pending.length - 1];
    assert(last === undefined || last.round <= read.round, 'read rounds must not decrease');
    this.pending.push(read);
  }

  /** Gives reads that arrived before the first commit of the term that commit index. */
  fillUnsetIndexes(commit: number): void {
    for (const read of this.pending) if (read.index < 0) read.index = commit;
  }

  /** Moves the reads confirmed by a quorum's acknowledgement of confirmedRound into out. */
  release(confirmedRound: number, out: ReadState[]): void {
    let served = 0;
    for (const read of this.pending) {
      if (read.round > confirmedRound || read.index < 0) break;
      out.push({ context: read.context, index: read.index });
      served++;
    }
    if (served > 0) this.pending.splice(0, served);
  }
}
