// State Machine Safety: every node applies the same entry at each index, in order, with no gap
// and no re-apply. A snapshot counts as applying its prefix; a restart re-applies from the
// restored snapshot, and its re-applies must still match what every node applied.
import type { EntrySummary, TraceEvent, TraceEventOf } from '../../sim/events.ts';
import { describeCommitConflict, type ClusterView } from './cluster-view.ts';
import { violation, type Checker, type Violation } from './types.ts';

export class StateMachineSafety implements Checker {
  readonly name = 'state-machine-safety';
  /** Per node: the last index applied (or restored by snapshot) and the event that did it. */
  private readonly applied: number[] = [];
  private readonly appliedEvent: number[] = [];
  /** Per log index: the first entry any node applied there, who applied it, and when. */
  private readonly record: (EntrySummary | undefined)[] = [];
  private readonly recordNode: number[] = [];
  private readonly recordEvent: number[] = [];

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent, index: number): Violation | null {
    // The type read once: events come in many shapes, so each read is a megamorphic lookup.
    const type = event.type;
    if (type === 'apply') return this.onApply(event.node, event.entry, event.time, index);
    if (type === 'snapshot') return this.onSnapshot(event.node, event.index, event.term, event.time, index);
    if (type === 'restart') this.applied[event.node] = 0;
    if (type === 'commit') return this.onCommit(event);
    return null;
  }

  /** What observe() does for a `commit` event. */
  onCommit(event: TraceEventOf<'commit'>): Violation | null {
    if (this.view.commitConflict === null) return null;
    return violation(this.name, event.time, describeCommitConflict(this.view.commitConflict), this.view.commitConflict.witnesses);
  }

  /** What observe() does for an `apply` event (its fields read by the caller). */
  onApply(node: number, entry: EntrySummary, time: number, index: number): Violation | null {
    const applied = this.applied[node] ?? 0;
    const previous = this.appliedEvent[node] ?? -1;
    if (entry.index <= applied) {
      return violation(this.name, time, `Node ${node} applied index ${entry.index} again after applying up to index ${applied}.`, [previous, index]);
    }
    if (entry.index > applied + 1) {
      return violation(this.name, time, `Node ${node} applied index ${entry.index} right after index ${applied}, skipping ${applied + 1}.`, [previous, index]);
    }
    this.applied[node] = entry.index;
    this.appliedEvent[node] = index;
    const first = this.record[entry.index];
    if (first === undefined) {
      this.record[entry.index] = entry;
      this.recordNode[entry.index] = node;
      this.recordEvent[entry.index] = index;
      return null;
    }
    if (first.term === entry.term && first.digest === entry.digest) return null;
    return violation(this.name, time,
      `Nodes ${this.recordNode[entry.index]} and ${node} applied different entries at index ${entry.index}: ` +
      `term ${first.term} (digest ${first.digest}) and term ${entry.term} (digest ${entry.digest}).`,
      [this.recordEvent[entry.index] ?? -1, index]);
  }

  private onSnapshot(node: number, snapshotIndex: number, term: number, time: number, index: number): Violation | null {
    const applied = this.applied[node] ?? 0;
    if (snapshotIndex < applied) {
      return violation(this.name, time,
        `Node ${node} installed a snapshot at index ${snapshotIndex} after applying up to index ${applied}, rolling its state machine back.`,
        [this.appliedEvent[node] ?? -1, index]);
    }
    this.applied[node] = snapshotIndex;
    this.appliedEvent[node] = index;
    const first = this.record[snapshotIndex];
    if (first === undefined || first.term === term) return null;
    return violation(this.name, time,
      `Node ${node} installed a snapshot ending at index ${snapshotIndex} in term ${term}, ` +
      `but node ${this.recordNode[snapshotIndex]} applied the entry of term ${first.term} there.`,
      [this.recordEvent[snapshotIndex] ?? -1, index]);
  }

  finish(): Violation | null {
    return null;
  }
}
