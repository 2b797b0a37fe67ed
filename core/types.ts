import type { BugId } from './bugs.ts';

// The core contract (docs/design.md, "Core contract"). Everything a host needs to drive a Raft node
// lives here as plain data: messages, entries, hard state, snapshots and the Ready batch.

/** Node ids are small positive integers, 1-based. */
export type NodeId = number;

export type Role = 'follower' | 'candidate' | 'leader' | 'precandidate';

/** The random source the host injects. Values are uniform in [0, 1). */
export interface RandomSource {
  next(): number;
}

// ---------------------------------------------------------------------------------------------
// The replicated key-value state machine's commands (applied by core/kv.ts).

export type KvOp =
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'append'; readonly key: string; readonly value: string }
  | { readonly type: 'cas'; readonly key: string; readonly from: string | null; readonly to: string }
  | { readonly type: 'delete'; readonly key: string };

/** A client command: (clientId, sequence) identifies it, so a retry applies once. */
export interface KvCommand {
  readonly clientId: number;
  readonly sequence: number;
  readonly op: KvOp;
}

export type KvResult =
  | { readonly type: 'value'; readonly value: string | null }
  | { readonly type: 'ok' }
  | { readonly type: 'cas'; readonly ok: boolean; readonly value: string | null };

// ---------------------------------------------------------------------------------------------
// Membership.

/** Voters decide elections and commits; learners only receive the log. Sorted, disjoint. */
export interface ClusterConfig {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export type ConfChange =
  | { readonly type: 'addLearner'; readonly node: NodeId }
  | { readonly type: 'promote'; readonly node: NodeId }
  | { readonly type: 'remove'; readonly node: NodeId };

// ---------------------------------------------------------------------------------------------
// The log.

export type EntryData =
  | { readonly type: 'noop' }
  | { readonly type: 'command'; readonly command: KvCommand }
  | { readonly type: 'confChange'; readonly change: ConfChange };

/** Invariant: index >= 1, term >= 1; in a log, indexes are consecutive and terms never decrease. */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly data: EntryData;
}

/** What must be durable before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface SnapshotMetadata {
  /** Last index and term the snapshot covers; the config in force at that index. */
  readonly index: number;
  readonly term: number;
  readonly config: ClusterConfig;
}

/** `data` is the state machine's own snapshot, opaque to the Raft core. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: unknown;
}

// ---------------------------------------------------------------------------------------------
// Messages. Every message carries from, to and the sender's term.

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export interface RequestVote extends MessageBase {
  readonly type: 'RequestVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** A PreVote asks "would you vote for me at `term`?" without anyone changing term. */
  readonly preVote: boolean;
  /** Sent after TimeoutNow: voters must not ignore it because they heard from a leader. */
  readonly transfer: boolean;
}

export interface RequestVoteReply extends MessageBase {
  readonly type: 'RequestVoteReply';
  readonly granted: boolean;
  readonly preVote: boolean;
}

export interface AppendEntries extends MessageBase {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
  /** Heartbeat round the leader uses to confirm leadership for ReadIndex; echoed in the reply. */
  readonly round: number;
}

export interface AppendEntriesReply extends MessageBase {
  readonly type: 'AppendEntriesReply';
  readonly success: boolean;
  /** On success: the last index the follower now matches with the request. */
  readonly matchIndex: number;
  /** On rejection: the follower's hint for fast backtracking (term of the conflict and its first index). */
  readonly conflictTerm: number;
  readonly conflictIndex: number;
  readonly round: number;
}

export interface InstallSnapshot extends MessageBase {
  readonly type: 'InstallSnapshot';
  readonly snapshot: Snapshot;
  readonly round: number;
}

export interface InstallSnapshotReply extends MessageBase {
  readonly type: 'InstallSnapshotReply';
  /** The follower's last index after handling the snapshot. */
  readonly matchIndex: number;
  readonly round: number;
}

export interface TimeoutNow extends MessageBase {
  readonly type: 'TimeoutNow';
}

export type Message =
  | RequestVote
  | RequestVoteReply
  | AppendEntries
  | AppendEntriesReply
  | InstallSnapshot
  | InstallSnapshotReply
  | TimeoutNow;

export type MessageType = Message['type'];

// ---------------------------------------------------------------------------------------------
// Ready / advance.

/** A linearizable read may be served at `index` once the state machine has applied it. */
export interface ReadState {
  readonly context: number;
  readonly index: number;
}

/**
 * The batch of effects a host must carry out, in this order: persist `hardState`, `snapshot`
 * and `entries` (and sync when `mustSync`), then send `messages`, then restore `snapshot` into
 * the state machine if present and apply `committed`, then serve `readStates` once applied, then
 * call `advance()`.
 */
export interface Ready {
  readonly hardState: HardState | null;
  /** Entries to append to stable storage; the first may overwrite (truncate) from its index. */
  readonly entries: readonly Entry[];
  /** A snapshot to persist and restore (received through InstallSnapshot). */
  readonly snapshot: Snapshot | null;
  readonly messages: readonly Message[];
  /** Newly committed entries to apply, in index order. */
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** True when hardState term/vote or entries changed: the host must sync before sending. */
  readonly mustSync: boolean;
}

/** What a host persisted: enough to rebuild a node after a crash. */
export interface PersistedState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** Entries after the snapshot, consecutive. */
  readonly entries: readonly Entry[];
}

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | {
    readonly ok: false;
    /** 'invalid': a conf change that does not apply to the config, or a transfer to a non-voter. */
    readonly reason: 'not-leader' | 'busy' | 'removed' | 'transferring' | 'invalid';
    readonly leaderHint: NodeId | null;
  };

export interface NodeStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly leader: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly config: ClusterConfig;
}

// ---------------------------------------------------------------------------------------------
// The node itself. RaftNode in core/raft.ts implements it; another implementation plugs into the
// simulator by implementing the same interface and a factory (see README, "Plugging in").

export interface RaftOptions {
  readonly id: NodeId;
  /** The cluster at start when there is no persisted state. */
  readonly config: ClusterConfig;
  /** Election timeout is drawn uniformly from [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly random: RandomSource;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Lease reads: serve ReadIndex without a heartbeat round while the lease holds. Off by default. */
  readonly leaseReads: boolean;
  readonly maxEntriesPerMessage: number;
  readonly maxBytesPerMessage: number;
  readonly maxInflightMessages: number;
  /** Restart from what was persisted; absent for a brand-new node. */
  readonly persisted?: PersistedState;
  /** Mutation points switched on (core/bugs.ts); empty in a correct run. */
  readonly bugs?: ReadonlySet<BugId>;
}

export interface RaftNodeApi {
  readonly id: NodeId;
  tick(): void;
  step(message: Message): void;
  propose(command: KvCommand): ProposeResult;
  /** Ask for a linearizable read; a ReadState with this context appears in a later Ready. */
  readIndex(context: number): ProposeResult;
  proposeConfChange(change: ConfChange): ProposeResult;
  transferLeadership(target: NodeId): ProposeResult;
  /** Compact the log up to `index` (<= applied) with the state machine's snapshot at that index. */
  compact(index: number, data: unknown): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(): void;
  status(): NodeStatus;
  /** Entries in [from, to], for checkers and tests; throws if compacted. */
  entries(from: number, to: number): readonly Entry[];
  assertInvariants(): void;
}

export const DEFAULT_RAFT_OPTIONS = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
  maxEntriesPerMessage: 64,
  maxBytesPerMessage: 64 * 1024,
  maxInflightMessages: 8,
} as const;
