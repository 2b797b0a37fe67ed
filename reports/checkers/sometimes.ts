// "Sometimes" counters: evidence that a run really exercised what its scenario claims (a split
// vote, a deposed leader, a truncated log), so that a green run cannot be one where nothing happened.
import { assertNever, type Role } from '../../core/index.ts';
import type { EntrySummary, TraceEvent } from '../../sim/events.ts';
import { pairKey, type ClusterView } from './cluster-view.ts';
import type { SometimesCounters } from './types.ts';

const CANDIDATE = 1;
const LEADER = 2;

export class SometimesCounter {
  /** Per term, a bit set: CANDIDATE when some node ran in it, LEADER when one was elected. */
  private readonly termFlags: number[] = [];
  private readonly roles: Role[] = [];
  /** Per node: restarted and not yet done reloading its log and snapshot. */
  private readonly reloading: boolean[] = [];
  /**
   * Per client command (client id, sequence): how often a client called it and how often a leader
   * took it into its log. A client of the simulator retries an operation without a new call (the
   * same command proposed again after a timeout, to another node), which a leader appends at a new
   * index; a scripted client retries with a new call. The larger of the two, less one, is the
   * command's retries.
   */
  private readonly commandSlots = new Map<number, number>();
  /** Per command, by its slot in commandSlots: calls and proposals (columns, not an object per command). */
  private readonly calls: number[] = [];
  private readonly proposals: number[] = [];
  private readonly openCalls = new Set<number>();
  private depositions = 0;
  private truncations = 0;
  private snapshotInstalls = 0;
  private clientRetries = 0;
  private unknownReturns = 0;
  private leadersElected = 0;

  constructor(private readonly view: ClusterView) {}

  observe(event: TraceEvent): void {
    switch (event.type) {
      // The most frequent events first (the suite does not pass message events here).
      case 'apply': case 'commit': case 'compact': case 'crash': case 'pause': case 'resume':
        this.reloading[event.node] = false;
        return;
      case 'send': case 'deliver': case 'drop': case 'duplicate': case 'partition': case 'heal':
      case 'phase': case 'violation': case 'checkpoint': case 'assertion':
        return;
      case 'role': return this.onRole(event.node, event.role, event.term);
      case 'term': this.flagTerm(event.term, 0); this.reloading[event.node] = false; return;
      case 'append': this.onAppend(event.node, event.entries); return;
      case 'snapshot':
        if (this.reloading[event.node] !== true) this.snapshotInstalls += 1;
        return;
      case 'restart': this.reloading[event.node] = true; return;
      case 'call': return this.onCall(event.client, event.op, event.input.type === 'command' ? event.input.command : null);
      case 'return':
        this.openCalls.delete(pairKey(event.client, event.op));
        if (event.output.type === 'unknown') this.unknownReturns += 1;
        return;
      default: return assertNever(event);
    }
  }

  /** What observe() does for an `apply` or `commit` event of `node` (read by the caller). */
  noteLogEvent(node: number): void {
    this.reloading[node] = false;
  }

  /** What observe() does for an `append` event of `node` with `entries` (read by the caller). */
  onAppend(node: number, entries: readonly EntrySummary[]): void {
    const effect = this.view.lastAppend;
    const reloading = this.reloading[node] === true;
    if (effect !== null && effect.firstChangedIndex > 0 && !reloading) this.truncations += 1;
    // A leader appends only what was proposed to it: a command it takes again is a retry.
    if (!reloading && this.roles[node] === 'leader') this.onProposed(entries);
    this.reloading[node] = false;
  }

  counters(): SometimesCounters {
    let splitVotes = 0;
    let termsSeen = 0;
    for (const flags of this.termFlags) {
      if (flags === undefined) continue;
      termsSeen += 1;
      if (flags === CANDIDATE) splitVotes += 1;
    }
    return {
      splitVotes, termsSeen,
      depositions: this.depositions,
      truncations: this.truncations,
      snapshotInstalls: this.snapshotInstalls,
      clientRetries: this.clientRetries,
      indeterminateOperations: this.unknownReturns + this.openCalls.size,
      leadersElected: this.leadersElected,
    };
  }

  private onRole(node: number, role: Role, term: number): void {
    const previous = this.roles[node];
    this.roles[node] = role;
    this.reloading[node] = false;
    if (previous === 'leader' && role === 'follower') this.depositions += 1;
    if (role === 'leader') this.leadersElected += 1;
    this.flagTerm(term, role === 'candidate' ? CANDIDATE : role === 'leader' ? LEADER : 0);
  }

  private flagTerm(term: number, flag: number): void {
    if (term < 1) return;
    this.termFlags[term] = (this.termFlags[term] ?? 0) | flag;
  }

  private onCall(client: number, op: number, command: { readonly clientId: number; readonly sequence: number } | null): void {
    this.openCalls.add(pairKey(client, op));
    if (command === null) return;
    const slot = this.slotOf(pairKey(command.clientId, command.sequence));
    const calls = (this.calls[slot] as number) + 1;
    this.calls[slot] = calls;
    if (calls > 1 && calls > (this.proposals[slot] as number)) this.clientRetries += 1;
  }

  private onProposed(entries: readonly EntrySummary[]): void {
    for (const entry of entries) {
      if (entry.clientId === undefined || entry.sequence === undefined) continue;
      const slot = this.slotOf(pairKey(entry.clientId, entry.sequence));
      const proposals = (this.proposals[slot] as number) + 1;
      this.proposals[slot] = proposals;
      if (proposals > 1 && proposals > (this.calls[slot] as number)) this.clientRetries += 1;
    }
  }

  /** The command's slot in the calls and proposals columns, added (both 0) at its first sight. */
  private slotOf(key: number): number {
    let slot = this.commandSlots.get(key);
    if (slot === undefined) {
      slot = this.calls.length;
      this.calls.push(0);
      this.proposals.push(0);
      this.commandSlots.set(key, slot);
    }
    return slot;
  }
}
