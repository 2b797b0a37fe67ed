// Leader Completeness: a leader elected in term T holds every entry committed in a term before T.
// Checked at the moment of election, against the committed log ClusterView keeps.
import type { TraceEvent } from '../../sim/events.ts';
import { UNKNOWN_PREFIX, type ClusterView, type NodeLog } from './cluster-view.ts';
import { violation, type Checker, type Violation } from './types.ts';

export class LeaderCompleteness implements Checker {
  readonly name = 'leader-completeness';

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent, index: number): Violation | null {
    if (event.type !== 'role' || event.role !== 'leader') return null;
    const upTo = this.lastCommittedBefore(event.term);
    if (upTo === 0) return null;
    const log = this.view.log(event.node);
    const committedPrefix = this.view.committedPrefixes[upTo] ?? UNKNOWN_PREFIX;
    // Equal prefix hashes at the last index to check vouch for every entry before it.
    if (committedPrefix !== UNKNOWN_PREFIX && log.prefixAt(upTo) === committedPrefix) return null;
    const problem = this.findMissing(log, upTo);
    if (problem === null) return null;
    const committedBy = this.view.committedBy[problem.index] ?? 0;
    const committedTerm = this.view.commitTerms[problem.index] ?? 0;
    return violation(this.name, event.time,
      `Node ${event.node} was elected leader of term ${event.term} but ${problem.what}, ` +
      `which node ${committedBy} committed in term ${committedTerm}.`,
      [this.view.commitEvents[problem.index] ?? -1, index]);
  }

  /**
   * The highest committed index a leader of `term` must hold. A commit in term c is recorded at
   * most at c, so every index up to the last one committed before `term` was committed before it.
   */
  private lastCommittedBefore(term: number): number {
    let upTo = this.view.committedIndex;
    while (upTo > 0 && (this.view.commitTerms[upTo] ?? 0) >= term) upTo -= 1;
    return upTo;
  }

  private findMissing(log: NodeLog, upTo: number): { index: number; what: string } | null {
    for (let position = 1; position <= upTo; position += 1) {
      const committed = this.view.committed[position];
      if (committed === undefined) continue;
      if (position <= log.snapshotIndex) {
        const atSnapshot = this.view.committed[log.snapshotIndex];
        if (atSnapshot !== undefined && atSnapshot.term !== log.snapshotTerm) {
          return { index: log.snapshotIndex, what: `its snapshot ends at index ${log.snapshotIndex} in term ${log.snapshotTerm}, not in term ${atSnapshot.term}` };
        }
        position = log.snapshotIndex;
        continue;
      }
      if (position > log.lastIndex) {
        return { index: position, what: `its log ends at index ${log.lastIndex}, before the entry at index ${position} (term ${committed.term})` };
      }
      const held = log.entryAt(position);
      if (held !== undefined && (held.term !== committed.term || held.digest !== committed.digest)) {
        return { index: position, what: `it holds term ${held.term} at index ${position} instead of the entry of term ${committed.term}` };
      }
    }
    return null;
  }

  finish(): Violation | null {
    return null;
  }
}

