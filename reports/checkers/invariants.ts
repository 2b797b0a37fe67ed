// A node's own invariants as the trace shows them: terms never go down, one vote per term, the
// commit index only grows while the node is up and stays within its log, nothing past the commit
// index is applied, a log has no holes and never loses committed entries, and a follower never
// reports a match beyond its leader's log.
import { assertNever, type AppendEntriesReply, type Message, type MessageType, type NodeId, type RequestVoteReply } from '../../core/index.ts';
import type { EntrySummary, TraceEvent, TraceEventOf } from '../../sim/events.ts';
import { pairKey, type ClusterView } from './cluster-view.ts';
import { MatchReports } from './match-reports.ts';
import { violation, type Checker, type Violation } from './types.ts';

const UNKNOWN = -1;

export class Invariants implements Checker {
  readonly name = 'invariants';
  private readonly terms: number[] = [];
  private readonly termEvent: number[] = [];
  /** (voter, term) -> the candidate it granted its vote to, and the send event. */
  private readonly votes = new Map<number, { readonly to: NodeId; readonly event: number }>();
  /** Per node: commit index (UNKNOWN after a restart until reported) and the event that set it. */
  private readonly commit: number[] = [];
  private readonly commitEvent: number[] = [];
  /** Successful AppendEntriesReply messages on the wire, kept until delivered or dropped. */
  private readonly inFlight = new MatchReports();

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent, index: number): Violation | null {
    switch (event.type) {
      // The most frequent events first.
      case 'send': {
        const message = event.message;
        return this.onSend(event, event.id, message, message.type, index);
      }
      case 'deliver': return this.onDeliver(event, event.id, event.to, index);
      case 'term': return this.onTerm(event, index);
      case 'duplicate': this.onDuplicate(event.id); return null;
      case 'drop': this.onDrop(event.id); return null;
      case 'commit': return this.onCommit(event, index);
      case 'apply': return this.onApply(event.node, event.entry, event.time, index);
      case 'append': return this.onAppend(event, index);
      case 'snapshot':
        // After a restart the restored commit index may be unreported yet: keep it unknown.
        if (this.commit[event.node] !== UNKNOWN) {
          this.commit[event.node] = Math.max(this.commit[event.node] ?? 0, event.index);
          this.commitEvent[event.node] = index;
        }
        return null;
      case 'restart': this.commit[event.node] = UNKNOWN; return null;
      case 'crash': case 'pause': case 'resume': case 'partition': case 'heal': case 'role':
      case 'compact': case 'call': case 'return': case 'phase': case 'violation': case 'checkpoint':
        return null;
      // The node's own assertion, a fact the simulator wrote down: the node broke its invariants.
      case 'assertion': return violation(this.name, event.time, `node ${event.node}: ${event.message}`, [index]);
      default: return assertNever(event);
    }
  }

  private onTerm(event: TraceEventOf<'term'>, index: number): Violation | null {
    const previous = this.terms[event.node] ?? 0;
    const previousEvent = this.termEvent[event.node] ?? -1;
    this.terms[event.node] = Math.max(previous, event.term);
    this.termEvent[event.node] = index;
    if (event.term >= previous) return null;
    return violation(this.name, event.time, `Node ${event.node}'s term went down from ${previous} to ${event.term}.`, [previousEvent, index]);
  }

  /**
   * A message sent: `id`, `message` and its `type` read by the caller (the suite reads them once
   * for every checker: messages come in many shapes, so each read of the type is a megamorphic lookup).
   */
  onSend(event: TraceEventOf<'send'>, id: number, message: Message, type: MessageType, index: number): Violation | null {
    if (type === 'AppendEntriesReply') {
      const reply = message as AppendEntriesReply;
      if (reply.success) this.inFlight.add(id, reply.from, reply.term, reply.matchIndex, index);
      return null;
    }
    if (type !== 'RequestVoteReply') return null;
    const vote = message as RequestVoteReply;
    if (!vote.granted || vote.preVote) return null;
    const key = pairKey(vote.from, vote.term);
    const first = this.votes.get(key);
    if (first === undefined) {
      this.votes.set(key, { to: vote.to, event: index });
      return null;
    }
    if (first.to === vote.to) return null;
    return violation(this.name, event.time,
      `Node ${vote.from} granted its vote in term ${vote.term} to both node ${first.to} and node ${vote.to}.`,
      [first.event, index]);
  }

  /** A copy of message `id` more on the wire. */
  onDuplicate(id: number): void {
    this.inFlight.duplicated(id);
  }

  /** A copy of message `id` lost. */
  onDrop(id: number): void {
    this.inFlight.arrived(id);
  }

  /** A copy of message `id` delivered to `leader` (`id` and `leader` read by the caller). */
  onDeliver(event: TraceEventOf<'deliver'>, id: number, leader: NodeId, index: number): Violation | null {
    const reports = this.inFlight;
    const slot = reports.find(id);
    if (slot < 0) return null;
    const term = reports.term(slot);
    const matchIndex = reports.matchIndex(slot);
    const from = reports.from(slot);
    const sendEvent = reports.sendEvent(slot);
    reports.arrivedAt(slot);
    const leads = this.view.roles[leader] === 'leader' && this.view.up[leader] === true && this.view.terms[leader] === term;
    const lastIndex = this.view.log(leader).lastIndex;
    if (!leads || matchIndex <= lastIndex) return null;
    return violation(this.name, event.time,
      `Leader ${leader} of term ${term} got match index ${matchIndex} from node ${from}, ` +
      `beyond its own last index ${lastIndex}.`,
      [sendEvent, index]);
  }

  /** What observe() does for a `commit` event. */
  onCommit(event: TraceEventOf<'commit'>, index: number): Violation | null {
    const previous = this.commit[event.node] ?? 0;
    const previousEvent = this.commitEvent[event.node] ?? -1;
    this.commit[event.node] = event.index;
    this.commitEvent[event.node] = index;
    if (event.index < previous) {
      return violation(this.name, event.time,
        `Node ${event.node}'s commit index went down from ${previous} to ${event.index} while it was up.`, [previousEvent, index]);
    }
    const lastIndex = this.view.log(event.node).lastIndex;
    if (event.index <= lastIndex) return null;
    return violation(this.name, event.time,
      `Node ${event.node} committed index ${event.index} beyond its last index ${lastIndex}.`, [index]);
  }

  /** What observe() does for an `apply` event (its fields read by the caller). */
  onApply(node: NodeId, entry: EntrySummary, time: number, index: number): Violation | null {
    const commit = this.commit[node] ?? 0;
    if (commit === UNKNOWN || entry.index <= commit) return null;
    return violation(this.name, time,
      `Node ${node} applied index ${entry.index} beyond its commit index ${commit}.`, [this.commitEvent[node] ?? -1, index]);
  }

  /** What observe() does for an `append` event. */
  onAppend(event: TraceEventOf<'append'>, index: number): Violation | null {
    const effect = this.view.lastAppend;
    const node = event.node;
    if (effect !== null && event.from > effect.previousLastIndex + 1) {
      return violation(this.name, event.time,
        `Node ${node} appended from index ${event.from} but its log ended at index ${effect.previousLastIndex}, leaving a hole.`, [index]);
    }
    const commit = this.commit[node] ?? 0;
    if (effect !== null && effect.firstChangedIndex > 0 && effect.firstChangedIndex <= commit) {
      return violation(this.name, event.time,
        `Node ${node} replaced its entry at index ${effect.firstChangedIndex}, at or below its commit index ${commit}.`,
        [this.commitEvent[node] ?? -1, index]);
    }
    return this.checkEntryOrder(event, index);
  }

  /** Entries carry consecutive indexes and terms that never decrease along the log. */
  private checkEntryOrder(event: TraceEventOf<'append'>, index: number): Violation | null {
    let previousTerm = this.view.log(event.node).termAt(event.from - 1) ?? 0;
    for (let offset = 0; offset < event.entries.length; offset += 1) {
      const entry = event.entries[offset]!;
      const position = event.from + offset;
      if (entry.index !== position) {
        return violation(this.name, event.time, `Node ${event.node} stored an entry labelled index ${entry.index} at index ${position}.`, [index]);
      }
      if (entry.term < previousTerm) {
        return violation(this.name, event.time,
          `Node ${event.node}'s log has term ${entry.term} at index ${position} after term ${previousTerm}.`, [index]);
      }
      previousTerm = entry.term;
    }
    return null;
  }

  finish(): Violation | null {
    return null;
  }
}
