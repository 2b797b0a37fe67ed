// The cluster as the trace shows it, folded event by event. Rendering only reads (docs/style.md,
// rule 10): this is a pure fold over recorded events, never the simulator or the core's step functions.
// Each node keeps only the tail of its log, so a checkpoint costs a few hundred references however
// long the run: the screen shows recent entries, and last index and term are kept apart.
import { assert, assertNever } from '../../core/index.ts';
import type { MessageType, NodeId, Role } from '../../core/index.ts';
import type { ClientInput, EntrySummary, TraceEvent } from '../../sim/events.ts';

/** Entries kept per node: more than any screen shows, few enough to copy at every checkpoint. */
export const LOG_TAIL_MAX = 128;

export type Liveness = 'up' | 'down' | 'paused';

export interface NodeState {
  role: Role | null;
  term: number;
  vote: NodeId | null;
  commit: number;
  applied: number;
  /** The first index of the log after compaction or a snapshot (entries before it are gone). */
  snapshotIndex: number;
  lastIndex: number;
  /** -1 when the entry at lastIndex fell out of the kept tail and no event says its term. */
  lastTerm: number;
  /** The last entries, consecutive, ending at lastIndex; at most LOG_TAIL_MAX. */
  tail: EntrySummary[];
  liveness: Liveness;
}

export interface InFlight {
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: MessageType;
  readonly term: number;
  readonly sentAt: number;
  /** Copies still travelling (a duplicate adds one, a delivery or a drop removes one). */
  copies: number;
}

export interface PendingOperation {
  readonly client: number;
  readonly op: number;
  readonly node: NodeId;
  readonly input: ClientInput;
  readonly calledAt: number;
}

export interface ClusterState {
  nodes: NodeState[];
  /** Cut directed links (a partition replaces the whole set; heal clears it). */
  cut: (readonly [NodeId, NodeId])[];
  partitionKind: string | null;
  inFlight: Map<number, InFlight>;
  pending: Map<number, PendingOperation>;
  phase: 'safety' | 'liveness';
  time: number;
}

export function initialState(nodeCount: number): ClusterState {
  assert(Number.isInteger(nodeCount) && nodeCount >= 1, `initialState: node count must be >= 1, got ${nodeCount}`);
  const nodes = Array.from({ length: nodeCount }, (): NodeState => ({
    role: null, term: 0, vote: null, commit: 0, applied: 0, snapshotIndex: 0, lastIndex: 0, lastTerm: 0,
    tail: [], liveness: 'down',
  }));
  return { nodes, cut: [], partitionKind: null, inFlight: new Map(), pending: new Map(), phase: 'safety', time: 0 };
}

/** A deep enough copy that folding on into the copy never changes the original. */
export function cloneState(state: ClusterState): ClusterState {
  const inFlight = new Map<number, InFlight>();
  for (const [id, message] of state.inFlight) inFlight.set(id, { ...message });
  return {
    nodes: state.nodes.map((node) => ({ ...node, tail: [...node.tail] })),
    cut: state.cut, partitionKind: state.partitionKind, inFlight,
    pending: new Map(state.pending), phase: state.phase, time: state.time,
  };
}

function nodeOf(state: ClusterState, id: NodeId): NodeState {
  const node = state.nodes[id - 1];
  assert(node !== undefined, `trace names node ${id}, the cluster has ${state.nodes.length}`);
  return node;
}

/** Folds one event into the state (in place: the caller owns the state it folds into). */
export function applyEvent(state: ClusterState, event: TraceEvent): void {
  state.time = event.time;
  switch (event.type) {
    case 'send': return sendMessage(state, event.id, event.message.from, event.message.to, event.message.type, event.message.term, event.time);
    case 'duplicate': return duplicateMessage(state, event.id);
    case 'deliver':
    case 'drop': return settleMessage(state, event.id);
    case 'crash': return crash(nodeOf(state, event.node));
    case 'restart': return restart(nodeOf(state, event.node));
    case 'pause': return void (nodeOf(state, event.node).liveness = 'paused');
    case 'resume': return void (nodeOf(state, event.node).liveness = 'up');
    case 'partition': return void Object.assign(state, { cut: event.cut, partitionKind: event.kind });
    case 'heal': return void Object.assign(state, { cut: [], partitionKind: null });
    case 'role': return void Object.assign(nodeOf(state, event.node), { role: event.role, term: event.term });
    case 'term': return void Object.assign(nodeOf(state, event.node), { term: event.term, vote: event.vote });
    case 'append': return appendEntries(nodeOf(state, event.node), event.from, event.entries);
    case 'commit': return void (nodeOf(state, event.node).commit = event.index);
    case 'apply': return void (nodeOf(state, event.node).applied = event.entry.index);
    case 'snapshot': return installSnapshot(nodeOf(state, event.node), event.index, event.term);
    case 'compact': return compact(nodeOf(state, event.node), event.index);
    case 'call': return void state.pending.set(event.op, { client: event.client, op: event.op, node: event.node, input: event.input, calledAt: event.time });
    case 'return': return void state.pending.delete(event.op);
    case 'phase': return void (state.phase = event.phase);
    case 'violation': case 'checkpoint': case 'assertion': return;
    default: return assertNever(event);
  }
}

function sendMessage(state: ClusterState, id: number, from: NodeId, to: NodeId, type: MessageType, term: number, sentAt: number): void {
  state.inFlight.set(id, { id, from, to, type, term, sentAt, copies: 1 });
}

function duplicateMessage(state: ClusterState, id: number): void {
  const message = state.inFlight.get(id);
  if (message !== undefined) message.copies++;
}

function settleMessage(state: ClusterState, id: number): void {
  const message = state.inFlight.get(id);
  if (message === undefined) return;
  message.copies--;
  if (message.copies <= 0) state.inFlight.delete(id);
}

function crash(node: NodeState): void {
  node.liveness = 'down';
  node.role = null;
}

/** The host rebuilds a node from its disk: a snapshot event and an append of the log follow. */
function restart(node: NodeState): void {
  Object.assign(node, { liveness: 'up', commit: 0, applied: 0, snapshotIndex: 0, lastIndex: 0, lastTerm: 0, tail: [] });
}

function termInTail(node: NodeState, index: number): number | undefined {
  const first = node.tail[0];
  if (first === undefined || index < first.index || index > node.lastIndex) return undefined;
  return node.tail[index - first.index]?.term;
}

/** The log from `from` on is replaced by `entries` (a truncation when from <= lastIndex). */
export function appendEntries(node: NodeState, from: number, entries: readonly EntrySummary[]): void {
  assert(from >= 1, `append from ${from}: indexes start at 1`);
  const first = node.tail[0];
  const kept = first === undefined || from <= first.index ? [] : node.tail.slice(0, from - first.index);
  const previousTerm = from - 1 === node.snapshotIndex && node.lastIndex === node.snapshotIndex ? node.lastTerm : termInTail(node, from - 1);
  const tail = kept.concat(entries);
  node.tail = tail.length > LOG_TAIL_MAX ? tail.slice(tail.length - LOG_TAIL_MAX) : tail;
  node.lastIndex = from - 1 + entries.length;
  const last = entries[entries.length - 1];
  node.lastTerm = last !== undefined ? last.term : (from === 1 ? 0 : previousTerm ?? -1);
}

/** An installed or restored snapshot: the log keeps what follows it only if it matches. */
function installSnapshot(node: NodeState, index: number, term: number): void {
  const matches = termInTail(node, index) === term;
  node.snapshotIndex = index;
  node.applied = Math.max(node.applied, index);
  // A snapshot that does not match the log replaces it entirely (etcd's restore).
  node.tail = matches ? node.tail.filter((entry) => entry.index > index) : [];
  if (!matches) Object.assign(node, { lastIndex: index, lastTerm: term });
}

function compact(node: NodeState, index: number): void {
  node.snapshotIndex = Math.max(node.snapshotIndex, index);
  node.tail = node.tail.filter((entry) => entry.index > index);
}
