// Leader Append-Only: a leader never overwrites or deletes entries in its own log while it leads.
import type { TraceEvent } from '../../sim/events.ts';
import type { ClusterView } from './cluster-view.ts';
import { violation, type Checker, type Violation } from './types.ts';

export class LeaderAppendOnly implements Checker {
  readonly name = 'leader-append-only';
  /** Per node: the term it currently leads (0 when it does not lead) and the event that began it. */
  private readonly leadingTerm: number[] = [];
  private readonly electedEvent: number[] = [];

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent, index: number): Violation | null {
    // The type read once: events come in many shapes, so each read is a megamorphic lookup.
    const type = event.type;
    if (type === 'role') {
      this.leadingTerm[event.node] = event.role === 'leader' ? event.term : 0;
      this.electedEvent[event.node] = index;
    } else if (type === 'term' && event.term !== this.leadingTerm[event.node]) {
      this.leadingTerm[event.node] = 0;
    } else if (type === 'crash' || type === 'restart') {
      this.leadingTerm[event.node] = 0;
    } else if (type === 'append') {
      return this.onAppend(event.node, event.from, event.time, index);
    }
    return null;
  }

  /** What observe() does for an `append` event (its fields read by the caller). */
  onAppend(node: number, from: number, time: number, index: number): Violation | null {
    const term = this.leadingTerm[node] ?? 0;
    const effect = this.view.lastAppend;
    if (term === 0 || effect === null || effect.firstChangedIndex === 0) return null;
    return violation(this.name, time,
      `Node ${node}, leader of term ${term}, changed its own entry at index ${effect.firstChangedIndex} ` +
      `with an append from index ${from} while its log ended at index ${effect.previousLastIndex}.`,
      [this.electedEvent[node] ?? -1, index]);
  }

  finish(): Violation | null {
    return null;
  }
}
