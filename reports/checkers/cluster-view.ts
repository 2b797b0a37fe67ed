// What the trace says about every node's log, role and term, and about the committed log, kept
// up to date event by event for the checkers that need it (one shared copy per suite, updated
// before the checkers see the event). Arrays are indexed by node id and by log index.
import { assert, assertNever, type NodeId, type Role } from '../../core/index.ts';
import type { EntrySummary, TraceEvent, TraceEventOf } from '../../sim/events.ts';

/** A prefix hash that cannot be compared: the log below it came from a snapshot of unknown content. */
export const UNKNOWN_PREFIX = -1;
const EMPTY_PREFIX = 0x811c9dc5;
const PAIR_LIMIT = 2 ** 26;

/** One number for a pair of small non-negative integers (node ids, terms, log indexes, ids). */
export function pairKey(high: number, low: number): number {
  // Checked before building the message: this runs for every appended entry and client call.
  if (!(high >= 0 && high < PAIR_LIMIT)) assert(false, `pairKey: ${high} is out of range`);
  if (!(low >= 0 && low < PAIR_LIMIT)) assert(false, `pairKey: ${low} is out of range`);
  return high * PAIR_LIMIT + low;
}

/** The hash of a log prefix ending in (term, digest), given the hash of the prefix before it. */
export function chainPrefix(prefix: number, term: number, digest: number): number {
  let hash = Math.imul(prefix ^ term, 0x01000193);
  hash = Math.imul(hash ^ digest, 0x01000193);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash >>> 0;
}

export class NodeLog {
  lastIndex = 0;
  /** Entries in [validFrom, lastIndex] are known; below that only the snapshot point is. */
  validFrom = 1;
  snapshotIndex = 0;
  snapshotTerm = 0;
  readonly entries: (EntrySummary | undefined)[] = [undefined];
  /** prefixes[i] hashes entries 1..i (or is UNKNOWN_PREFIX); meaningful in [validFrom - 1, lastIndex]. */
  readonly prefixes: number[] = [EMPTY_PREFIX];

  entryAt(index: number): EntrySummary | undefined {
    return index >= this.validFrom && index <= this.lastIndex ? this.entries[index] : undefined;
  }

  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    if (index === this.snapshotIndex && index <= this.lastIndex) return this.snapshotTerm;
    return this.entryAt(index)?.term;
  }

  prefixAt(index: number): number {
    if (index === 0) return EMPTY_PREFIX;
    if (index < this.validFrom - 1 || index > this.lastIndex) return UNKNOWN_PREFIX;
    return this.prefixes[index] ?? UNKNOWN_PREFIX;
  }
}

export interface AppendEffect {
  readonly node: NodeId;
  readonly from: number;
  readonly previousLastIndex: number;
  /** Lowest index whose existing entry was replaced by a different one or removed; 0 if none. */
  readonly firstChangedIndex: number;
}

/** Two logs that hold the same (index, term) with different prefixes. */
export interface LogConflict {
  readonly index: number;
  readonly term: number;
  readonly nodes: readonly [NodeId, NodeId];
  readonly witnesses: readonly [number, number];
  /** True when the entries themselves are equal and only what precedes them differs. */
  readonly sameEntry: boolean;
}

/** A node that commits, at an index already committed, an entry other than the committed one. */
export interface CommitConflict {
  readonly index: number;
  readonly node: NodeId;
  readonly held: EntrySummary;
  readonly committed: EntrySummary;
  readonly committedBy: NodeId;
  readonly witnesses: readonly [number, number];
}

interface RegistrySlots {
  readonly prefix: number[];
  readonly digest: number[];
  readonly node: NodeId[];
  readonly event: number[];
}

/**
 * A map from (index, term) to a slot. Nearly every index is seen with one term only, so the first
 * term of each index and its slot sit in two arrays indexed by it; other terms go to a Map keyed by
 * pairKey. (One Map for all keys hashed a double key per appended entry on every node.)
 */
class IndexTermSlots {
  private readonly firstTerms: number[] = [];
  private readonly firstSlots: number[] = [];
  private readonly others = new Map<number, number>();

  get(index: number, term: number): number | undefined {
    const first = this.firstTerms[index];
    if (first === term) return this.firstSlots[index];
    return first === undefined ? undefined : this.others.get(pairKey(index, term));
  }

  set(index: number, term: number, slot: number): void {
    if (this.firstTerms[index] === undefined) {
      this.firstTerms[index] = term;
      this.firstSlots[index] = slot;
    } else {
      this.others.set(pairKey(index, term), slot);
    }
  }
}

export class ClusterView {
  /**
   * The latest event seen, for its time (what end-of-run violations report): keeping the event is
   * a store, where reading its time on every event was a megamorphic lookup (events come in many
   * shapes). Null when the caller gave the event's time instead (lastEventTime): a number stored
   * takes no write barrier, where the event, young and kept in this old object, does.
   */
  private lastEvent: TraceEvent | null = null;
  private lastEventTime = 0;

  /** Time of the latest event seen: what end-of-run violations report. */
  get lastTime(): number {
    return this.lastEvent === null ? this.lastEventTime : this.lastEvent.time;
  }
  readonly logs: NodeLog[] = [];
  readonly roles: Role[] = [];
  readonly terms: number[] = [];
  readonly up: boolean[] = [];
  /** Highest index any node reported committed; committed[i] is the entry committed there, if known. */
  committedIndex = 0;
  readonly committed: (EntrySummary | undefined)[] = [undefined];
  /** The term of the node that first committed index i: a leader of a later term must hold it. */
  readonly commitTerms: number[] = [0];
  readonly committedBy: NodeId[] = [0];
  readonly commitEvents: number[] = [-1];
  readonly committedPrefixes: number[] = [EMPTY_PREFIX];
  /** Per node, the index up to which its log was compared with the committed log. */
  private readonly commitChecked: number[] = [];
  /** (index, term) -> slot of the first prefix hash seen for it (Log Matching's global record). */
  private readonly registry = new IndexTermSlots();
  private readonly slots: RegistrySlots = { prefix: [], digest: [], node: [], event: [] };
  /**
   * Effects of the event last observed, reset on every event. lastAppend is one object the view
   * rewrites on every append (read it while the event is current; copy what must outlast it).
   */
  lastAppend: AppendEffect | null = null;
  private readonly appendEffect: { -readonly [Field in keyof AppendEffect]: AppendEffect[Field] } = { node: 0, from: 0, previousLastIndex: 0, firstChangedIndex: 0 };
  logConflict: LogConflict | null = null;
  commitConflict: CommitConflict | null = null;

  log(node: NodeId): NodeLog {
    const existing = this.logs[node];
    if (existing !== undefined) return existing;
    assert(Number.isInteger(node) && node >= 1 && node < PAIR_LIMIT, `node id ${node} is not a small positive integer`);
    const log = new NodeLog();
    this.logs[node] = log;
    this.roles[node] = 'follower';
    this.terms[node] = 0;
    this.up[node] = true;
    this.commitChecked[node] = 0;
    return log;
  }

  /** Node ids seen so far, ascending. */
  nodes(): NodeId[] {
    const nodes: NodeId[] = [];
    for (let node = 1; node < this.logs.length; node += 1) if (this.logs[node] !== undefined) nodes.push(node);
    return nodes;
  }

  /**
   * What observe() does for a message event (send, deliver, drop, duplicate) at `time` (read by the
   * caller): note the time.
   */
  observeMessage(time: number): void {
    this.lastEvent = null;
    this.lastEventTime = time;
    this.lastAppend = null;
    this.logConflict = null;
    this.commitConflict = null;
  }

  /** What observe() does for an `apply` event of `node` at `time` (both read by the caller). */
  observeApply(node: NodeId, time: number): void {
    this.observeMessage(time);
    this.log(node);
  }

  /** What observe() does for a `commit` event. */
  observeCommit(event: TraceEventOf<'commit'>, index: number): void {
    this.observeMessage(event.time);
    this.onCommit(event, index);
  }

  /** What observe() does for an `append` event. */
  observeAppend(event: TraceEventOf<'append'>, index: number): void {
    this.observeMessage(event.time);
    this.onAppend(event, index);
  }

  observe(event: TraceEvent, index: number): void {
    this.lastEvent = event;
    this.lastAppend = null;
    this.logConflict = null;
    this.commitConflict = null;
    switch (event.type) {
      // The most frequent events first (message events come through observeMessage in the suite).
      case 'apply': case 'pause': case 'resume': this.log(event.node); return;
      case 'append': return this.onAppend(event, index);
      case 'commit': return this.onCommit(event, index);
      case 'send': case 'deliver': case 'drop': case 'duplicate': case 'partition': case 'heal':
      case 'call': case 'return': case 'phase': case 'violation': case 'checkpoint': case 'assertion':
        return;
      case 'snapshot': return this.onSnapshot(event);
      case 'compact': return this.onCompact(event);
      case 'role':
        this.log(event.node);
        this.roles[event.node] = event.role;
        this.terms[event.node] = event.term;
        return;
      case 'term':
        this.log(event.node);
        this.terms[event.node] = event.term;
        return;
      case 'crash':
      case 'restart': {
        const log = this.log(event.node);
        // A restarted node reloads its snapshot and the entries that survived on disk; the host
        // emits `snapshot` and `append` for them (none when nothing survived past the snapshot).
        if (event.type === 'restart') log.lastIndex = log.snapshotIndex;
        this.up[event.node] = event.type === 'restart';
        this.roles[event.node] = 'follower';
        this.commitChecked[event.node] = 0;
        return;
      }
      default: return assertNever(event);
    }
  }

  private onAppend(event: TraceEventOf<'append'>, eventIndex: number): void {
    const log = this.log(event.node);
    const { from, entries } = event;
    if (!(Number.isInteger(from) && from >= 1)) assert(false, `append on node ${event.node} starts at index ${from}`);
    const previousLastIndex = log.lastIndex;
    const firstChangedIndex = firstChanged(log, from, entries);
    const effect = this.appendEffect;
    effect.node = event.node;
    effect.from = from;
    effect.previousLastIndex = previousLastIndex;
    effect.firstChangedIndex = firstChangedIndex;
    this.lastAppend = effect;
    if (entries.length === 0 && from > log.lastIndex) return;
    if (firstChangedIndex > 0) {
      this.commitChecked[event.node] = Math.min(this.commitChecked[event.node] ?? 0, firstChangedIndex - 1);
    }
    const base = log.prefixAt(from - 1);
    if (from - 1 < log.validFrom - 1 || from - 1 > log.lastIndex) log.validFrom = from;
    if (from <= log.snapshotIndex) {
      log.snapshotTerm = log.termAt(from - 1) ?? 0;
      log.snapshotIndex = from - 1;
    }
    log.prefixes[from - 1] = base;
    let prefix = base;
    for (let offset = 0; offset < entries.length; offset += 1) {
      const entry = entries[offset]!;
      const position = from + offset;
      prefix = prefix === UNKNOWN_PREFIX ? UNKNOWN_PREFIX : chainPrefix(prefix, entry.term, entry.digest);
      log.entries[position] = entry;
      log.prefixes[position] = prefix;
      if (prefix !== UNKNOWN_PREFIX) this.register(position, entry, prefix, event.node, eventIndex);
    }
    log.lastIndex = from + entries.length - 1;
  }

  private register(position: number, entry: EntrySummary, prefix: number, node: NodeId, eventIndex: number): void {
    const slot = this.registry.get(position, entry.term);
    if (slot === undefined) {
      this.registry.set(position, entry.term, this.slots.prefix.length);
      this.slots.prefix.push(prefix);
      this.slots.digest.push(entry.digest);
      this.slots.node.push(node);
      this.slots.event.push(eventIndex);
      return;
    }
    if (this.slots.prefix[slot] === prefix || this.logConflict !== null) return;
    this.logConflict = {
      index: position,
      term: entry.term,
      nodes: [this.slots.node[slot]!, node],
      witnesses: [this.slots.event[slot]!, eventIndex],
      sameEntry: this.slots.digest[slot] === entry.digest,
    };
  }

  /**
   * The node's log now starts after the snapshot. Its prefix hash there is its own if it held the
   * same (index, term), else the one recorded for (index, term) by another node, else unknown.
   */
  private onSnapshot(event: TraceEventOf<'snapshot'>): void {
    const log = this.log(event.node);
    const keepsOwnLog = log.termAt(event.index) === event.term && event.index >= log.validFrom - 1;
    let prefix = event.index === 0 ? EMPTY_PREFIX : keepsOwnLog ? log.prefixAt(event.index) : UNKNOWN_PREFIX;
    if (prefix === UNKNOWN_PREFIX && event.index > 0) {
      const slot = this.registry.get(event.index, event.term);
      if (slot !== undefined) prefix = this.slots.prefix[slot]!;
    }
    if (!keepsOwnLog) log.validFrom = event.index + 1;
    log.prefixes[event.index] = prefix;
    // A node that held the snapshot's last entry may keep what follows it (Figure 13).
    log.lastIndex = keepsOwnLog && event.kept !== undefined ? Math.min(event.kept, log.lastIndex) : event.index;
    log.snapshotIndex = event.index;
    log.snapshotTerm = event.term;
  }

  private onCompact(event: TraceEventOf<'compact'>): void {
    const log = this.log(event.node);
    const term = log.termAt(event.index);
    if (term === undefined || event.index <= log.snapshotIndex) return;
    log.snapshotIndex = event.index;
    log.snapshotTerm = term;
  }

  /** Records newly committed entries, or compares them with what was committed before. */
  private onCommit(event: TraceEventOf<'commit'>, eventIndex: number): void {
    const log = this.log(event.node);
    const checked = this.commitChecked[event.node] ?? 0;
    const last = Math.min(event.index, log.lastIndex);
    for (let position = checked + 1; position <= last; position += 1) {
      const held = log.entryAt(position);
      if (held === undefined) continue;
      const committed = this.committed[position];
      if (committed === undefined) {
        this.committed[position] = held;
        this.commitTerms[position] = this.terms[event.node] ?? 0;
        this.committedBy[position] = event.node;
        this.commitEvents[position] = eventIndex;
        this.committedPrefixes[position] = log.prefixAt(position);
      } else if ((committed.term !== held.term || committed.digest !== held.digest) && this.commitConflict === null) {
        this.commitConflict = {
          index: position, node: event.node, held, committed,
          committedBy: this.committedBy[position] ?? 0,
          witnesses: [this.commitEvents[position] ?? -1, eventIndex],
        };
      }
    }
    this.commitChecked[event.node] = Math.max(checked, last);
    this.committedIndex = Math.max(this.committedIndex, event.index);
  }
}

/** The lowest index at which the append replaces an entry by a different one or removes one. */
function firstChanged(log: NodeLog, from: number, entries: readonly EntrySummary[]): number {
  const overlapEnd = Math.min(log.lastIndex, from + entries.length - 1);
  for (let position = from; position <= overlapEnd; position += 1) {
    const old = log.entryAt(position);
    const entry = entries[position - from]!;
    if (old !== undefined && (old.term !== entry.term || old.digest !== entry.digest)) return position;
  }
  return from + entries.length <= log.lastIndex ? from + entries.length : 0;
}

export function describeCommitConflict(conflict: CommitConflict): string {
  const { index, node, held, committed, committedBy } = conflict;
  return `Node ${node} committed the entry of term ${held.term} (digest ${held.digest}) at index ${index}, ` +
    `where node ${committedBy} had committed the entry of term ${committed.term} (digest ${committed.digest}).`;
}
