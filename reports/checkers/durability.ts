// Durability: a write acknowledged to a client is in the committed log at the end of the run,
// committed entries are never replaced, and no node ends the run holding, at an index it had
// committed, anything but the committed entry.
import type { TraceEvent, TraceEventOf } from '../../sim/events.ts';
import { describeCommitConflict, pairKey, type ClusterView } from './cluster-view.ts';
import { violation, type Checker, type Violation } from './types.ts';

interface Write {
  readonly clientId: number;
  readonly sequence: number;
  readonly callEvent: number;
}

export class Durability implements Checker {
  readonly name = 'durability';
  /** Writes called and not yet returned, by (client, op). */
  private readonly pending = new Map<number, Write>();
  /** Writes acknowledged to their client, in return order: four columns, one row per write. */
  private readonly ackClientIds: number[] = [];
  private readonly ackSequences: number[] = [];
  private readonly ackCallEvents: number[] = [];
  private readonly ackReturnEvents: number[] = [];
  /** Per node: the highest index it reported committed since it last started, and that event. */
  private readonly nodeCommit: number[] = [];
  private readonly nodeCommitEvent: number[] = [];
  /** Per node, its last append: the other side of a final log that disagrees with the committed one. */
  private readonly lastAppendEvent: number[] = [];

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent, index: number): Violation | null {
    // The type read once: events come in many shapes, so each read is a megamorphic lookup.
    const type = event.type;
    if (type === 'call' && event.input.type === 'command' && event.input.command.op.type !== 'get') {
      const { clientId, sequence } = event.input.command;
      this.pending.set(pairKey(event.client, event.op), { clientId, sequence, callEvent: index });
    } else if (type === 'return') {
      const key = pairKey(event.client, event.op);
      const write = this.pending.get(key);
      this.pending.delete(key);
      if (write !== undefined && event.output.type === 'result') {
        this.ackClientIds.push(write.clientId);
        this.ackSequences.push(write.sequence);
        this.ackCallEvents.push(write.callEvent);
        this.ackReturnEvents.push(index);
      }
    } else if (type === 'commit') {
      return this.onCommit(event, index);
    } else if (type === 'append') {
      this.onAppend(event.node, index);
    } else if (type === 'restart') {
      this.nodeCommit[event.node] = 0;
    }
    return null;
  }

  /** What observe() does for a `commit` event. */
  onCommit(event: TraceEventOf<'commit'>, index: number): Violation | null {
    const node = event.node;
    this.nodeCommit[node] = Math.max(this.nodeCommit[node] ?? 0, event.index);
    this.nodeCommitEvent[node] = index;
    const conflict = this.view.commitConflict;
    if (conflict !== null) return violation(this.name, event.time, describeCommitConflict(conflict), conflict.witnesses);
    return null;
  }

  /** What observe() does for an `append` event of `node` (read by the caller). */
  onAppend(node: number, index: number): void {
    this.lastAppendEvent[node] = index;
  }

  finish(): Violation | null {
    return this.findLostWrite() ?? this.findDivergentLog();
  }

  private findLostWrite(): Violation | null {
    const acknowledged = this.ackClientIds.length;
    if (acknowledged === 0) return null;
    const committedWrites = new Set<number>();
    for (let position = 1; position <= this.view.committedIndex; position += 1) {
      const entry = this.view.committed[position];
      if (entry?.clientId !== undefined && entry.sequence !== undefined) committedWrites.add(pairKey(entry.clientId, entry.sequence));
    }
    for (let row = 0; row < acknowledged; row++) {
      const clientId = this.ackClientIds[row] as number;
      const sequence = this.ackSequences[row] as number;
      if (committedWrites.has(pairKey(clientId, sequence))) continue;
      return violation(this.name, this.view.lastTime,
        `The write of client ${clientId} with sequence ${sequence} was acknowledged but is not in the ` +
        `committed log (committed up to index ${this.view.committedIndex}).`,
        [this.ackCallEvents[row] as number, this.ackReturnEvents[row] as number]);
    }
    return null;
  }

  private findDivergentLog(): Violation | null {
    for (const node of this.view.nodes()) {
      const log = this.view.log(node);
      const last = Math.min(log.lastIndex, this.nodeCommit[node] ?? 0);
      for (let position = log.validFrom; position <= last; position += 1) {
        const held = log.entryAt(position);
        const committed = this.view.committed[position];
        if (held === undefined || committed === undefined) continue;
        if (held.term === committed.term && held.digest === committed.digest) continue;
        return violation(this.name, this.view.lastTime,
          `Node ${node} ends the run holding the entry of term ${held.term} at index ${position}, which it had committed, ` +
          `but the entry committed there has term ${committed.term}.`,
          [this.view.commitEvents[position] ?? -1, this.nodeCommitEvent[node] ?? -1, this.lastAppendEvent[node] ?? -1]);
      }
    }
    return null;
  }
}
