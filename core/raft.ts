// RaftNode: a deterministic Raft state machine in the style of etcd-io/raft. Inputs are calls
// (tick, step, propose, ...); outputs are data drained through ready()/advance(). One prelude
// handles terms for every message, then one step function per role takes over. Role changes
// happen only in becomeFollower, becomePreCandidate, becomeCandidate and becomeLeader.
import type {
  AppendEntries, AppendEntriesReply, ClusterConfig, ConfChange, Entry, EntryData, HardState,
  InstallSnapshot, InstallSnapshotReply, KvCommand, Message, NodeId, NodeStatus, ProposeResult,
  RaftNodeApi, RaftOptions, Ready, ReadState, RequestVote, Role, Snapshot,
} from './types.ts';
import { NO_BUGS } from './bugs.ts';
import { mutationsOf } from './mutations.ts';
import type { Mutations } from './mutations.ts';
import { AssertionError, assert, assertNever } from './assert.ts';
import { RaftLog } from './log.ts';
import { Progress } from './progress.ts';
import { hasQuorum, quorumValue, voteResult } from './quorum.ts';
import { ReadOnlyQueue, MAX_PENDING_READS } from './read-only.ts';
import { applyConfChange, assertValidConfig, confChangeProblem, isMember, isVoter } from './membership.ts';

interface FollowerState {
  readonly role: 'follower';
}

interface CandidateState {
  readonly role: 'candidate' | 'precandidate';
  /** Answer of each voter, indexed by node id; undefined until it answers. */
  readonly votes: (boolean | undefined)[];
  /** Granted replies counted as they come (only the count-duplicate-votes mutant uses it). */
  grantedReplies: number;
}

/** Rounds remembered for leases: a quorum round older than this gives no lease. */
const ROUND_HISTORY = 64;

interface LeaderState {
  readonly role: 'leader';
  /** Progress of every other member, indexed by node id. */
  readonly progress: (Progress | undefined)[];
  readonly reads: ReadOnlyQueue;
  /** Current heartbeat round; every message the leader sends carries it. */
  round: number;
  /** Tick at which each recent round started, indexed by round % ROUND_HISTORY. */
  readonly roundTicks: number[];
  transferTarget: NodeId | null;
  /**
   * A TimeoutNow went out in this term. Its target wins at once, whatever the voters' leases (a
   * transfer's votes ignore them), for as long as it may still be in flight: no lease holds again.
   */
  timeoutNowSent: boolean;
  heartbeatElapsed: number;
}

type RoleState = FollowerState | CandidateState | LeaderState;

/** The options a node reads as it runs. */
type NodeSettings = Pick<RaftOptions, 'config' | 'electionTicks' | 'heartbeatTicks' | 'random' | 'leaseReads'
  | 'maxEntriesPerMessage' | 'maxBytesPerMessage' | 'maxInflightMessages'>;

type CampaignKind = 'preVote' | 'election' | 'transfer';

const NO_ENTRIES: readonly Entry[] = [];

function fail(message: string): never {
  throw new AssertionError(message);
}

function isReply(message: Message): boolean {
  return message.type === 'AppendEntriesReply' || message.type === 'RequestVoteReply'
    || message.type === 'InstallSnapshotReply';
}

function validateOptions(options: RaftOptions): void {
  if (!(Number.isInteger(options.id) && options.id >= 1)) assert(false, `id must be a positive integer, got ${options.id}`);
  if (options.heartbeatTicks < 1) assert(false, `heartbeatTicks must be >= 1, got ${options.heartbeatTicks}`);
  assert(options.electionTicks > options.heartbeatTicks,
    `electionTicks (${options.electionTicks}) must be > heartbeatTicks (${options.heartbeatTicks})`);
  if (options.maxEntriesPerMessage < 1) assert(false, `maxEntriesPerMessage must be >= 1, got ${options.maxEntriesPerMessage}`);
  if (options.maxBytesPerMessage < 1) assert(false, `maxBytesPerMessage must be >= 1, got ${options.maxBytesPerMessage}`);
  if (options.maxInflightMessages < 1) assert(false, `maxInflightMessages must be >= 1, got ${options.maxInflightMessages}`);
}

export class RaftNode implements RaftNodeApi {
  readonly id: NodeId;
  private readonly options: NodeSettings;
  private readonly mutations: Mutations;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;

  /** Invariant: never decreases. */
  private term = 0;
  /** Invariant: at most one vote per term (changes only together with term, or from null). */
  private vote: NodeId | null = null;
  private leader: NodeId | null = null;
  private readonly log: RaftLog;
  /** Invariant: snapshotIndex <= applied <= applying <= commit <= lastIndex. */
  private commit: number;
  private applied: number;
  /** Highest index handed to the host in ready().committed (applied at advance()). */
  private applying: number;
  /** Configuration in force: the last one in the log (thesis 4.1), even if uncommitted. */
  private config: ClusterConfig;
  /** Index of the entry that set config; snapshotIndex (or 0) when it came from the base. */
  private configIndex: number;
  private state: RoleState = { role: 'follower' };

  private now = 0;
  private electionElapsed = 0;
  private randomizedElectionTimeout = 0;

  private messages: Message[] = [];
  private readStates: ReadState[] = [];
  private pendingSnapshot: Snapshot | null = null;
  /** The hard state last handed to the host. */
  private persistedHardState: HardState;

  private checkedTerm = 0;
  private checkedVote: NodeId | null = null;
  private checkedCommit = 0;

  constructor(options: RaftOptions) {
    validateOptions(options);
    this.id = options.id;
    // Copied into an object of one shape: hosts build the options by spreading others, in shapes
    // that differ between runs, and reading those on every tick was a megamorphic lookup.
    this.options = {
      config: options.config, electionTicks: options.electionTicks, heartbeatTicks: options.heartbeatTicks,
      random: options.random, leaseReads: options.leaseReads, maxEntriesPerMessage: options.maxEntriesPerMessage,
      maxBytesPerMessage: options.maxBytesPerMessage, maxInflightMessages: options.maxInflightMessages,
    };
    this.mutations = mutationsOf(options.bugs ?? NO_BUGS);
    this.preVote = options.preVote && !this.mutations.noPrevoteNoCheckquorum;
    this.checkQuorum = options.checkQuorum && !this.mutations.noPrevoteNoCheckquorum;
    const persisted = options.persisted;
    this.log = new RaftLog(persisted?.snapshot ?? null, persisted?.entries ?? NO_ENTRIES);
    this.persistedHardState = persisted?.hardState ?? { term: 0, vote: null, commit: 0 };
    this.term = this.persistedHardState.term;
    this.vote = this.persistedHardState.vote;
    // Commit is volatile in Raft; clamp it so a host that lost a tail cannot break invariants.
    this.commit = Math.max(this.log.snapshotIndex, Math.min(this.persistedHardState.commit, this.log.lastIndex()));
    this.applied = this.log.snapshotIndex;
    this.applying = this.log.snapshotIndex;
    this.config = this.configAt(this.log.lastIndex());
    this.configIndex = this.lastConfChangeIndex();
    assertValidConfig(this.config);
    this.checkedTerm = this.term;
    this.checkedVote = this.vote;
    this.checkedCommit = this.commit;
    this.becomeFollower(this.term, null);
    this.assertInvariants();
  }

  // -------------------------------------------------------------------------------------------
  // Inputs.

  tick(): void {
    this.now++;
    if (this.state.role === 'leader') this.tickLeader(this.state);
    else this.tickElection();
    this.assertInvariants();
  }

  step(message: Message): void {
    if (message.to !== this.id) assert(false, `message for ${message.to} stepped into node ${this.id}`);
    if (this.stepTerm(message)) this.stepRole(message);
    this.assertInvariants();
  }

  propose(command: KvCommand): ProposeResult {
    const refusal = this.proposalRefusal();
    if (refusal !== null) return refusal;
    const entry = this.appendAsLeader({ type: 'command', command });
    this.assertInvariants();
    return { ok: true, index: entry.index, term: entry.term };
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    const refusal = this.proposalRefusal();
    if (refusal !== null) return refusal;
    const busy = this.configIndex > this.commit
      || (!this.committedInTerm() && !this.mutations.singleServerChangeNoTermCommit);
    if (busy) return { ok: false, reason: 'busy', leaderHint: this.id };
    if (confChangeProblem(this.config, change) !== null) return { ok: false, reason: 'invalid', leaderHint: this.id };
    const entry = this.appendAsLeader({ type: 'confChange', change });
    this.assertInvariants();
    return { ok: true, index: entry.index, term: entry.term };
  }

  readIndex(context: number): ProposeResult {
    const state = this.state;
    if (state.role !== 'leader') return { ok: false, reason: 'not-leader', leaderHint: this.leader };
    if (state.reads.size >= MAX_PENDING_READS) return { ok: false, reason: 'busy', leaderHint: this.id };
    const result: ProposeResult = { ok: true, index: this.commit, term: this.term };
    if (this.mutations.readLocalOnLeader) {
      this.readStates.push({ context, index: this.commit });
      return result;
    }
    const termCommitted = this.committedInTerm() || this.mutations.noNoopOnElection;
    if (termCommitted && this.leaseHolds(state)) {
      this.readStates.push({ context, index: this.commit });
      return result;
    }
    this.startRound(state);
    state.reads.add({ context, index: termCommitted ? this.commit : -1, round: state.round });
    this.broadcastHeartbeat(state);
    this.releaseReads(state);
    this.assertInvariants();
    return result;
  }

  transferLeadership(target: NodeId): ProposeResult {
    const state = this.state;
    if (state.role !== 'leader') return { ok: false, reason: 'not-leader', leaderHint: this.leader };
    if (target === this.id) return { ok: true, index: this.log.lastIndex(), term: this.term };
    if (!isVoter(this.config, target)) return { ok: false, reason: 'invalid', leaderHint: this.id };
    state.transferTarget = target;
    // The transfer is aborted when the election timer runs out (tickLeader).
    this.electionElapsed = 0;
    const progress = state.progress[target];
    if (progress === undefined) assert(false, `no progress for voter ${target}`);
    if (progress.match === this.log.lastIndex()) this.sendTimeoutNow(state, target);
    else this.sendAppend(state, target, false);
    this.assertInvariants();
    return { ok: true, index: this.log.lastIndex(), term: this.term };
  }

  compact(index: number, data: unknown): void {
    if (index > this.applied) assert(false, `cannot compact to ${index}: only ${this.applied} is applied`);
    if (index <= this.log.snapshotIndex) return;
    const term = this.log.term(index);
    if (term === undefined) assert(false, `no term at ${index}`);
    this.log.compact({ metadata: { index, term, config: this.configAt(index) }, data });
    this.assertInvariants();
  }

  // -------------------------------------------------------------------------------------------
  // Outputs.

  hasReady(): boolean {
    return this.messages.length > 0 || this.log.hasUnstable() || this.pendingSnapshot !== null
      || this.hardStateChanged() || this.commit > this.applying || this.readStates.length > 0;
  }

  ready(): Ready {
    const snapshot = this.pendingSnapshot;
    const termOrVoteChanged = this.term !== this.persistedHardState.term || this.vote !== this.persistedHardState.vote;
    let hardState: HardState | null = null;
    if (this.hardStateChanged()) {
      hardState = this.mutations.voteNotPersisted
        ? { term: this.persistedHardState.term, vote: this.persistedHardState.vote, commit: this.commit }
        : { term: this.term, vote: this.vote, commit: this.commit };
      this.persistedHardState = hardState;
    }
    const entries = this.log.takeUnstable();
    const committed = this.log.slice(Math.max(this.applying, this.log.snapshotIndex) + 1, this.commit);
    this.applying = this.commit;
    const messages = this.messages;
    const readStates = this.readStates;
    this.messages = [];
    this.readStates = [];
    this.pendingSnapshot = null;
    const durable = (termOrVoteChanged && !this.mutations.voteNotPersisted) || entries.length > 0 || snapshot !== null;
    const mustSync = durable && !this.mutations.ackBeforeDurable;
    return { hardState, entries, snapshot, messages, committed, readStates, mustSync };
  }

  advance(): void {
    this.applied = this.applying;
    // Only `applied` changed since the input that ended with assertInvariants() (ready() hands
    // out what is pending and moves `applying` up to the commit index): its own bound is checked.
    if (this.applied > this.commit) fail(`node ${this.id}: applied ${this.applied} > commit ${this.commit}`);
  }

  status(): NodeStatus {
    return {
      id: this.id, role: this.state.role, term: this.term, vote: this.vote, leader: this.leader,
      commit: this.commit, applied: this.applied, firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm(), config: this.config,
    };
  }

  // Single fields of status(), for a host that reads them after every input (sim/host.ts): the
  // whole status is an object of eleven fields built for each call.
  currentRole(): Role {
    return this.state.role;
  }

  currentTerm(): number {
    return this.term;
  }

  votedFor(): NodeId | null {
    return this.vote;
  }

  commitIndex(): number {
    return this.commit;
  }

  entries(from: number, to: number): readonly Entry[] {
    return this.log.slice(from, to);
  }

  assertInvariants(): void {
    // Conditions are tested before building messages: this runs after every input.
    const last = this.log.lastIndex();
    if (this.commit > last) fail(`node ${this.id}: commit ${this.commit} > last index ${last}`);
    if (this.commit < this.log.snapshotIndex) fail(`node ${this.id}: commit ${this.commit} < snapshot ${this.log.snapshotIndex}`);
    if (this.applying > this.commit) fail(`node ${this.id}: applying ${this.applying} > commit ${this.commit}`);
    if (this.applied > this.applying) fail(`node ${this.id}: applied ${this.applied} > applying ${this.applying}`);
    if (this.term < this.checkedTerm) fail(`node ${this.id}: term went back from ${this.checkedTerm} to ${this.term}`);
    if (this.commit < this.checkedCommit) fail(`node ${this.id}: commit went back from ${this.checkedCommit} to ${this.commit}`);
    const sameTerm = this.term === this.checkedTerm;
    const votedTwice = sameTerm && this.checkedVote !== null && this.vote !== null && this.vote !== this.checkedVote;
    if (votedTwice) fail(`node ${this.id}: second vote in term ${this.term} (${this.checkedVote} then ${this.vote})`);
    // Remember the vote of this term even if it is later forgotten, to catch a second one.
    if (!sameTerm || this.vote !== null) this.checkedVote = this.vote;
    this.checkedTerm = this.term;
    this.checkedCommit = this.commit;
    this.log.assertInvariants();
    this.assertRoleInvariants(last);
  }

  private assertRoleInvariants(last: number): void {
    const state = this.state;
    switch (state.role) {
      case 'follower':
      case 'precandidate':
        return;
      case 'candidate':
        if (this.vote !== this.id) fail(`node ${this.id}: candidate did not vote for itself`);
        return;
      case 'leader':
        if (this.leader !== this.id) fail(`node ${this.id}: leader does not know it leads`);
        for (const progress of state.progress) {
          if (progress === undefined) continue;
          if (progress.match >= progress.next) fail(`node ${this.id}: match ${progress.match} >= next ${progress.next}`);
          if (progress.next > last + 1) fail(`node ${this.id}: next ${progress.next} beyond last index ${last}`);
        }
        return;
      default:
        assertNever(state);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Role changes.

  private becomeFollower(term: number, leader: NodeId | null): void {
    if (term !== this.term) {
      if (term <= this.term) assert(false, `term must not decrease (${this.term} -> ${term})`);
      this.term = term;
      this.vote = null;
    }
    this.state = { role: 'follower' };
    this.leader = leader;
    this.resetElectionTimer();
  }

  private becomePreCandidate(): void {
    // A PreVote changes neither term nor vote: a rejoining node cannot disrupt anyone.
    this.state = { role: 'precandidate', votes: [], grantedReplies: 0 };
    this.leader = null;
    this.resetElectionTimer();
  }

  private becomeCandidate(): void {
    assert(this.state.role !== 'leader', 'a leader cannot become candidate');
    this.term++;
    this.vote = this.id;
    this.state = { role: 'candidate', votes: [], grantedReplies: 0 };
    this.leader = null;
    this.resetElectionTimer();
  }

  private becomeLeader(): void {
    if (this.state.role !== 'candidate') assert(false, `only a candidate becomes leader, not a ${this.state.role}`);
    const state: LeaderState = {
      role: 'leader', progress: [], reads: new ReadOnlyQueue(), round: 0,
      roundTicks: new Array<number>(ROUND_HISTORY).fill(-Infinity), transferTarget: null, timeoutNowSent: false,
      heartbeatElapsed: 0,
    };
    this.state = state;
    this.leader = this.id;
    this.resetElectionTimer();
    this.syncProgressWithConfig(state);
    if (this.mutations.noNoopOnElection) {
      this.broadcastAppend(state, true);
    } else {
      // The no-op commits everything before it and lets reads and conf changes start (thesis 6.4).
      this.appendAsLeader({ type: 'noop' });
    }
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    const base = this.options.electionTicks;
    this.randomizedElectionTimeout = this.mutations.electionTimeoutNotRandomized
      ? base
      : base + Math.floor(this.options.random.next() * base);
  }

  // -------------------------------------------------------------------------------------------
  // Ticks.

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed < this.randomizedElectionTimeout) return;
    if (!this.mayCampaign()) return;
    this.campaign(this.preVote ? 'preVote' : 'election');
  }

  /**
   * Voters campaign, and so does a node its latest configuration removed while that configuration
   * is not committed: the entry may be only in its own log, and then no one else can win without
   * it (thesis 4.2.2); its own vote does not count. A learner never campaigns.
   */
  private mayCampaign(): boolean {
    return isVoter(this.config, this.id) || (!isMember(this.config, this.id) && this.configIndex > this.commit);
  }

  private tickLeader(state: LeaderState): void {
    state.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.options.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum && !this.quorumRecentlyHeard(state, this.options.electionTicks)) {
        this.becomeFollower(this.term, null);
        return;
      }
      state.transferTarget = null;
    }
    if (state.heartbeatElapsed >= this.options.heartbeatTicks) {
      state.heartbeatElapsed = 0;
      this.startRound(state);
      this.broadcastHeartbeat(state);
    }
  }

  private quorumRecentlyHeard(state: LeaderState, withinTicks: number): boolean {
    return hasQuorum(this.config.voters, (id) => id === this.id
      || (state.progress[id]?.lastHeardTick ?? -Infinity) > this.now - withinTicks);
  }

  private campaign(kind: CampaignKind): void {
    if (kind === 'preVote') this.becomePreCandidate();
    else this.becomeCandidate();
    const state = this.state;
    assert(state.role === 'candidate' || state.role === 'precandidate', 'campaign without candidacy');
    const voteTerm = kind === 'preVote' ? this.term + 1 : this.term;
    if (this.recordVote(state, this.id, true)) return;
    for (const voter of this.config.voters) {
      if (voter === this.id) continue;
      this.messages.push({
        type: 'RequestVote', from: this.id, to: voter, term: voteTerm, lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(), preVote: kind === 'preVote', transfer: kind === 'transfer',
      });
    }
  }

  /** Records an answer; returns true when it decided the election (the role has changed). */
  private recordVote(state: CandidateState, from: NodeId, granted: boolean): boolean {
    if (state.votes[from] === undefined) state.votes[from] = granted;
    if (granted && isVoter(this.config, from)) state.grantedReplies++;
    let result = voteResult(this.config.voters, (id) => state.votes[id]);
    if (this.mutations.countDuplicateVotes && state.grantedReplies >= Math.floor(this.config.voters.length / 2) + 1) {
      result = 'won';
    }
    switch (result) {
      case 'pending': return false;
      case 'lost':
        this.becomeFollower(this.term, null);
        return true;
      case 'won':
        if (state.role === 'precandidate') this.campaign('election');
        else this.becomeLeader();
        return true;
      default:
        return assertNever(result);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The prelude: term rules for every message, in one place.

  /** Returns whether the message goes on to the role's step function. */
  private stepTerm(message: Message): boolean {
    if (message.term > this.term) return this.stepHigherTerm(message);
    if (message.term < this.term) return this.stepLowerTerm(message);
    return true;
  }

  private stepHigherTerm(message: Message): boolean {
    if (message.type === 'RequestVote') {
      // CheckQuorum's other half: while a leader is known to be alive, ignore disruptive votes.
      if (!message.transfer && this.inLease()) return false;
      if (message.preVote) return true;
    }
    if (message.type === 'RequestVoteReply' && message.preVote && message.granted) return true;
    if (isReply(message) && this.state.role === 'leader' && this.mutations.noStepdownOnHigherTerm) return false;
    const fromLeader = message.type === 'AppendEntries' || message.type === 'InstallSnapshot' || message.type === 'TimeoutNow';
    this.becomeFollower(message.term, fromLeader ? message.from : null);
    return true;
  }

  private stepLowerTerm(message: Message): boolean {
    switch (message.type) {
      case 'AppendEntries':
        if (this.mutations.aeAcceptStaleTerm && this.state.role === 'follower') return true;
        // Tell a deposed leader the current term so it steps down.
        this.send({ type: 'AppendEntriesReply', from: this.id, to: message.from, term: this.term, success: false, matchIndex: 0, conflictTerm: 0, conflictIndex: 0, round: message.round });
        return false;
      case 'InstallSnapshot':
        this.send({ type: 'InstallSnapshotReply', from: this.id, to: message.from, term: this.term, matchIndex: 0, round: message.round });
        return false;
      case 'RequestVote':
        this.send({ type: 'RequestVoteReply', from: this.id, to: message.from, term: this.term, granted: false, preVote: message.preVote });
        return false;
      case 'AppendEntriesReply':
      case 'InstallSnapshotReply':
      case 'RequestVoteReply':
      case 'TimeoutNow':
        return false;
      default:
        return assertNever(message);
    }
  }

  private inLease(): boolean {
    return this.checkQuorum && this.leader !== null && this.electionElapsed < this.options.electionTicks;
  }

  private stepRole(message: Message): void {
    if (message.type === 'RequestVote') {
      this.handleRequestVote(message);
      return;
    }
    const state = this.state;
    switch (state.role) {
      case 'leader': return this.stepLeader(state, message);
      case 'candidate':
      case 'precandidate': return this.stepCandidate(state, message);
      case 'follower': return this.stepFollower(message);
      default: return assertNever(state);
    }
  }

  private handleRequestVote(message: RequestVote): void {
    const canVote = this.vote === message.from || this.vote === null
      || (message.preVote && message.term > this.term);
    const upToDate = this.mutations.voteSkipUptodateCheck
      || this.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
    if (canVote && upToDate) {
      if (!message.preVote) {
        this.vote = message.from;
        this.electionElapsed = 0;
      }
      // A granted PreVote answers at the term asked about, so the prelude lets it through.
      this.send({ type: 'RequestVoteReply', from: this.id, to: message.from, term: message.term, granted: true, preVote: message.preVote });
      return;
    }
    this.send({ type: 'RequestVoteReply', from: this.id, to: message.from, term: this.term, granted: false, preVote: message.preVote });
  }

  // -------------------------------------------------------------------------------------------
  // Follower and candidate.

  private stepFollower(message: Exclude<Message, RequestVote>): void {
    switch (message.type) {
      case 'AppendEntries':
        this.heardFromLeader(message.from);
        this.handleAppendEntries(message);
        return;
      case 'InstallSnapshot':
        this.heardFromLeader(message.from);
        this.handleInstallSnapshot(message);
        return;
      case 'TimeoutNow':
        if (isVoter(this.config, this.id)) this.campaign('transfer');
        return;
      case 'AppendEntriesReply':
      case 'InstallSnapshotReply':
      case 'RequestVoteReply':
        return;
      default:
        assertNever(message);
    }
  }

  private heardFromLeader(from: NodeId): void {
    this.leader = from;
    this.electionElapsed = 0;
    if (this.mutations.voteClearOnSameTerm) this.vote = null;
  }

  private stepCandidate(state: CandidateState, message: Exclude<Message, RequestVote>): void {
    switch (message.type) {
      case 'AppendEntries':
      case 'InstallSnapshot':
        // A leader exists in this term (or, for a precandidate, the term it is in).
        this.becomeFollower(this.term, message.from);
        this.stepFollower(message);
        return;
      case 'RequestVoteReply':
        if (message.preVote !== (state.role === 'precandidate')) return;
        this.recordVote(state, message.from, message.granted);
        return;
      case 'AppendEntriesReply':
      case 'InstallSnapshotReply':
      case 'TimeoutNow':
        return;
      default:
        assertNever(message);
    }
  }

  private handleAppendEntries(message: AppendEntries): void {
    if (message.leaderCommit < this.commit && this.mutations.commitindexRegress) this.regressCommit(message.leaderCommit);
    let prevIndex = message.prevLogIndex;
    let prevTerm = message.prevLogTerm;
    let entries = message.entries;
    if (prevIndex < this.commit) {
      // Committed entries match the leader's; skip them (they may be compacted here).
      const skip = Math.min(entries.length, this.commit - prevIndex);
      entries = skip > 0 ? entries.slice(skip) : entries;
      prevIndex += skip;
      prevTerm = skip > 0 ? (message.entries[skip - 1] as Entry).term : prevTerm;
      if (prevIndex < this.commit) {
        this.replyAppend(message, true, this.commit);
        return;
      }
    }
    if (!this.log.matchTerm(prevIndex, prevTerm)) {
      this.rejectAppend(message, prevIndex);
      return;
    }
    const lastNew = this.appendAsFollower(prevIndex, entries);
    const commitBound = this.mutations.followerCommitUnbounded ? this.log.lastIndex() : lastNew;
    const newCommit = Math.min(message.leaderCommit, commitBound);
    if (newCommit > this.commit) this.commit = newCommit;
    this.replyAppend(message, true, lastNew);
  }

  /** Places entries after prevIndex, truncating only at the first real conflict; returns the last new index. */
  private appendAsFollower(prevIndex: number, entries: readonly Entry[]): number {
    const lastNew = prevIndex + entries.length;
    if (this.mutations.aeAppendNonidempotent) {
      const base = this.log.lastIndex() + 1;
      this.appendToLog(entries.map((entry, offset) => ({ index: base + offset, term: entry.term, data: entry.data })));
      return this.log.lastIndex();
    }
    if (this.mutations.aeTruncateWithoutConflict) {
      if (entries.length > 0 || prevIndex < this.log.lastIndex()) this.truncateLog(prevIndex + 1);
      this.appendToLog(entries);
      return lastNew;
    }
    const conflict = this.log.findConflict(entries);
    if (conflict === 0) return lastNew;
    if (conflict <= this.commit) assert(false, `node ${this.id}: conflict at ${conflict} is at or below commit ${this.commit}`);
    this.appendToLog(entries.slice(conflict - prevIndex - 1));
    return lastNew;
  }

  private regressCommit(newCommit: number): void {
    this.commit = Math.max(newCommit, this.log.snapshotIndex);
    this.applying = Math.min(this.applying, this.commit);
    this.applied = Math.min(this.applied, this.commit);
  }

  private rejectAppend(message: AppendEntries, prevIndex: number): void {
    const last = this.log.lastIndex();
    let conflictTerm = 0;
    let conflictIndex = last + 1;
    if (prevIndex <= last) {
      conflictTerm = this.log.term(prevIndex) ?? 0;
      conflictIndex = this.log.firstIndexOfTermAt(prevIndex, this.commit + 1);
    }
    this.send({ type: 'AppendEntriesReply', from: this.id, to: message.from, term: this.term, success: false, matchIndex: 0, conflictTerm, conflictIndex, round: message.round });
  }

  private replyAppend(message: AppendEntries, success: boolean, matchIndex: number): void {
    this.send({ type: 'AppendEntriesReply', from: this.id, to: message.from, term: this.term, success, matchIndex, conflictTerm: 0, conflictIndex: 0, round: message.round });
  }

  private handleInstallSnapshot(message: InstallSnapshot): void {
    const metadata = message.snapshot.metadata;
    const stale = metadata.index <= this.commit && !this.mutations.snapshotInstallStale;
    if (stale) {
      this.send({ type: 'InstallSnapshotReply', from: this.id, to: message.from, term: this.term, matchIndex: this.commit, round: message.round });
      return;
    }
    if (this.log.matchTerm(metadata.index, metadata.term) && metadata.index >= this.commit) {
      // The log already holds the snapshot's last entry: keep the tail, just commit up to it.
      this.commit = metadata.index;
    } else {
      this.log.restore(message.snapshot);
      this.pendingSnapshot = message.snapshot;
      this.commit = metadata.index;
      this.applying = metadata.index;
      this.applied = Math.min(this.applied, metadata.index);
      this.config = metadata.config;
      this.configIndex = metadata.index;
    }
    this.send({ type: 'InstallSnapshotReply', from: this.id, to: message.from, term: this.term, matchIndex: metadata.index, round: message.round });
  }

  // -------------------------------------------------------------------------------------------
  // Leader.

  private stepLeader(state: LeaderState, message: Exclude<Message, RequestVote>): void {
    switch (message.type) {
      case 'AppendEntriesReply': return this.handleAppendReply(state, message);
      case 'InstallSnapshotReply': return this.handleSnapshotReply(state, message);
      case 'AppendEntries':
      case 'InstallSnapshot':
        // Another leader in this term breaks election safety; the checkers report it.
        return;
      case 'RequestVoteReply':
      case 'TimeoutNow':
        return;
      default:
        return assertNever(message);
    }
  }

  private heardFromFollower(state: LeaderState, progress: Progress, round: number): void {
    progress.lastHeardTick = this.now;
    if (round > progress.ackedRound && round <= state.round) progress.ackedRound = round;
  }

  private handleAppendReply(state: LeaderState, message: AppendEntriesReply): void {
    const progress = state.progress[message.from];
    if (progress === undefined) return;
    this.heardFromFollower(state, progress, message.round);
    if (message.success) {
      const matched = this.mutations.matchindexFromLeaderState ? this.log.lastIndex() : message.matchIndex;
      this.onMatched(state, message.from, progress, Math.min(matched, this.log.lastIndex()));
    } else {
      this.backtrack(progress, message);
    }
    if (this.state !== state) return;
    this.releaseReads(state);
    this.fillPipeline(state, message.from);
  }

  private handleSnapshotReply(state: LeaderState, message: InstallSnapshotReply): void {
    const progress = state.progress[message.from];
    if (progress === undefined) return;
    this.heardFromFollower(state, progress, message.round);
    this.onMatched(state, message.from, progress, Math.min(message.matchIndex, this.log.lastIndex()));
    if (this.state !== state) return;
    if (progress.state === 'snapshot' && progress.match >= progress.pendingSnapshot) progress.becomeProbe(progress.match + 1);
    this.releaseReads(state);
    this.fillPipeline(state, message.from);
  }

  private onMatched(state: LeaderState, from: NodeId, progress: Progress, matched: number): void {
    const moved = progress.maybeUpdate(matched, this.now);
    // In probe, only a reply that raises match or confirms it answers the probe out; an older
    // success (duplicated or overtaken) neither unpauses the probe nor starts a window.
    if (progress.state === 'probe' && (moved || matched === progress.match)) {
      progress.probeSent = false;
      if (moved || progress.match + 1 === progress.next) progress.becomeReplicate();
    }
    if (!moved) return;
    if (state.transferTarget === from && progress.match === this.log.lastIndex()) this.sendTimeoutNow(state, from);
    this.maybeCommit(state);
  }

  /**
   * A rejection moves next back only when it can answer an append in flight (etcd's maybeDecrTo).
   * The reply does not name the rejected index, but its hint is an upper bound on where the logs
   * agree, and a follower never loses what it acknowledged (it persists before it replies). So a
   * hint at or below match was written before the follower acknowledged match, and one at or above
   * next answers an append sent before next last moved back: both are stale. In replicate, a
   * rejection for a short log says an earlier append of the pipeline has not arrived, overtaken or
   * lost: the next heartbeat falls back to probe. Rewinding at once for every refused append of a
   * long pipeline over a reordering network resends the window again and again, a flood.
   */
  private backtrack(progress: Progress, message: AppendEntriesReply): void {
    let next = message.conflictIndex;
    if (message.conflictTerm > 0) {
      const lastOfTerm = this.log.lastIndexOfTerm(message.conflictTerm, progress.next - 1);
      if (lastOfTerm > 0) next = lastOfTerm + 1;
    }
    if (next <= progress.match || next >= progress.next) return;
    if (progress.state === 'replicate' && message.conflictTerm === 0) progress.gapReported = true;
    else progress.becomeProbe(next);
  }

  /** Sends appends to a follower until its flow control pauses it or nothing is left. */
  private fillPipeline(state: LeaderState, to: NodeId): void {
    const limit = this.options.maxInflightMessages + 1;
    for (let sent = 0; sent < limit; sent++) {
      if (!this.sendAppend(state, to, false)) return;
    }
  }

  private maybeCommit(state: LeaderState): void {
    const index = quorumValue(this.config.voters, (id) => this.matchOf(state, id));
    if (index <= this.commit) return;
    // Figure 8: an entry of an earlier term is committed only by committing one of this term.
    if (this.log.term(index) !== this.term && !this.mutations.commitPrevTermByCount) return;
    this.commit = index;
    if (this.configIndex <= this.commit && !isVoter(this.config, this.id)) {
      // Removed from the voters and the removal is committed: hand over (thesis 4.2.2).
      this.becomeFollower(this.term, null);
      return;
    }
    this.releaseReads(state);
  }

  private matchOf(state: LeaderState, id: NodeId): number {
    if (id === this.id) return this.log.lastIndex();
    return state.progress[id]?.match ?? 0;
  }

  private proposalRefusal(): ProposeResult | null {
    const state = this.state;
    if (state.role !== 'leader') return { ok: false, reason: 'not-leader', leaderHint: this.leader };
    if (state.transferTarget !== null) return { ok: false, reason: 'transferring', leaderHint: state.transferTarget };
    if (!isVoter(this.config, this.id)) return { ok: false, reason: 'removed', leaderHint: null };
    return null;
  }

  private appendAsLeader(data: EntryData): Entry {
    const state = this.state;
    assert(state.role === 'leader', 'only a leader appends new entries');
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, data };
    this.appendToLog([entry]);
    this.maybeCommit(state);
    if (this.state === state) this.broadcastAppend(state, false);
    return entry;
  }

  private broadcastAppend(state: LeaderState, sendIfEmpty: boolean): void {
    this.forEachPeer((peer) => {
      this.sendAppend(state, peer, sendIfEmpty);
    });
  }

  private broadcastHeartbeat(state: LeaderState): void {
    this.forEachPeer((peer) => {
      const progress = state.progress[peer];
      if (progress === undefined) return;
      switch (progress.state) {
        case 'probe':
          // An unanswered probe may be lost: the heartbeat retries it.
          progress.probeSent = false;
          this.sendAppend(state, peer, true);
          break;
        case 'replicate':
          if (progress.isStalled(this.now, Math.ceil(this.options.electionTicks / 2))) {
            // Appends outstanding, and a gap reported or no progress for half an election timeout.
            progress.becomeProbe(progress.match + 1);
            this.sendAppend(state, peer, true);
          } else {
            this.sendHeartbeat(state, peer, progress);
          }
          break;
        case 'snapshot':
          if (this.now - progress.snapshotSentTick >= this.options.electionTicks) {
            progress.becomeProbe(progress.match + 1);
            this.sendAppend(state, peer, true);
          } else {
            this.sendHeartbeat(state, peer, progress);
          }
          break;
        default:
          assertNever(progress.state);
      }
    });
  }

  private forEachPeer(action: (peer: NodeId) => void): void {
    for (const voter of this.config.voters) if (voter !== this.id) action(voter);
    for (const learner of this.config.learners) if (learner !== this.id) action(learner);
  }

  /** An empty append at the follower's match: it proves leadership and carries the commit index. */
  private sendHeartbeat(state: LeaderState, to: NodeId, progress: Progress): void {
    let prevIndex = progress.match;
    let prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      // Index 0 matches everywhere: below every follower's commit, or an empty log.
      prevIndex = 0;
      prevTerm = 0;
    }
    this.messages.push({
      type: 'AppendEntries', from: this.id, to, term: this.term, prevLogIndex: prevIndex, prevLogTerm: prevTerm,
      entries: NO_ENTRIES, leaderCommit: this.commit, round: state.round,
    });
  }

  /** Sends the next append to a follower if flow control allows; returns whether one was sent. */
  private sendAppend(state: LeaderState, to: NodeId, sendIfEmpty: boolean): boolean {
    const progress = state.progress[to];
    if (progress === undefined || progress.isPaused()) return false;
    const prevIndex = progress.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) return this.sendSnapshot(state, to, progress);
    const entries = this.log.sliceForMessage(progress.next, this.options.maxEntriesPerMessage, this.options.maxBytesPerMessage);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.messages.push({
      type: 'AppendEntries', from: this.id, to, term: this.term, prevLogIndex: prevIndex, prevLogTerm: prevTerm,
      entries, leaderCommit: this.commit, round: state.round,
    });
    if (entries.length > 0) progress.sentEntries(prevIndex + entries.length, this.now);
    else if (progress.state === 'probe') progress.probeSent = true;
    return true;
  }

  private sendSnapshot(state: LeaderState, to: NodeId, progress: Progress): boolean {
    const snapshot = this.log.snapshot;
    if (snapshot === null) assert(false, `node ${this.id}: entries before ${this.log.firstIndex()} are gone but there is no snapshot`);
    this.messages.push({ type: 'InstallSnapshot', from: this.id, to, term: this.term, snapshot, round: state.round });
    progress.becomeSnapshot(snapshot.metadata.index, this.now);
    return true;
  }

  private sendTimeoutNow(state: LeaderState, to: NodeId): void {
    state.timeoutNowSent = true;
    this.messages.push({ type: 'TimeoutNow', from: this.id, to, term: this.term });
  }

  /** Creates progress for new members and drops it for removed ones. */
  private syncProgressWithConfig(state: LeaderState): void {
    const next = this.log.lastIndex() + 1;
    this.forEachPeer((peer) => {
      state.progress[peer] ??= new Progress(next, this.options.maxInflightMessages, this.now);
    });
    for (let id = 0; id < state.progress.length; id++) {
      if (state.progress[id] !== undefined && !isMember(this.config, id)) state.progress[id] = undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reads.

  private committedInTerm(): boolean {
    return this.log.term(this.commit) === this.term;
  }

  private startRound(state: LeaderState): void {
    state.round++;
    state.roundTicks[state.round % ROUND_HISTORY] = this.now;
  }

  private quorumRound(state: LeaderState): number {
    return quorumValue(this.config.voters, (id) => id === this.id ? state.round : (state.progress[id]?.ackedRound ?? 0));
  }

  /**
   * A lease holds while a quorum acknowledged a round started less than electionTicks - margin
   * ago: those voters refuse to elect anyone else until electionTicks after they received it. A
   * transfer suspends it (the target may be sent TimeoutNow at any moment), and once TimeoutNow
   * is sent no lease holds in this term: reads go through ReadIndex (TiKV suspends its lease too).
   */
  private leaseHolds(state: LeaderState): boolean {
    if (!this.options.leaseReads || !this.checkQuorum) return false;
    if (state.transferTarget !== null || state.timeoutNowSent) return false;
    const round = this.quorumRound(state);
    if (state.round - round >= ROUND_HISTORY) return false;
    const margin = Math.max(1, Math.floor(this.options.electionTicks / 4));
    const started = state.roundTicks[round % ROUND_HISTORY] ?? -Infinity;
    return this.now < started + this.options.electionTicks - margin;
  }

  private releaseReads(state: LeaderState): void {
    if (state.reads.size === 0) return;
    if (!this.committedInTerm() && !this.mutations.noNoopOnElection) return;
    state.reads.fillUnsetIndexes(this.commit);
    state.reads.release(this.quorumRound(state), this.readStates);
  }

  // -------------------------------------------------------------------------------------------
  // Log and configuration bookkeeping.

  private appendToLog(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.log.lastIndex()) this.truncateLog(first.index);
    this.log.append(entries);
    let changed = false;
    for (const entry of entries) {
      if (entry.data.type !== 'confChange') continue;
      this.config = applyConfChange(this.config, entry.data.change);
      this.configIndex = entry.index;
      changed = true;
    }
    if (changed) this.onConfigChanged();
  }

  private truncateLog(from: number): void {
    if (!(from > this.commit)) assert(false, `node ${this.id}: truncating committed entries from ${from}`);
    this.log.truncateFrom(from);
    if (this.configIndex >= from) {
      // The entry that set the config is gone: the config reverts (thesis 4.1).
      this.config = this.configAt(this.log.lastIndex());
      this.configIndex = this.lastConfChangeIndex();
      this.onConfigChanged();
    }
  }

  private onConfigChanged(): void {
    const state = this.state;
    if (state.role !== 'leader') return;
    this.syncProgressWithConfig(state);
    if (state.transferTarget !== null && !isVoter(this.config, state.transferTarget)) state.transferTarget = null;
  }

  /** The configuration in force at index: the snapshot's (or the initial one) plus later changes. */
  private configAt(index: number): ClusterConfig {
    let config = this.log.snapshot?.metadata.config ?? this.options.config;
    const last = Math.min(index, this.log.lastIndex());
    for (let i = this.log.firstIndex(); i <= last; i++) {
      const data = this.log.entryAt(i).data;
      if (data.type === 'confChange') config = applyConfChange(config, data.change);
    }
    return config;
  }

  private lastConfChangeIndex(): number {
    for (let i = this.log.lastIndex(); i >= this.log.firstIndex(); i--) {
      if (this.log.entryAt(i).data.type === 'confChange') return i;
    }
    return this.log.snapshotIndex;
  }

  private hardStateChanged(): boolean {
    const persisted = this.persistedHardState;
    if (this.commit !== persisted.commit) return true;
    if (this.mutations.voteNotPersisted) return false;
    return this.term !== persisted.term || this.vote !== persisted.vote;
  }

  private send(message: Message): void {
    this.messages.push(message);
  }
}
