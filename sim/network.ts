// The simulated network, generic over the message type. Per directed link: a delay uniform in
// [delayMsMin, delayMsMax] (two messages on one link can swap, which is all reordering is), loss,
// duplication (a second copy with its own delay) and a capacity of copies in flight. Partitions
// cut directed links; a copy is dropped if its link is cut when it is sent or when it arrives
// (the event loop asks `isCut` at delivery time). Stalls (NetworkOptions.stallRatio) hold a link,
// or every outgoing link of a node, for election timeouts and then deliver what it held. Every draw
// comes from the streams given; stalls draw from their own, and only when they are on.
import { assert } from '../core/index.ts';
import type { NodeId } from '../core/index.ts';
import type { DropReason } from './events.ts';
import type { NetworkOptions, RngLike } from './options.ts';
import type { Link } from './partitions.ts';

export interface Addressed {
  readonly from: NodeId;
  readonly to: NodeId;
}

/** On delivery: one arrival time per copy (two when duplicated), each >= the send time. */
export type RouteResult =
  | { readonly type: 'deliver'; readonly deliveries: readonly number[] }
  | { readonly type: 'drop'; readonly drop: DropReason };

export interface NetworkCounters {
  readonly sent: number;
  readonly duplicated: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Copies on the wire now, over all links. */
  readonly inFlight: number;
  /** Stalls started, and copies a stall held back. */
  readonly stalls: number;
  readonly held: number;
}

/** A link's capacity in the liveness phase: as good as unbounded (options allow up to 1,000,000). */
const CALM_CAPACITY_PER_LINK = 1_000_000;

export class Network<M extends Addressed> {
  private options: NetworkOptions;
  /** Copies in flight per directed link, at (from - 1) * nodes + (to - 1). Invariant: >= 0. */
  private readonly inFlight: Int32Array;
  /** Cut directed links, same indexing; 1 = cut. */
  private readonly cutLinks: Uint8Array;
  private cutCount = 0;
  private sent = 0;
  private duplicated = 0;
  private readonly dropped: Record<DropReason, number> = { loss: 0, partition: 0, down: 0, capacity: 0 };
  private copiesInFlight = 0;
  /** Per directed link, same indexing: the time until which it holds what is sent over it (a stall). */
  private readonly stalledUntil: Float64Array;
  private stalls = 0;
  private held = 0;
  /** What routeCopies decided last: the arrival times of its copies, or why it dropped the message. */
  private readonly arrivals = new Float64Array(2);
  lastDrop: DropReason = 'loss';

  /** `stallRng` may be null only while stalls are off (NetworkOptions.stallRatio = 0). */
  constructor(options: NetworkOptions, private readonly rng: RngLike, readonly nodes: number,
    private readonly stallRng: RngLike | null = null) {
    assert(Number.isInteger(nodes) && nodes >= 1, `network: nodes must be a positive integer, got ${nodes}`);
    this.inFlight = new Int32Array(nodes * nodes);
    this.cutLinks = new Uint8Array(nodes * nodes);
    this.stalledUntil = new Float64Array(nodes * nodes);
    this.options = this.checked(options);
  }

  private checked(options: NetworkOptions): NetworkOptions {
    assert(options.delayMsMax >= options.delayMsMin, 'network: delayMsMax must be >= delayMsMin');
    assert(options.stallMsMax >= options.stallMsMin, 'network: stallMsMax must be >= stallMsMin');
    assert(options.stallRatio === 0 || this.stallRng !== null, 'network: stalls need a stall random stream');
    return options;
  }

  private link(from: NodeId, to: NodeId): number {
    // Messages are built only on failure: this runs on every send and delivery.
    if (!(Number.isInteger(from) && from >= 1 && from <= this.nodes)) {
      assert(false, `network: from ${from} is not a node in 1..${this.nodes}`);
    }
    if (!(Number.isInteger(to) && to >= 1 && to <= this.nodes)) {
      assert(false, `network: to ${to} is not a node in 1..${this.nodes}`);
    }
    if (from === to) assert(false, `network: node ${from} sends to itself`);
    return (from - 1) * this.nodes + (to - 1);
  }

  private delayMs(): number {
    return this.rng.range(this.options.delayMsMin, this.options.delayMsMax);
  }

  /** Decides the fate of a message sent at `now`. Each copy delivered must be reported back. */
  route(now: number, message: M): RouteResult {
    const copies = this.routeCopies(now, message);
    if (copies === 0) return { type: 'drop', drop: this.lastDrop };
    return { type: 'deliver', deliveries: copies === 1 ? [this.arrivals[0] as number] : [this.arrivals[0] as number, this.arrivals[1] as number] };
  }

  /**
   * route() without its result object, for the event loop (a message sent is two allocations
   * fewer): the number of copies to deliver, 0 when dropped (the reason is then `lastDrop`); the
   * copies' arrival times are `arrival(0)` and `arrival(1)` until the next call.
   */
  routeCopies(now: number, message: M): number {
    // Each field read once: messages come in many shapes, so every read is a megamorphic lookup.
    const from = message.from;
    const link = this.link(from, message.to);
    this.sent++;
    if (this.cutLinks[link] === 1) return this.drop('partition');
    if (this.rng.chance(this.options.lossRatio)) return this.drop('loss');
    const capacity = this.options.capacityPerLink;
    if ((this.inFlight[link] as number) >= capacity) return this.drop('capacity');
    // A stalled link holds the copy (it still takes capacity) and lets it go when the stall ends.
    const leavesAt = this.leavesAt(now, link, from);
    this.arrivals[0] = leavesAt + this.delayMs();
    let copies = 1;
    // A duplicate that would overflow the link is simply not made.
    if (this.rng.chance(this.options.duplicateRatio) && (this.inFlight[link] as number) + 1 < capacity) {
      this.arrivals[1] = leavesAt + this.delayMs();
      copies = 2;
      this.duplicated++;
    }
    if (leavesAt > now) this.held += copies;
    this.inFlight[link] = (this.inFlight[link] as number) + copies;
    this.copiesInFlight += copies;
    return copies;
  }

  /** The arrival time of copy 0 or 1 of the last message routeCopies let through. */
  arrival(copy: number): number {
    return this.arrivals[copy] as number;
  }

  private drop(reason: DropReason): 0 {
    this.dropped[reason]++;
    this.lastDrop = reason;
    return 0;
  }

  /** When a copy sent now on `link` leaves it: now, or the end of a stall (which it may start). */
  private leavesAt(now: number, link: number, from: NodeId): number {
    const stallRatio = this.options.stallRatio;
    if (stallRatio > 0 && (this.stalledUntil[link] as number) <= now) {
      const stallRng = this.stallRng as RngLike;
      if (stallRng.chance(stallRatio)) this.stall(now, link, from, stallRng);
    }
    return Math.max(now, this.stalledUntil[link] as number);
  }

  private stall(now: number, link: number, from: NodeId, stallRng: RngLike): void {
    const until = now + stallRng.range(this.options.stallMsMin, this.options.stallMsMax);
    const wholeNode = stallRng.chance(this.options.stallNodeRatio);
    this.stalls++;
    if (!wholeNode) {
      this.stalledUntil[link] = until;
      return;
    }
    // The sender's queue stalls: every link out of it, each kept stalled for at least as long.
    const first = (from - 1) * this.nodes;
    for (let to = 0; to < this.nodes; to++) {
      if (to === from - 1) continue;
      this.stalledUntil[first + to] = Math.max(this.stalledUntil[first + to] as number, until);
    }
    assert(this.stalledUntil[link] === until, 'network: a node stall must hold the link that started it');
  }

  /** A copy left its link (handed to the node, or dropped on arrival): frees its capacity. */
  delivered(message: M): void {
    this.left(message.from, message.to);
  }

  /** delivered() for a copy from `from` to `to`, for a caller that has read them already. */
  left(from: NodeId, to: NodeId): void {
    const link = this.link(from, to);
    const count = this.inFlight[link] as number;
    if (count <= 0) assert(false, `network: a copy ${from}->${to} left a link with none in flight`);
    this.inFlight[link] = count - 1;
    this.copiesInFlight--;
  }

  /** A copy dropped on arrival (cut link, node down): frees its capacity and counts the drop. */
  lost(message: M, reason: DropReason): void {
    this.delivered(message);
    this.dropped[reason]++;
  }

  /** Replaces the set of cut links (a partition is the whole cut set, not an addition). */
  cut(links: readonly Link[]): void {
    this.cutLinks.fill(0);
    for (const [from, to] of links) this.cutLinks[this.link(from, to)] = 1;
    this.cutCount = this.cutLinks.reduce((sum, value) => sum + value, 0);
  }

  heal(): void {
    this.cutLinks.fill(0);
    this.cutCount = 0;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cutLinks[this.link(from, to)] === 1;
  }

  /** The cut links, sorted by (from, to). */
  currentCut(): Link[] {
    const links: Link[] = [];
    if (this.cutCount === 0) return links;
    for (let from = 1; from <= this.nodes; from++) {
      for (let to = 1; to <= this.nodes; to++) {
        if (from !== to && this.isCut(from, to)) links.push([from, to]);
      }
    }
    return links;
  }

  inFlightOn(from: NodeId, to: NodeId): number {
    return this.inFlight[this.link(from, to)] as number;
  }

  /**
   * The liveness phase: no more loss, duplication or stalls (a stalled link is free again for new
   * copies; those it held keep their delivery times), and no copy dropped because its link is full,
   * which is loss too (a leader's window of appends over a link of a few copies lost nearly all of
   * them and took minutes to catch a follower up); delays stay.
   */
  calm(): void {
    this.options = { ...this.options, lossRatio: 0, duplicateRatio: 0, stallRatio: 0, capacityPerLink: CALM_CAPACITY_PER_LINK };
    this.stalledUntil.fill(0);
  }

  setOptions(options: NetworkOptions): void {
    this.options = this.checked(options);
  }

  counters(): NetworkCounters {
    return {
      sent: this.sent, duplicated: this.duplicated, dropped: { ...this.dropped }, inFlight: this.copiesInFlight,
      stalls: this.stalls, held: this.held,
    };
  }
}
