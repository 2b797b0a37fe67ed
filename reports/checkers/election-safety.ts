// Election Safety: at most one leader per term over the whole run, crashes and restarts included.
import type { NodeId } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { violation, type Checker, type Violation } from './types.ts';

export class ElectionSafety implements Checker {
  readonly name = 'election-safety';
  /** term -> the first leader elected in it and the event that says so. */
  private readonly leaders = new Map<number, { readonly node: NodeId; readonly event: number }>();

  observe(event: TraceEvent, index: number): Violation | null {
    if (event.type !== 'role' || event.role !== 'leader') return null;
    const first = this.leaders.get(event.term);
    if (first === undefined) {
      this.leaders.set(event.term, { node: event.node, event: index });
      return null;
    }
    if (first.node === event.node) return null;
    return violation(this.name, event.time,
      `Nodes ${first.node} and ${event.node} were both elected leader of term ${event.term}.`,
      [first.event, index]);
  }

  finish(): Violation | null {
    return null;
  }
}
