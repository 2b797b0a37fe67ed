// The trace: every observable thing that happens in a run, as a discriminated union
// (docs/design.md, "The trace"). Checkers fold over these events online and offline with the same
// code.
import type { KvCommand, KvResult, Message, NodeId, Role } from '../core/index.ts';

/** An entry as the trace records it: its data reduced to a digest (FNV-1a of its JSON). */
export interface EntrySummary {
  readonly index: number;
  readonly term: number;
  readonly digest: number;
  /** Set for client commands, so durability can find acknowledged writes. */
  readonly clientId?: number;
  readonly sequence?: number;
}

export type DropReason = 'loss' | 'partition' | 'down' | 'capacity';

export type PartitionKind = 'halves' | 'isolate' | 'bridge' | 'ring' | 'asymmetric' | 'explicit';

/** A client operation as recorded in the history: a command or a linearizable read. */
export type ClientInput =
  | { readonly type: 'command'; readonly command: KvCommand }
  | { readonly type: 'read'; readonly key: string };

export type ClientOutput =
  | { readonly type: 'result'; readonly result: KvResult }
  | { readonly type: 'unknown' };

interface At {
  /** Virtual time in milliseconds since the start of the run. */
  readonly time: number;
}

export type TraceEvent =
  | (At & { readonly type: 'send'; readonly id: number; readonly message: Message })
  | (At & { readonly type: 'deliver'; readonly id: number; readonly from: NodeId; readonly to: NodeId })
  | (At & { readonly type: 'drop'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly reason: DropReason })
  | (At & { readonly type: 'duplicate'; readonly id: number; readonly copy: number })
  | (At & { readonly type: 'crash'; readonly node: NodeId; readonly lostEntries: number; readonly torn: boolean })
  | (At & { readonly type: 'restart'; readonly node: NodeId })
  | (At & { readonly type: 'pause'; readonly node: NodeId })
  | (At & { readonly type: 'resume'; readonly node: NodeId })
  | (At & { readonly type: 'partition'; readonly kind: PartitionKind; readonly cut: readonly (readonly [NodeId, NodeId])[] })
  | (At & { readonly type: 'heal' })
  | (At & { readonly type: 'role'; readonly node: NodeId; readonly role: Role; readonly term: number })
  | (At & { readonly type: 'term'; readonly node: NodeId; readonly term: number; readonly vote: NodeId | null })
  /** The node's log from `from` on is replaced by `entries` (a truncation when from <= old last index). */
  | (At & { readonly type: 'append'; readonly node: NodeId; readonly from: number; readonly entries: readonly EntrySummary[] })
  | (At & { readonly type: 'commit'; readonly node: NodeId; readonly index: number })
  | (At & { readonly type: 'apply'; readonly node: NodeId; readonly entry: EntrySummary })
  /**
   * The node's state now starts from a snapshot covering up to index/term (installed or restored).
   * `kept` is present when the node kept its own entries after the snapshot, through that index
   * (the paper's Figure 13: an installed snapshot whose last entry the log already holds keeps the
   * suffix); absent, the log ends at `index` (etcd's way: the snapshot replaces the log).
   */
  | (At & { readonly type: 'snapshot'; readonly node: NodeId; readonly index: number; readonly term: number; readonly digest: number;
    readonly kept?: number })
  | (At & { readonly type: 'compact'; readonly node: NodeId; readonly index: number })
  | (At & { readonly type: 'call'; readonly client: number; readonly op: number; readonly node: NodeId; readonly input: ClientInput })
  | (At & { readonly type: 'return'; readonly client: number; readonly op: number; readonly output: ClientOutput })
  | (At & { readonly type: 'phase'; readonly phase: 'safety' | 'liveness' })
  /**
   * What the liveness phase saw when it ended without settling (docs/design.md, "Phases"), for the
   * liveness checker to judge: the running leader of the highest term (null: none) with its term and
   * commit index, how long that leader had held office in that term, whether the clients' work was
   * done and every node back as a voter, and each other running member linked both ways to the
   * leader as [node, term, commit index, ms its commit index had not moved].
   */
  | (At & { readonly type: 'checkpoint'; readonly leader: NodeId | null; readonly term: number; readonly commit: number;
    readonly heldMs: number; readonly idle: boolean; readonly members: readonly (readonly [NodeId, number, number, number])[] })
  /** A node's own assertion failed (an AssertionError thrown by it): the node stops, and the run ends. */
  | (At & { readonly type: 'assertion'; readonly node: NodeId; readonly message: string })
  | (At & { readonly type: 'violation'; readonly checker: string; readonly message: string });

export type TraceEventType = TraceEvent['type'];
export type TraceEventOf<T extends TraceEventType> = Extract<TraceEvent, { type: T }>;
