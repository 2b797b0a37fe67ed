// A node host: the simulated machine around one Raft node. It carries out each Ready in the
// contract's order (persist and sync, then send, then apply, then advance), owns the node's disk
// and state machine, and turns what it sees into trace events.
import { AssertionError, KvStateMachine, RaftNode, applyConfChange, assert } from '../core/index.ts';
import type {
  BugId, ClusterConfig, Entry, KvResult, Message, NodeId, RaftNodeApi, RaftOptions, ReadState, Ready, Role, Snapshot,
} from '../core/index.ts';
import type { VirtualClock } from './clock.ts';
import { Disk } from './disk.ts';
import type { EntrySummary, TraceEvent } from './events.ts';
import { digestEntryData } from './hash.ts';
import type { Rng } from './random.ts';

export type NodeFactory = (options: RaftOptions) => RaftNodeApi;

/** What a host reports to the simulation it runs in. */
export interface HostEnvironment {
  readonly clock: VirtualClock;
  send(message: Message): void;
  emit(event: TraceEvent): void;
  /** A committed command was applied on `node`; `result` is what the state machine answered. */
  applied(node: NodeId, entry: Entry, result: KvResult): void;
  /** A ReadIndex request became servable on `node`. */
  readReady(node: NodeId, context: number): void;
  /** The node broke one of its own invariants (an AssertionError thrown by the core). */
  invariantBroken(node: NodeId, message: string): void;
  /** The node threw something other than an AssertionError (a bug in the implementation). */
  threw(node: NodeId, message: string): void;
}

export interface HostOptions {
  readonly id: NodeId;
  /** Everything RaftOptions needs but the id, the random source and the persisted state. */
  readonly raft: Omit<RaftOptions, 'id' | 'random' | 'persisted' | 'bugs'>;
  readonly random: Rng;
  readonly factory: NodeFactory;
  readonly snapshotEveryEntries: number;
  readonly bugs: ReadonlySet<BugId>;
}

/**
 * Entries are immutable and shared between logs and messages, so each is summarised about once:
 * a leader's entry is appended and applied on every node within a few milliseconds. The cache is
 * direct-mapped by index and checked by identity (a summary is a pure function of its entry, so
 * an evicted entry only costs a second summary). It replaced a WeakMap, whose set and whose
 * weak-reference bookkeeping in the collector cost more than the digests it saved.
 */
const SUMMARY_CACHE_SLOTS = 1 << 12;
const cachedEntries: (Entry | undefined)[] = new Array<Entry | undefined>(SUMMARY_CACHE_SLOTS).fill(undefined);
const cachedSummaries: (EntrySummary | undefined)[] = new Array<EntrySummary | undefined>(SUMMARY_CACHE_SLOTS).fill(undefined);

export function summarize(entry: Entry): EntrySummary {
  const slot = entry.index & (SUMMARY_CACHE_SLOTS - 1);
  if (cachedEntries[slot] === entry) return cachedSummaries[slot] as EntrySummary;
  const summary = summarizeOnce(entry);
  cachedEntries[slot] = entry;
  cachedSummaries[slot] = summary;
  return summary;
}

function summarizeOnce(entry: Entry): EntrySummary {
  const data = entry.data;
  if (data.type === 'command') {
    return { index: entry.index, term: entry.term, digest: digestEntryData(data),
      clientId: data.command.clientId, sequence: data.command.sequence };
  }
  return { index: entry.index, term: entry.term, digest: digestEntryData(data) };
}

/** A client call that reached a paused node: which attempt of which operation it was. */
export interface HeldCall {
  readonly client: number;
  readonly op: number;
  readonly attempt: number;
}

/** What a paused node holds: a peer's message (with its trace id) or a client's call. */
export type InboxEntry =
  | { readonly id: number; readonly message: Message; readonly call?: undefined }
  | { readonly call: HeldCall; readonly message?: undefined };

export class NodeHost {
  readonly id: NodeId;
  readonly disk = new Disk();
  /** Null while crashed. */
  node: RaftNodeApi | null = null;
  kv: KvStateMachine;
  paused = false;
  /**
   * Messages, and client calls when pauses hold them (faults.pauseHoldsCalls), that arrived while
   * paused, delivered in order on resume; a crash loses them.
   */
  readonly inbox: InboxEntry[] = [];
  /** Bumped on crash and restart, so ticks scheduled for an earlier life are ignored. */
  epoch = 0;
  /** Invariant: applied <= the node's commit; reset to the snapshot index on restart. */
  private appliedIndex = 0;
  /** Term and cluster config as of appliedIndex: what a snapshot taken now must record. */
  private appliedTerm = 0;
  private appliedConfig: ClusterConfig;
  private snapshotIndex = 0;
  private role: Role | null = null;
  private term = 0;
  private vote: NodeId | null = null;
  private commit = 0;
  private readonly waitingReads: ReadState[] = [];

  constructor(private readonly options: HostOptions, private readonly env: HostEnvironment) {
    this.id = options.id;
    this.kv = new KvStateMachine(options.bugs);
    this.appliedConfig = options.raft.config;
  }

  get up(): boolean {
    return this.node !== null;
  }

  /** Boots the node from its disk (empty for a new node). */
  start(): void {
    assert(this.node === null, `node ${this.id} started twice`);
    const persisted = this.disk.load();
    const snapshot = persisted.snapshot;
    this.kv = snapshot === null ? new KvStateMachine(this.options.bugs)
      : KvStateMachine.fromSnapshot(snapshot.data, this.options.bugs);
    this.appliedIndex = snapshot?.metadata.index ?? 0;
    this.appliedTerm = snapshot?.metadata.term ?? 0;
    this.appliedConfig = snapshot?.metadata.config ?? this.options.raft.config;
    this.snapshotIndex = this.appliedIndex;
    this.commit = 0;
    this.role = null;
    this.waitingReads.length = 0;
    this.node = this.guard(() => this.options.factory({
      ...this.options.raft, id: this.id, random: this.options.random, persisted, bugs: this.options.bugs,
    }));
    if (this.node === null) return;
    this.emitRestored(snapshot, persisted.entries);
    this.drain();
  }

  crash(rng: Rng, torn: boolean): void {
    assert(this.node !== null, `node ${this.id} crashed while down`);
    const lost = this.disk.crash(rng, torn);
    this.node = null;
    this.paused = false;
    this.inbox.length = 0;
    this.epoch++;
    this.env.emit({ time: this.env.clock.now, type: 'crash', node: this.id, lostEntries: lost, torn });
  }

  // tick and step catch inline rather than through guard(): they run for most queue events, and
  // a closure per call was an allocation per event.
  tick(): void {
    const node = this.node;
    if (node === null || this.paused) return;
    try {
      node.tick();
    } catch (error) {
      this.broken(error);
    }
    this.checkInvariants();
    this.drain();
  }

  step(message: Message): void {
    const node = this.node;
    if (node === null) return;
    try {
      node.step(message);
    } catch (error) {
      this.broken(error);
    }
    this.checkInvariants();
    this.drain();
  }

  /** Runs a client-facing call on the node and drains what it produced. */
  call<T>(body: (node: RaftNodeApi) => T): T | null {
    const node = this.node;
    if (node === null || this.paused) return null;
    const result = this.guard(() => body(node));
    this.checkInvariants();
    this.drain();
    return result;
  }

  /**
   * The contract's assertInvariants() after every input. The built-in core already ends every
   * input with it, so only other implementations are asked again.
   */
  private checkInvariants(): void {
    const node = this.node;
    if (node === null || node instanceof RaftNode || typeof node.assertInvariants !== 'function') return;
    this.guard(() => node.assertInvariants());
  }

  read(key: string): string | null {
    return this.kv.read(key);
  }

  private guard<T>(body: () => T): T | null {
    try {
      return body();
    } catch (error) {
      this.broken(error);
      return null;
    }
  }

  /**
   * The node threw and stops. An AssertionError is the node breaking its own invariants; anything
   * else (a TypeError in an implementation, say) is reported as a crash naming the exception. The
   * run ends with a verdict either way: an exception never escapes into the sweep.
   */
  private broken(error: unknown): void {
    this.node = null;
    if (error instanceof AssertionError) {
      this.env.invariantBroken(this.id, error.message);
      return;
    }
    this.env.threw(this.id, describeException(error));
  }

  private drain(): void {
    let round = 0;
    for (; this.node !== null && this.node.hasReady(); round++) {
      if (round >= 10_000) assert(false, `node ${this.id} produced Ready batches without end`);
      const node = this.node;
      this.emitStatus(node);
      let ready: Ready;
      try {
        ready = node.ready();
        this.handle(ready);
        if (this.node === null) return;
        node.advance();
      } catch (error) {
        this.broken(error);
        return;
      }
      this.maybeCompact();
    }
    // After a Ready the built-in core's term, vote and role are as emitted at the start of its
    // round (ready(), advance() and compact() change none of them; a client call made from
    // within handle() drains, and emits, on its own): its status is not read a third time. Any
    // other implementation is asked again.
    const node = this.node;
    if (node !== null && (round === 0 || !(node instanceof RaftNode))) this.emitStatus(node);
  }

  private handle(ready: Ready): void {
    const now = this.env.clock.now;
    this.persist(ready, now);
    for (const message of ready.messages) this.env.send(message);
    const node = this.node;
    if (node === null) return;
    // Every change is reported, a decrease too: the invariants checker must see a commit regress.
    const commit = node instanceof RaftNode ? node.commitIndex() : node.status().commit;
    if (commit !== this.commit) {
      this.commit = commit;
      this.env.emit({ time: now, type: 'commit', node: this.id, index: commit });
    }
    if (ready.snapshot !== null) this.restoreSnapshot(ready.snapshot, now);
    for (const entry of ready.committed) this.apply(entry, now);
    for (const readState of ready.readStates) this.waitingReads.push(readState);
    this.serveReads();
  }

  private persist(ready: Ready, now: number): void {
    // The disk writes snapshot, entries, then hard state, so a torn crash never keeps a commit
    // index without the entries it covers.
    this.disk.persist(ready);
    if (ready.mustSync) this.disk.sync();
    if (ready.snapshot !== null) {
      const meta = ready.snapshot.metadata;
      const kept = this.keptAfterSnapshot(meta.index, ready.entries);
      this.env.emit({ time: now, type: 'snapshot', node: this.id, index: meta.index, term: meta.term,
        digest: snapshotDigest(ready.snapshot), ...(kept > meta.index ? { kept } : {}) });
    }
    if (ready.entries.length > 0) {
      const first = ready.entries[0] as Entry;
      this.env.emit({ time: now, type: 'append', node: this.id, from: first.index, entries: ready.entries.map(summarize) });
    }
  }

  /**
   * The last of its own entries a node kept after installing a snapshot at `index`: its last index
   * now, less the entries this same Ready appends (they get their own event).
   */
  private keptAfterSnapshot(index: number, appended: readonly Entry[]): number {
    const node = this.node;
    if (node === null) return index;
    const last = node.status().lastIndex;
    const first = appended[0];
    return first === undefined ? last : Math.min(last, first.index - 1);
  }

  private restoreSnapshot(snapshot: Snapshot, _now: number): void {
    this.kv = KvStateMachine.fromSnapshot(snapshot.data, this.options.bugs);
    this.appliedIndex = snapshot.metadata.index;
    this.appliedTerm = snapshot.metadata.term;
    this.appliedConfig = snapshot.metadata.config;
    this.snapshotIndex = snapshot.metadata.index;
  }

  private apply(entry: Entry, now: number): void {
    if (entry.index !== this.appliedIndex + 1) assert(false, `node ${this.id} applies ${entry.index} after ${this.appliedIndex}`);
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    if (entry.data.type === 'confChange') this.appliedConfig = applyConfChange(this.appliedConfig, entry.data.change);
    this.env.emit({ time: now, type: 'apply', node: this.id, entry: summarize(entry) });
    if (entry.data.type !== 'command') return;
    const result = this.kv.apply(entry.data.command);
    this.env.applied(this.id, entry, result);
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    let kept = 0;
    for (const readState of this.waitingReads) {
      if (readState.index <= this.appliedIndex) this.env.readReady(this.id, readState.context);
      else this.waitingReads[kept++] = readState;
    }
    if (kept !== this.waitingReads.length) this.waitingReads.length = kept;
  }

  private maybeCompact(): void {
    const every = this.options.snapshotEveryEntries;
    const node = this.node;
    if (every === 0 || node === null || this.appliedIndex - this.snapshotIndex < every) return;
    const index = this.appliedIndex;
    const snapshot: Snapshot = {
      metadata: { index, term: this.appliedTerm, config: this.appliedConfig },
      data: this.kv.snapshot(),
    };
    this.guard(() => node.compact(index, snapshot.data));
    this.disk.writeSnapshot(snapshot);
    this.disk.sync();
    this.snapshotIndex = index;
    this.env.emit({ time: this.env.clock.now, type: 'compact', node: this.id, index });
  }

  /** Term, vote and role events for what changed since the last call. */
  private emitStatus(node: RaftNodeApi): void {
    // The built-in core's fields are read one by one: this runs on every Ready round.
    if (node instanceof RaftNode) {
      this.emitChanges(node.currentTerm(), node.votedFor(), node.currentRole());
      return;
    }
    const status = node.status();
    this.emitChanges(status.term, status.vote, status.role);
  }

  private emitChanges(term: number, vote: NodeId | null, role: Role): void {
    if (term === this.term && vote === this.vote && role === this.role) return;
    const now = this.env.clock.now;
    if (term !== this.term || vote !== this.vote) {
      this.term = term;
      this.vote = vote;
      this.env.emit({ time: now, type: 'term', node: this.id, term, vote });
    }
    if (role !== this.role) {
      this.role = role;
      this.env.emit({ time: now, type: 'role', node: this.id, role, term });
    }
  }

  private emitRestored(snapshot: Snapshot | null, entries: readonly Entry[]): void {
    const now = this.env.clock.now;
    this.env.emit({ time: now, type: 'restart', node: this.id });
    if (snapshot !== null) {
      const meta = snapshot.metadata;
      this.env.emit({ time: now, type: 'snapshot', node: this.id, index: meta.index, term: meta.term, digest: snapshotDigest(snapshot) });
    }
    if (entries.length > 0) {
      this.env.emit({ time: now, type: 'append', node: this.id, from: (entries[0] as Entry).index, entries: entries.map(summarize) });
    }
  }
}

function snapshotDigest(snapshot: Snapshot): number {
  return digestEntryData({ type: 'noop' }) ^ (snapshot.metadata.index * 31 + snapshot.metadata.term);
}

/**
 * One line naming an exception: its class and message. No stack: file paths differ between
 * checkouts, and the line goes into the trace, whose hash must not.
 */
export function describeException(error: unknown): string {
  if (error instanceof Error) return `threw ${error.name}: ${error.message}`;
  return `threw ${typeof error === 'string' ? JSON.stringify(error) : String(error)}`;
}
