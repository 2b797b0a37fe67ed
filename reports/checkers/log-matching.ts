// Log Matching: two logs that hold an entry with the same index and term are identical up to it.
// The comparison itself runs in ClusterView, which keeps the prefix hashes; this reports it.
import type { TraceEvent, TraceEventOf } from '../../sim/events.ts';
import type { ClusterView } from './cluster-view.ts';
import { violation, type Checker, type Violation } from './types.ts';

export class LogMatching implements Checker {
  readonly name = 'log-matching';

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent, _index: number): Violation | null {
    return event.type === 'append' ? this.onAppend(event) : null;
  }

  /** What observe() does for an `append` event. */
  onAppend(event: TraceEventOf<'append'>): Violation | null {
    const conflict = this.view.logConflict;
    if (conflict === null) return null;
    const [first, second] = conflict.nodes;
    const [firstEvent, secondEvent] = conflict.witnesses;
    const what = conflict.sameEntry
      ? `the same entry at index ${conflict.index} in term ${conflict.term} after different earlier entries`
      : `different entries at index ${conflict.index} in term ${conflict.term}`;
    const who = first === second
      ? `Node ${first} held ${what} (events ${firstEvent} and ${secondEvent}).`
      : `Nodes ${first} and ${second} hold ${what}.`;
    return violation(this.name, event.time, who, conflict.witnesses);
  }

  finish(): Violation | null {
    return null;
  }
}
