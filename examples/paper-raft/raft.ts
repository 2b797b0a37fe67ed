// A second, independent Raft, written from Figure 2 of the Raft paper ("In Search of an
// Understandable Consensus Algorithm", Ongaro and Ousterhout, 2014) against raftsim's contract
// (core/types.ts). It is small on purpose: elections, log replication with the simple back-off,
// the current-term commit rule and persistence through Ready. No PreVote, no CheckQuorum, no
// snapshots, no membership changes, no leadership transfer. Reads go through the log: the leader
// appends an empty entry and answers the read once that entry commits.
//
// It shares no code with core/raft.ts: only the contract's types and its AssertionError.
import { AssertionError } from '../../core/index.ts';
import type {
  AppendEntries, AppendEntriesReply, ConfChange, Entry, EntryData, HardState, KvCommand, Message, NodeId, NodeStatus,
  ProposeResult, RaftNodeApi, RaftOptions, ReadState, Ready, RequestVote, RequestVoteReply,
} from '../../core/index.ts';

type PaperRole = 'follower' | 'candidate' | 'leader';

/** What this implementation supports: raftsim draws only these features for it. */
export const capabilities = {
  name: 'paper-raft',
  version: '1.0.0',
  preVote: false,
  checkQuorum: false,
  snapshots: false,
  membership: false,
  leaseReads: false,
  transfer: false,
} as const;

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export class PaperRaft implements RaftNodeApi {
  readonly id: NodeId;
  private readonly options: RaftOptions;
  private readonly voters: readonly NodeId[];

  // Persistent state on all servers (Figure 2), written through Ready.
  private currentTerm = 0;
  private votedFor: NodeId | null = null;
  /** log[i - 1] is the entry at index i. */
  private log: Entry[] = [];

  // Volatile state on all servers.
  private commitIndex = 0;
  private role: PaperRole = 'follower';
  private leader: NodeId | null = null;
  private electionElapsed = 0;
  private electionTimeout = 0;
  private heartbeatElapsed = 0;
  private votes = new Set<NodeId>();

  // Volatile state on leaders, reinitialised after election.
  private nextIndex = new Map<NodeId, number>();
  private matchIndex = new Map<NodeId, number>();
  /** Reads waiting for the empty entry appended for them to commit. */
  private reads: ReadState[] = [];

  // What the host has not been handed yet.
  private outbox: Message[] = [];
  private readyReads: ReadState[] = [];
  /** First index of the entries not yet handed to the host for persisting (null: none). */
  private unsavedFrom: number | null = null;
  private savedHardState: HardState = { term: 0, vote: null, commit: 0 };
  /** The last index handed to the host to apply. */
  private handedCommit = 0;
  /** The batch being carried out between ready() and advance(). */
  private inFlight: { readonly hardState: HardState; readonly commit: number } | null = null;

  constructor(options: RaftOptions) {
    this.id = options.id;
    this.options = options;
    this.voters = options.config.voters;
    const persisted = options.persisted;
    if (persisted !== undefined) {
      check(persisted.snapshot === null, 'paper-raft takes no snapshots, yet one was persisted');
      this.currentTerm = persisted.hardState.term;
      this.votedFor = persisted.hardState.vote;
      this.log = [...persisted.entries];
      // The commit index is volatile in Figure 2; what was persisted is a safe lower bound.
      this.commitIndex = Math.min(persisted.hardState.commit, this.lastIndex());
      this.savedHardState = persisted.hardState;
    }
    this.resetElectionTimer();
  }

  // ---- inputs --------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') {
      if (++this.heartbeatElapsed >= this.options.heartbeatTicks) {
        this.heartbeatElapsed = 0;
        for (const peer of this.peers()) this.sendAppend(peer);
      }
      return;
    }
    if (++this.electionElapsed >= this.electionTimeout) this.startElection();
  }

  step(message: Message): void {
    if (message.to !== this.id || !this.voters.includes(message.from)) return;
    // Rules for all servers: a higher term makes us a follower of that term.
    if (message.term > this.currentTerm) this.becomeFollower(message.term, null);
    switch (message.type) {
      case 'RequestVote': return this.onRequestVote(message);
      case 'RequestVoteReply': return this.onRequestVoteReply(message);
      case 'AppendEntries': return this.onAppendEntries(message);
      case 'AppendEntriesReply': return this.onAppendEntriesReply(message);
      // Not part of Figure 2: nobody sends these to a paper-raft cluster.
      case 'InstallSnapshot': case 'InstallSnapshotReply': case 'TimeoutNow': return;
    }
  }

  propose(command: KvCommand): ProposeResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leaderHint: this.leader };
    const entry = this.append({ type: 'command', command });
    return { ok: true, index: entry.index, term: entry.term };
  }

  readIndex(context: number): ProposeResult {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leaderHint: this.leader };
    const entry = this.append({ type: 'noop' });
    this.reads.push({ context, index: entry.index });
    this.advanceCommit();
    return { ok: true, index: entry.index, term: entry.term };
  }

  proposeConfChange(_change: ConfChange): ProposeResult {
    return { ok: false, reason: 'invalid', leaderHint: null };
  }

  transferLeadership(_target: NodeId): ProposeResult {
    return { ok: false, reason: 'invalid', leaderHint: null };
  }

  compact(_index: number, _data: unknown): void {
    throw new Error('paper-raft takes no snapshots (declare snapshots: false and run with snapshotEveryEntries 0)');
  }

  // ---- Ready ---------------------------------------------------------------------------------

  hasReady(): boolean {
    return this.outbox.length > 0 || this.unsavedFrom !== null || this.readyReads.length > 0
      || this.commitIndex > this.handedCommit || this.hardStateChanged();
  }

  ready(): Ready {
    const hardState: HardState = { term: this.currentTerm, vote: this.votedFor, commit: this.commitIndex };
    const termOrVote = hardState.term !== this.savedHardState.term || hardState.vote !== this.savedHardState.vote;
    const entries = this.unsavedFrom === null ? [] : this.log.slice(this.unsavedFrom - 1);
    const batch: Ready = {
      hardState: this.hardStateChanged() ? hardState : null,
      entries,
      snapshot: null,
      messages: this.outbox,
      committed: this.log.slice(this.handedCommit, this.commitIndex),
      readStates: this.readyReads,
      mustSync: termOrVote || entries.length > 0,
    };
    this.inFlight = { hardState, commit: this.commitIndex };
    this.outbox = [];
    this.readyReads = [];
    this.unsavedFrom = null;
    return batch;
  }

  advance(): void {
    check(this.inFlight !== null, 'advance() without ready()');
    this.savedHardState = this.inFlight.hardState;
    this.handedCommit = this.inFlight.commit;
    this.inFlight = null;
  }

  status(): NodeStatus {
    return {
      id: this.id, role: this.role, term: this.currentTerm, vote: this.votedFor, leader: this.leader,
      commit: this.commitIndex, applied: this.handedCommit, firstIndex: 1, lastIndex: this.lastIndex(),
      lastTerm: this.lastTerm(), config: this.options.config,
    };
  }

  entries(from: number, to: number): readonly Entry[] {
    check(from >= 1 && to <= this.lastIndex(), `entries ${from}..${to} outside the log 1..${this.lastIndex()}`);
    return this.log.slice(from - 1, to);
  }

  /** Cheap checks, run by the host after every input: the log's tail, the commit index, the role. */
  assertInvariants(): void {
    const last = this.log[this.log.length - 1];
    const before = this.log[this.log.length - 2];
    check(last === undefined || last.index === this.log.length, `the last entry is at position ${this.log.length}, index ${last?.index}`);
    check(last === undefined || last.term <= this.currentTerm, `the last entry's term ${last?.term} is above the current ${this.currentTerm}`);
    check(last === undefined || before === undefined || before.term <= last.term, `the term goes down at index ${this.log.length}`);
    check(this.commitIndex <= this.lastIndex(), `commit ${this.commitIndex} past the last index ${this.lastIndex()}`);
    check(this.role !== 'leader' || (this.leader === this.id && this.votedFor === this.id), 'a leader that did not elect itself');
  }

  // ---- RequestVote (Figure 2, "RequestVote RPC") ---------------------------------------------

  private onRequestVote(request: RequestVote): void {
    const upToDate = request.lastLogTerm > this.lastTerm()
      || (request.lastLogTerm === this.lastTerm() && request.lastLogIndex >= this.lastIndex());
    const granted = request.term === this.currentTerm && upToDate
      && (this.votedFor === null || this.votedFor === request.from);
    if (granted) {
      this.votedFor = request.from;
      this.resetElectionTimer();
    }
    this.send({ type: 'RequestVoteReply', from: this.id, to: request.from, term: this.currentTerm, granted, preVote: false });
  }

  private onRequestVoteReply(reply: RequestVoteReply): void {
    if (this.role !== 'candidate' || reply.term !== this.currentTerm || !reply.granted) return;
    this.votes.add(reply.from);
    if (this.votes.size >= this.majority()) this.becomeLeader();
  }

  private startElection(): void {
    this.role = 'candidate';
    this.currentTerm++;
    this.votedFor = this.id;
    this.leader = null;
    this.votes = new Set([this.id]);
    this.resetElectionTimer();
    if (this.votes.size >= this.majority()) {
      this.becomeLeader();
      return;
    }
    for (const peer of this.peers()) {
      this.send({ type: 'RequestVote', from: this.id, to: peer, term: this.currentTerm,
        lastLogIndex: this.lastIndex(), lastLogTerm: this.lastTerm(), preVote: false, transfer: false });
    }
  }

  // ---- AppendEntries (Figure 2, "AppendEntries RPC") -----------------------------------------

  private onAppendEntries(request: AppendEntries): void {
    if (request.term < this.currentTerm) {
      this.replyAppend(request.from, false, 0, 0);
      return;
    }
    // A current-term leader exists: candidates step down, everyone restarts the election timer.
    if (this.role !== 'follower') this.becomeFollower(request.term, request.from);
    this.leader = request.from;
    this.resetElectionTimer();
    if (request.prevLogIndex > this.lastIndex()) {
      this.replyAppend(request.from, false, 0, this.lastIndex() + 1);
      return;
    }
    if (request.prevLogIndex > 0 && this.termAt(request.prevLogIndex) !== request.prevLogTerm) {
      this.replyAppend(request.from, false, 0, 0);
      return;
    }
    for (const entry of request.entries) {
      if (entry.index <= this.lastIndex()) {
        if (this.termAt(entry.index) === entry.term) continue;
        // A conflict: delete the existing entry and all that follow it.
        check(entry.index > this.commitIndex, `a leader overwrites committed index ${entry.index}`);
        this.log.length = entry.index - 1;
      }
      this.log.push(entry);
      this.markUnsaved(entry.index);
    }
    const lastNew = request.prevLogIndex + request.entries.length;
    if (request.leaderCommit > this.commitIndex) this.commitIndex = Math.max(this.commitIndex, Math.min(request.leaderCommit, lastNew));
    this.replyAppend(request.from, true, lastNew, 0);
  }

  private onAppendEntriesReply(reply: AppendEntriesReply): void {
    if (this.role !== 'leader' || reply.term !== this.currentTerm) return;
    const peer = reply.from;
    const match = this.matchIndex.get(peer) ?? 0;
    const next = this.nextIndex.get(peer) ?? 1;
    // Only a reply that teaches something sends more at once, so duplicated or late replies never
    // multiply the traffic; the heartbeat resends the rest.
    if (reply.success) {
      if (reply.matchIndex <= match) return;
      this.matchIndex.set(peer, reply.matchIndex);
      this.nextIndex.set(peer, Math.max(next, reply.matchIndex + 1));
      this.advanceCommit();
      if ((this.nextIndex.get(peer) ?? 1) <= this.lastIndex()) this.sendAppend(peer);
      return;
    }
    // The simple back-off: one entry back, or straight past the end of a follower's short log.
    const hint = reply.conflictIndex > 0 ? reply.conflictIndex : next - 1;
    const backed = Math.max(1, Math.min(next - 1, hint), match + 1);
    if (backed === next) return;
    this.nextIndex.set(peer, backed);
    this.sendAppend(peer);
  }

  private sendAppend(peer: NodeId): void {
    const next = this.nextIndex.get(peer) ?? this.lastIndex() + 1;
    const prevLogIndex = next - 1;
    const entries = this.log.slice(prevLogIndex, prevLogIndex + this.options.maxEntriesPerMessage);
    this.send({ type: 'AppendEntries', from: this.id, to: peer, term: this.currentTerm, prevLogIndex,
      prevLogTerm: this.termAt(prevLogIndex), entries, leaderCommit: this.commitIndex, round: 0 });
  }

  private replyAppend(to: NodeId, success: boolean, matchIndex: number, conflictIndex: number): void {
    this.send({ type: 'AppendEntriesReply', from: this.id, to, term: this.currentTerm, success, matchIndex,
      conflictTerm: 0, conflictIndex, round: 0 });
  }

  /** Rules for leaders: commit N if a majority matches it and log[N] is of the current term. */
  private advanceCommit(): void {
    for (let index = this.lastIndex(); index > this.commitIndex; index--) {
      if (this.termAt(index) !== this.currentTerm) break;
      const copies = this.voters.filter((voter) => voter === this.id || (this.matchIndex.get(voter) ?? 0) >= index).length;
      if (copies >= this.majority()) {
        this.commitIndex = index;
        break;
      }
    }
    const still: ReadState[] = [];
    for (const read of this.reads) (read.index <= this.commitIndex ? this.readyReads : still).push(read);
    this.reads = still;
  }

  // ---- roles ---------------------------------------------------------------------------------

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = null;
    }
    // A leader's timer was not running; a candidate's and a follower's keep counting (resetting
    // them on every higher term would let a node that cannot win hold everyone else back).
    if (this.role === 'leader') this.resetElectionTimer();
    this.role = 'follower';
    this.leader = leader;
    this.reads = [];
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.id;
    this.heartbeatElapsed = 0;
    this.nextIndex = new Map(this.peers().map((peer) => [peer, this.lastIndex() + 1]));
    this.matchIndex = new Map(this.peers().map((peer) => [peer, 0]));
    // An empty entry of the new term lets earlier entries commit without waiting for a client.
    this.append({ type: 'noop' });
    for (const peer of this.peers()) this.sendAppend(peer);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private append(data: EntryData): Entry {
    const entry: Entry = { index: this.lastIndex() + 1, term: this.currentTerm, data };
    this.log.push(entry);
    this.markUnsaved(entry.index);
    if (this.voters.length === 1) this.advanceCommit();
    return entry;
  }

  private markUnsaved(index: number): void {
    if (this.unsavedFrom === null || index < this.unsavedFrom) this.unsavedFrom = index;
  }

  private hardStateChanged(): boolean {
    const saved = this.savedHardState;
    return saved.term !== this.currentTerm || saved.vote !== this.votedFor || saved.commit !== this.commitIndex;
  }

  private send(message: Message): void {
    this.outbox.push(message);
  }

  private resetElectionTimer(): void {
    const base = this.options.electionTicks;
    this.electionElapsed = 0;
    this.electionTimeout = base + Math.floor(this.options.random.next() * base);
  }

  private peers(): NodeId[] {
    return this.voters.filter((voter) => voter !== this.id);
  }

  private majority(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  private lastIndex(): number {
    return this.log.length;
  }

  private lastTerm(): number {
    return this.termAt(this.lastIndex());
  }

  private termAt(index: number): number {
    return index === 0 ? 0 : (this.log[index - 1] as Entry).term;
  }
}

/** The factory raftsim calls for each node (and again on every restart). */
export function createNode(options: RaftOptions): RaftNodeApi {
  return new PaperRaft(options);
}
