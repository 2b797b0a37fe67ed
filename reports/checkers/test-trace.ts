// A small builder of hand-made traces for the checkers' tests: every call appends one event, time
// advances by one millisecond per event unless set with `at`, and `last` is the index of the
// event just added (for witnesses).
import type { Message, NodeId, Role } from '../../core/index.ts';
import type { ClientInput, ClientOutput, EntrySummary, TraceEvent } from '../../sim/events.ts';

/** An entry whose digest depends on its index, term and tag, so different tags mean different data. */
export function entry(index: number, term: number, tag = 0): EntrySummary {
  return { index, term, digest: (index * 7919 + term * 104729 + tag * 1299709) >>> 0 };
}

/** A client command entry; the digest also depends on (clientId, sequence). */
export function commandEntry(index: number, term: number, clientId: number, sequence: number): EntrySummary {
  return { ...entry(index, term, clientId * 1000 + sequence), clientId, sequence };
}

/** Entries from index `from` on, one per term given. */
export function entries(from: number, ...terms: number[]): EntrySummary[] {
  return terms.map((term, offset) => entry(from + offset, term));
}

export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  private time = 0;
  private nextMessageId = 1;

  get last(): number {
    return this.events.length - 1;
  }

  /** Sets the time of the next events. */
  at(time: number): this {
    this.time = time;
    return this;
  }

  role(node: NodeId, role: Role, term: number): this {
    return this.push({ type: 'role', node, role, term, time: this.time });
  }

  leader(node: NodeId, term: number): this {
    return this.role(node, 'leader', term);
  }

  term(node: NodeId, term: number, vote: NodeId | null = null): this {
    return this.push({ type: 'term', node, term, vote, time: this.time });
  }

  append(node: NodeId, from: number, appended: readonly EntrySummary[]): this {
    return this.push({ type: 'append', node, from, entries: appended, time: this.time });
  }

  commit(node: NodeId, index: number): this {
    return this.push({ type: 'commit', node, index, time: this.time });
  }

  apply(node: NodeId, applied: EntrySummary): this {
    return this.push({ type: 'apply', node, entry: applied, time: this.time });
  }

  snapshot(node: NodeId, index: number, term: number, digest = 0, kept?: number): this {
    return this.push({ type: 'snapshot', node, index, term, digest, time: this.time, ...(kept === undefined ? {} : { kept }) });
  }

  compact(node: NodeId, index: number): this {
    return this.push({ type: 'compact', node, index, time: this.time });
  }

  crash(node: NodeId): this {
    return this.push({ type: 'crash', node, lostEntries: 0, torn: false, time: this.time });
  }

  restart(node: NodeId): this {
    return this.push({ type: 'restart', node, time: this.time });
  }

  /** Sends a message; its id is the return value of `lastMessageId`. */
  send(message: Message): this {
    const id = this.nextMessageId;
    this.nextMessageId += 1;
    return this.push({ type: 'send', id, message, time: this.time });
  }

  get lastMessageId(): number {
    return this.nextMessageId - 1;
  }

  deliver(id: number, from: NodeId, to: NodeId): this {
    return this.push({ type: 'deliver', id, from, to, time: this.time });
  }

  /** Another copy of message `id`, delivered or dropped under the same id. */
  duplicate(id: number, copy = 1): this {
    return this.push({ type: 'duplicate', id, copy, time: this.time });
  }

  drop(id: number, from: NodeId, to: NodeId): this {
    return this.push({ type: 'drop', id, from, to, reason: 'loss', time: this.time });
  }

  call(client: number, op: number, input: ClientInput, node: NodeId = 1): this {
    return this.push({ type: 'call', client, op, node, input, time: this.time });
  }

  /** A put by `client` with its (clientId = client, sequence) pair. */
  write(client: number, op: number, sequence: number): this {
    return this.call(client, op, { type: 'command', command: { clientId: client, sequence, op: { type: 'put', key: 'x', value: `${sequence}` } } });
  }

  get(client: number, op: number, sequence: number): this {
    return this.call(client, op, { type: 'command', command: { clientId: client, sequence, op: { type: 'get', key: 'x' } } });
  }

  returnOk(client: number, op: number): this {
    return this.return(client, op, { type: 'result', result: { type: 'ok' } });
  }

  returnUnknown(client: number, op: number): this {
    return this.return(client, op, { type: 'unknown' });
  }

  return(client: number, op: number, output: ClientOutput): this {
    return this.push({ type: 'return', client, op, output, time: this.time });
  }

  phase(phase: 'safety' | 'liveness'): this {
    return this.push({ type: 'phase', phase, time: this.time });
  }

  heal(): this {
    return this.push({ type: 'heal', time: this.time });
  }

  private push(event: TraceEvent): this {
    this.events.push(event);
    this.time += 1;
    return this;
  }
}

export function voteReply(from: NodeId, to: NodeId, term: number, granted: boolean, preVote = false): Message {
  return { type: 'RequestVoteReply', from, to, term, granted, preVote };
}

export function appendReply(from: NodeId, to: NodeId, term: number, matchIndex: number): Message {
  return { type: 'AppendEntriesReply', from, to, term, success: true, matchIndex, conflictTerm: 0, conflictIndex: 0, round: 0 };
}
