// The explicit fault schedule: a list of timed fault events, plain JSON data. generateSchedule
// draws one for the safety phase from the options; property tests generate and shrink their own;
// both go through validateSchedule, and the schedule is written in the trace header.
import { assert, assertNever } from '../core/index.ts';
import type { NodeId } from '../core/index.ts';
import type { PartitionKind } from './events.ts';
import { leaseBounds } from './options.ts';
import type { RngLike, SimOptions } from './options.ts';
import { connectedQuorum, generateCut, nodeIds, normalizeCut, shuffled } from './partitions.ts';
import type { Link } from './partitions.ts';
import { exponentialMs } from './random.ts';

/**
 * A partition replaces the whole set of cut directed links (it does not add to it); heal empties
 * it. The event loop ignores a transition that does not apply (restart of a running node, resume
 * of a node that is not paused), so a shrunk schedule stays runnable.
 */
export type FaultEvent =
  | { readonly at: number; readonly type: 'partition'; readonly kind: PartitionKind; readonly cut: readonly Link[] }
  | { readonly at: number; readonly type: 'heal' }
  | { readonly at: number; readonly type: 'crash'; readonly node: NodeId; readonly torn: boolean }
  | { readonly at: number; readonly type: 'restart'; readonly node: NodeId }
  | { readonly at: number; readonly type: 'pause'; readonly node: NodeId }
  | { readonly at: number; readonly type: 'resume'; readonly node: NodeId }
  | LeaderCrash
  | LeaderCut
  | LeaderPause
  | MomentCrash;

/**
 * A crash aimed at whoever leads, resolved by the event loop when it happens (the trace records
 * the crash and restart of the node it hit). At `at` it takes the leader in office (the highest
 * term, should a deposed one linger) or, when there is none or another event already took it,
 * waits for the next node to become leader; waiting events take elections in schedule order, one
 * each. Its target crashes afterMs after it became leader (not before `at`) and restarts downMs
 * later. Leaders caught just after their election, with their no-op or an old term's entries half
 * replicated, are what Figure 8 of the Raft paper and divergent follower tails need.
 */
export interface LeaderCrash {
  readonly at: number;
  readonly type: 'crash-leader';
  readonly afterMs: number;
  readonly downMs: number;
  readonly torn: boolean;
}

/**
 * A partition aimed at whoever leads, resolved by the event loop like a LeaderCrash (the two share
 * the queue of elections waiting to be hit): afterMs after its target's election, the leader and
 * `mates` others (leaderCutSide: in id order after the leader, `shift` of them skipped, none from
 * the side of a leader cut still in force) are cut from the rest of the cluster for downMs, unless
 * another partition or a heal comes first. A new leader cut
 * off before its first entries reach every voter that elected it, while an old leader comes back
 * with a configuration it never committed, is what the single-server change bug of Raft's
 * membership changes needs (Ongaro, raft-dev 2015).
 */
export interface LeaderCut {
  readonly at: number;
  readonly type: 'cut-leader';
  readonly afterMs: number;
  readonly downMs: number;
  readonly mates: number;
  readonly shift: number;
}

/**
 * A pause aimed at whoever leads (a process stall: a long GC, a VM migration, a disk hang), resolved
 * by the event loop like a LeaderCrash (the three leader-aimed kinds share the queue of elections
 * waiting to be hit): afterMs after its target's election the leader stops, its timers with it, and
 * resumes downMs later, its held messages delivered then. A pause longer than an election timeout
 * lets the others elect a successor while the old leader still believes it leads: on resume it
 * acts on what it knew (reads, replies, commits) before it hears of the new term. With cutMs > 0
 * the stall also parts it from every other node (a VM migrated, its peer connections gone) from
 * the pause until cutMs after the resume, as a leader cut would (the cut replaces any other and a
 * heal ends it): it resumes to clients alone, none of the new term's messages waiting for it.
 */
export interface LeaderPause {
  readonly at: number;
  readonly type: 'pause-leader';
  readonly afterMs: number;
  readonly downMs: number;
  readonly cutMs: number;
}

/** The moments a MomentCrash waits for, each named after what a node has just done. */
export const CRASH_MOMENTS = ['vote', 'append', 'commit', 'snapshot'] as const;
export type CrashMoment = (typeof CRASH_MOMENTS)[number];

/**
 * A crash at an interesting moment, resolved by the event loop: from `at` on it waits for the next
 * node that has just done `moment` and crashes that node right after (its Ready handled, its
 * replies sent), to restart downMs later. 'vote': it persisted a vote; 'append': it wrote entries;
 * 'commit': a leader learned of a commit (before its followers do); 'snapshot': it took or
 * installed a snapshot. Crashes a uniform clock rarely lands on: the windows where a write not
 * yet synced, a commit known to one node only, or a snapshot just written decides what survives.
 */
export interface MomentCrash {
  readonly at: number;
  readonly type: 'crash-at';
  readonly moment: CrashMoment;
  readonly downMs: number;
  readonly torn: boolean;
}

/** The leader-aimed faults: each takes one leadership, resolved when it fires. */
export type LeaderFault = LeaderCrash | LeaderCut | LeaderPause;

export type FaultType = FaultEvent['type'];

/** What a leader cut resolved to in one run: the cut made, and when it was healed (null: never by it). */
export interface ResolvedLeaderCut {
  readonly at: number;
  readonly cut: readonly Link[];
  readonly healAt: number | null;
}

/**
 * The leader and its mates (LeaderCut): the others in id order starting after the leader, `shift`
 * of them skipped, the next `mates` taken (fewer when the cluster is smaller). Nodes in `away` (the
 * side of the leader cut in force) are left out while enough others remain, so the leader cut
 * before stays on the far side.
 */
export function leaderCutSide(leader: NodeId, nodes: number, mates: number, shift: number, away: readonly NodeId[] = []): NodeId[] {
  const others: NodeId[] = [];
  for (let step = 1; step < nodes; step++) others.push(((leader - 1 + step) % nodes) + 1);
  const kept = others.filter((node) => !away.includes(node));
  const pool = kept.length >= mates ? kept : others;
  const side = [leader];
  for (let taken = 0; taken < Math.min(mates, pool.length); taken++) {
    side.push(pool[(shift + taken) % pool.length] as NodeId);
  }
  return side.sort((a, b) => a - b);
}

/** What a leader crash resolved to in one run: the node it hit, and when. */
export interface ResolvedLeaderCrash {
  readonly at: number;
  readonly node: NodeId;
  readonly downMs: number;
  readonly torn: boolean;
}

/**
 * The schedule with its leader crashes replaced by the crashes and restarts they resolved to in a
 * run of it (those that never fired are dropped), sorted. A run of the result replays the same
 * faults, and each of its crashes can then be removed without re-aiming the others: what the
 * shrinker needs, since dropping one leader crash changes which leader every later one hits.
 */
export function pinLeaderCrashes(schedule: readonly FaultEvent[], resolved: readonly ResolvedLeaderCrash[],
  resolvedCuts: readonly ResolvedLeaderCut[] = []): FaultEvent[] {
  const pinned = schedule.filter((event) => event.type !== 'crash-leader' && event.type !== 'cut-leader');
  // Leader pauses stay as they are: resolved again in the run of the result, to whoever leads.
  for (const { at, node, downMs, torn } of resolved) {
    assert(downMs >= 1, `a resolved leader crash must stay down for at least 1 ms (got ${downMs})`);
    pinned.push({ at, type: 'crash', node, torn }, { at: at + downMs, type: 'restart', node });
  }
  // A leader cut becomes a partition, and its heal when the run healed it.
  for (const { at, cut, healAt } of resolvedCuts) {
    pinned.push({ at, type: 'partition', kind: 'explicit', cut });
    if (healAt !== null) pinned.push({ at: healAt, type: 'heal' });
  }
  return pinned.sort(compareFaults);
}

const FAULT_TYPES: readonly FaultType[] = [
  'partition', 'heal', 'crash', 'restart', 'pause', 'resume', 'crash-leader', 'cut-leader', 'pause-leader', 'crash-at',
];
const PARTITION_KINDS: readonly PartitionKind[] = ['halves', 'isolate', 'bridge', 'ring', 'asymmetric', 'explicit'];
export const SCHEDULE_EVENTS_MAX = 1_000_000;
/** The longest afterMs and downMs of a leader crash: a day, as for every duration option. */
const DURATION_MS_MAX = 24 * 60 * 60 * 1000;

/** At one instant, ends come before starts, so a node or the network is free again first. */
const RANK: Readonly<Record<FaultType, number>> = {
  heal: 0, restart: 1, resume: 2, partition: 3, crash: 4, pause: 5, 'crash-leader': 6, 'cut-leader': 7, 'pause-leader': 8, 'crash-at': 9,
};

export function compareFaults(a: FaultEvent, b: FaultEvent): number {
  const nodeA = 'node' in a ? a.node : 0;
  const nodeB = 'node' in b ? b.node : 0;
  return a.at - b.at || RANK[a.type] - RANK[b.type] || nodeA - nodeB;
}

export function describeFault(event: FaultEvent): string {
  switch (event.type) {
    case 'partition': return `${event.at} partition ${event.kind} ${event.cut.map(([from, to]) => `${from}->${to}`).join(' ')}`;
    case 'heal': return `${event.at} heal`;
    case 'crash': return `${event.at} crash ${event.node}${event.torn ? ' torn' : ''}`;
    case 'restart': return `${event.at} restart ${event.node}`;
    case 'pause': return `${event.at} pause ${event.node}`;
    case 'resume': return `${event.at} resume ${event.node}`;
    case 'crash-leader':
      return `${event.at} crash-leader +${event.afterMs} down ${event.downMs}${event.torn ? ' torn' : ''}`;
    case 'cut-leader':
      return `${event.at} cut-leader +${event.afterMs} for ${event.downMs} mates ${event.mates} shift ${event.shift}`;
    case 'pause-leader':
      return `${event.at} pause-leader +${event.afterMs} for ${event.downMs}${event.cutMs > 0 ? ` cut +${event.cutMs}` : ''}`;
    case 'crash-at':
      return `${event.at} crash-at ${event.moment} down ${event.downMs}${event.torn ? ' torn' : ''}`;
    default: return assertNever(event);
  }
}

// ---------------------------------------------------------------------------------------------
// Generation.

function generatePartitions(options: SimOptions, rng: RngLike, lastMs: number, events: FaultEvent[]): void {
  const { partitionIntervalMsMean: meanMs, partitionDurationMsMax, partitionKinds } = options.faults;
  if (meanMs === 0 || partitionKinds.length === 0 || options.nodes < 2) return;
  // Each round moves `at` forward by at least 1 ms, which bounds the loop by lastMs.
  for (let at = exponentialMs(rng, meanMs); at < lastMs;) {
    const kind = partitionKinds[rng.int(partitionKinds.length)];
    assert(kind !== undefined, 'partition kind drawn out of range');
    const healAt = Math.min(at + rng.range(1, partitionDurationMsMax), lastMs);
    events.push({ at, type: 'partition', kind, cut: generateCut(kind, rng, options.nodes) });
    events.push({ at: healAt, type: 'heal' });
    at = healAt + exponentialMs(rng, meanMs);
  }
}

interface Busy {
  readonly node: NodeId;
  /** The node is crashed or paused until this time, inclusive. */
  readonly until: number;
}

function drawFreeNode(rng: RngLike, nodes: number, busy: readonly Busy[]): NodeId {
  const free: NodeId[] = [];
  for (let node = 1; node <= nodes; node++) {
    if (!busy.some((window) => window.node === node)) free.push(node);
  }
  const node = free[rng.int(free.length)];
  assert(node !== undefined, 'no free node to fault');
  return node;
}

/**
 * Crashes and pauses share one budget, faultyNodesMax, and never hit a node already crashed or
 * paused. Checking the budget at each start is enough: the overlap of windows peaks at a start.
 */
/**
 * The node faults' durations. Without lease reads: crashes of 1..restartDelayMsMax, pauses of
 * 1..pauseDurationMsMax. With them, within the lease's assumption (leaseBounds): a crashed node
 * stays down a whole lease, a pause is no longer than the lease's slack allows (none when it
 * allows none), and a node is not paused again within pauseSpacingMs of its last resume.
 */
interface NodeFaultBounds {
  readonly restartMsMin: number;
  readonly restartMsMax: number;
  readonly pauseMsMax: number;
  readonly pauseSpacingMs: number;
}

function nodeFaultBounds(options: SimOptions): NodeFaultBounds {
  const { restartDelayMsMax, pauseDurationMsMax } = options.faults;
  if (!options.raft.leaseReads) {
    return { restartMsMin: 1, restartMsMax: restartDelayMsMax, pauseMsMax: pauseDurationMsMax, pauseSpacingMs: 0 };
  }
  const lease = leaseBounds(options);
  return {
    restartMsMin: lease.restartMsMin,
    restartMsMax: Math.max(lease.restartMsMin, restartDelayMsMax),
    pauseMsMax: Math.min(pauseDurationMsMax, lease.pauseMsMax),
    pauseSpacingMs: lease.pauseSpacingMs,
  };
}

function generateNodeFaults(options: SimOptions, rng: RngLike, lastMs: number, events: FaultEvent[]): void {
  const { crashIntervalMsMean } = options.faults;
  const bounds = nodeFaultBounds(options);
  const pauseIntervalMsMean = bounds.pauseMsMax >= 1 ? options.faults.pauseIntervalMsMean : 0;
  const budget = Math.min(options.faults.faultyNodesMax, options.nodes);
  let nextCrashAt = crashIntervalMsMean > 0 ? exponentialMs(rng, crashIntervalMsMean) : Infinity;
  let nextPauseAt = pauseIntervalMsMean > 0 ? exponentialMs(rng, pauseIntervalMsMean) : Infinity;
  let busy: Busy[] = [];
  /** Under lease reads: when each node may be paused again (by node id). */
  const pausableAt = new Map<NodeId, number>();
  // Each round moves one of the two arrival times forward by at least 1 ms.
  for (let round = 0; round <= 2 * lastMs; round++) {
    const isCrash = nextCrashAt <= nextPauseAt;
    const at = isCrash ? nextCrashAt : nextPauseAt;
    if (at >= lastMs) return;
    busy = busy.filter((window) => window.until >= at);
    // Nodes paused too recently are not free for another pause (never the case without leases).
    const blocked = isCrash ? busy : [...busy, ...[...pausableAt].filter(([, free]) => free > at).map(([node]) => ({ node, until: at }))];
    // Under leases a crash that could not stay down a whole lease before lastMs is not made.
    const fits = !isCrash || at + bounds.restartMsMin <= lastMs;
    if (busy.length < budget && blocked.length < options.nodes && fits) {
      const node = drawFreeNode(rng, options.nodes, blocked);
      const until = Math.min(at + (isCrash ? rng.range(bounds.restartMsMin, bounds.restartMsMax) : rng.range(1, bounds.pauseMsMax)), lastMs);
      busy.push({ node, until });
      if (isCrash) {
        events.push({ at, type: 'crash', node, torn: rng.chance(options.faults.tornWriteRatio) });
        events.push({ at: until, type: 'restart', node });
      } else {
        events.push({ at, type: 'pause', node }, { at: until, type: 'resume', node });
        if (bounds.pauseSpacingMs > 0) pausableAt.set(node, until + bounds.pauseSpacingMs);
      }
    }
    if (isCrash) nextCrashAt = at + exponentialMs(rng, crashIntervalMsMean);
    else nextPauseAt = at + exponentialMs(rng, pauseIntervalMsMean);
  }
  assert(false, 'generateNodeFaults: round bound exceeded');
}

/**
 * Draws the safety phase's faults: partitions (each followed by a heal), crashes (each followed by
 * a restart) and pauses (each followed by a resume), with exponential inter-arrival times from the
 * means. Every event but one falls strictly inside the safety phase, so the schedule ends with every
 * node running and the network whole; in some runs a last partition at durationMs is kept through
 * the liveness phase (keptCut). Leader crashes, leader cuts and cluster restarts (power losses,
 * rolling restarts) come from their own streams.
 */
export function generateSchedule(options: SimOptions, rng: RngLike, leaderRng: RngLike = rng, cutRng: RngLike = leaderRng,
  restartRng: RngLike = cutRng, pauseRng: RngLike = restartRng, momentRng: RngLike = pauseRng): FaultEvent[] {
  const lastMs = options.durationMs - 1;
  const events: FaultEvent[] = [];
  if (lastMs < 2) return events;
  // From their own stream (by default drawn last), so they shift none of the draws below.
  const leaderCrashes = generateLeaderCrashes(options, leaderRng, lastMs);
  generatePartitions(options, rng, lastMs, events);
  generateNodeFaults(options, rng, lastMs, events);
  // Drawn last, so the safety phase's faults are the same with or without it.
  const kept = keptCut(options, rng);
  if (kept !== null) events.push(kept);
  // Drawn after the kept cut, so both are the same with or without it.
  // From their own stream too, drawn only when leader cuts are on.
  const leaderCuts = generateLeaderCuts(options, cutRng, lastMs);
  // From their own stream too, drawn only when power losses or rolling restarts are on.
  const restarts = withClusterRestarts(events, clusterRestartWindows(options, restartRng, lastMs));
  // From their own stream too, drawn last and only when leader pauses are on.
  const leaderPauses = generateLeaderPauses(options, pauseRng, lastMs);
  // From their own stream too, drawn last and only when moment crashes are on.
  const momentCrashes = generateMomentCrashes(options, momentRng, lastMs);
  const all = [...powerFailure(options, rng, lastMs, restarts), ...leaderCrashes, ...leaderCuts, ...leaderPauses, ...momentCrashes];
  assert(all.length <= SCHEDULE_EVENTS_MAX, `schedule has ${all.length} events, more than ${SCHEDULE_EVENTS_MAX}`);
  return all.sort(compareFaults);
}

/**
 * Crashes aimed at the leader, with exponential inter-arrival times; the event loop resolves each
 * one's target (LeaderCrash). They fall strictly inside the safety phase; their restarts may not,
 * and the liveness phase restarts whoever is still down.
 */
function generateLeaderCrashes(options: SimOptions, rng: RngLike, lastMs: number): FaultEvent[] {
  const { leaderCrashIntervalMsMean: meanMs, leaderCrashAfterMsMax, restartDelayMsMax, tornWriteRatio } = options.faults;
  const events: FaultEvent[] = [];
  if (meanMs === 0 || options.nodes < 2) return events;
  // Each round moves `at` forward by at least 1 ms, which bounds the loop by lastMs.
  for (let at = exponentialMs(rng, meanMs); at < lastMs; at += exponentialMs(rng, meanMs)) {
    events.push({
      at, type: 'crash-leader', afterMs: rng.range(0, leaderCrashAfterMsMax), downMs: rng.range(1, restartDelayMsMax),
      torn: rng.chance(tornWriteRatio),
    });
  }
  return events;
}

/**
 * Pauses aimed at the leader (LeaderPause), with exponential inter-arrival times, each from
 * [0, leaderPauseAfterMsMax] after its target's election and lasting [1, leaderPauseMsMax]; when
 * leaderPauseCutMsMax > 0, half of them cut the leader off until [1, leaderPauseCutMsMax] after. They
 * fall strictly inside the safety phase; a resume after it is the liveness phase's to make.
 */
function generateLeaderPauses(options: SimOptions, rng: RngLike, lastMs: number): FaultEvent[] {
  const meanMs = options.faults.leaderPauseIntervalMsMean ?? 0;
  const events: FaultEvent[] = [];
  if (meanMs === 0 || options.nodes < 2) return events;
  const afterMsMax = options.faults.leaderPauseAfterMsMax ?? 0;
  const downMsMax = Math.max(1, options.faults.leaderPauseMsMax ?? 1);
  const cutMsMax = options.faults.leaderPauseCutMsMax ?? 0;
  for (let at = exponentialMs(rng, meanMs); at < lastMs; at += exponentialMs(rng, meanMs)) {
    const afterMs = rng.range(0, afterMsMax);
    const downMs = rng.range(1, downMsMax);
    // Half the pauses, when the run cuts any, also cut the leader off.
    const cutMs = cutMsMax > 0 && rng.chance(0.5) ? rng.range(1, cutMsMax) : 0;
    events.push({ at, type: 'pause-leader', afterMs, downMs, cutMs });
  }
  return events;
}

/**
 * Crashes at interesting moments (MomentCrash), with exponential inter-arrival times, each waiting
 * for a moment drawn from momentCrashMoments, down for [1, momentCrashDownMsMax]; under lease reads
 * down a whole lease at least, as every other crash (leaseBounds).
 */
function generateMomentCrashes(options: SimOptions, rng: RngLike, lastMs: number): FaultEvent[] {
  const meanMs = options.faults.momentCrashIntervalMsMean ?? 0;
  const events: FaultEvent[] = [];
  if (meanMs === 0 || options.nodes < 2) return events;
  const moments = momentsOf(options.faults.momentCrashMoments ?? 0);
  if (moments.length === 0) return events;
  const downMsMin = options.raft.leaseReads ? leaseBounds(options).restartMsMin : 1;
  const downMsMax = Math.max(downMsMin, options.faults.momentCrashDownMsMax ?? 1);
  for (let at = exponentialMs(rng, meanMs); at < lastMs; at += exponentialMs(rng, meanMs)) {
    events.push({
      at, type: 'crash-at', moment: moments[rng.int(moments.length)] as CrashMoment, downMs: rng.range(downMsMin, downMsMax),
      torn: rng.chance(options.faults.tornWriteRatio),
    });
  }
  return events;
}

/** The moments a bit set names (bit i: CRASH_MOMENTS[i]), in CRASH_MOMENTS order. */
export function momentsOf(bits: number): CrashMoment[] {
  return CRASH_MOMENTS.filter((_, index) => (bits & (1 << index)) !== 0);
}

/** The leader cuts of one burst: each hits the next election, so the cut leaders follow one another. */
export const LEADER_CUT_BURST = 3;

/**
 * Partitions aimed at the leader (LeaderCut), in bursts with exponential inter-arrival times. The
 * first cut of a burst isolates the leader in office, which brings an election; the second
 * isolates the new leader just after its election, with whatever it was asked then; the third
 * cuts the next new leader off with one mate or more (up to a minority), away from the leader cut
 * before. Each lasts half of leaderCutDurationMsMax at least (long enough, when that is a few
 * election timeouts, for the others to elect the next leader before the cut heals).
 */
function generateLeaderCuts(options: SimOptions, rng: RngLike, lastMs: number): FaultEvent[] {
  const { leaderCutIntervalMsMean: meanMs, leaderCutAfterMsMax, leaderCutDurationMsMax } = options.faults;
  const events: FaultEvent[] = [];
  if (meanMs === 0 || options.nodes < 2) return events;
  const matesMax = Math.floor((options.nodes - 1) / 2);
  for (let at = exponentialMs(rng, meanMs); at < lastMs; at += exponentialMs(rng, meanMs)) {
    for (let position = 0; position < LEADER_CUT_BURST; position++) {
      events.push({
        at, type: 'cut-leader', afterMs: rng.range(0, leaderCutAfterMsMax),
        downMs: rng.range(Math.ceil(leaderCutDurationMsMax / 2), leaderCutDurationMsMax),
        mates: position < LEADER_CUT_BURST - 1 ? 0 : rng.range(Math.min(1, matesMax), matesMax), shift: rng.int(options.nodes - 1),
      });
    }
  }
  return events;
}

/** The share of eligible runs whose liveness phase keeps a partial partition. */
export const KEPT_CUT_RATIO = 0.5;

/**
 * A partition at exactly durationMs is kept through the liveness phase (the simulator heals
 * everything else). One node stops receiving but can still send (asymmetric): the others stay
 * fully connected, a quorum, so a leader and finished client work are still owed. The deaf node
 * never hears a leader and times out again and again; without PreVote each timeout raises the
 * term everywhere and deposes the leader, forever (Cloudflare 2020, thesis 4.2.3). A symmetric
 * partial cut does not show it: the cluster soon elects a node both sides hear, and settles.
 * Only drawn for clusters configured with PreVote and CheckQuorum, which must then cope with it.
 */
function keptCut(options: SimOptions, rng: RngLike): FaultEvent | null {
  const { nodes, raft, faults } = options;
  if (nodes < 3 || !raft.preVote || !raft.checkQuorum || faults.partitionIntervalMsMean === 0) return null;
  if (!rng.chance(KEPT_CUT_RATIO)) return null;
  const deaf = rng.range(1, nodes);
  const cut = normalizeCut(nodeIds(nodes).filter((node) => node !== deaf).map((node): Link => [node, deaf]));
  assert(connectedQuorum(cut, nodes) !== null, 'a kept cut must leave a connected quorum');
  return { at: options.durationMs, type: 'partition', kind: 'asymmetric', cut };
}

/** The share of eligible runs (crashes on, a budget of every node) that end in a power failure. */
export const POWER_FAILURE_RATIO = 0.5;

/**
 * A power failure near the end of the safety phase: every node crashes at once and all restart at
 * the same instant, lastMs. With no clock drift their timers then tick in step, so a fixed
 * election timeout ties on every node, every term (openraft #1838); randomized timeouts break the
 * tie at once. Node faults that would still be open at the crash are dropped whole, so each node's
 * windows stay paired and within their bounds. Only drawn when the budget allows every node down.
 */
function powerFailure(options: SimOptions, rng: RngLike, lastMs: number, events: FaultEvent[]): FaultEvent[] {
  const { nodes, faults } = options;
  if (nodes < 2 || faults.crashIntervalMsMean === 0 || faults.faultyNodesMax < nodes || lastMs < 3) return events;
  if (!rng.chance(POWER_FAILURE_RATIO)) return events;
  const crashAt = lastMs - rng.range(1, Math.min(faults.restartDelayMsMax, lastMs - 1));
  const kept = withoutOverlaps(events, nodeIds(nodes).map((node) => ({ node, from: crashAt, to: lastMs })));
  for (const node of nodeIds(nodes)) {
    kept.push({ at: crashAt, type: 'crash', node, torn: rng.chance(faults.tornWriteRatio) });
    kept.push({ at: lastMs, type: 'restart', node });
  }
  return kept;
}

/** A node down from `from` to `to` (a crash and its restart) by a fault of the whole cluster. */
interface DownWindow {
  readonly node: NodeId;
  readonly from: number;
  readonly to: number;
}

/**
 * The events without the node fault pairs (crash and restart, pause and resume) that overlap a
 * window of their node, so each node's windows stay paired and within their bounds.
 */
function withoutOverlaps(events: readonly FaultEvent[], windows: readonly DownWindow[]): FaultEvent[] {
  const dropped = new Set<FaultEvent>();
  const openSince = new Map<NodeId, FaultEvent>();
  for (const event of [...events].sort(compareFaults)) {
    if (!('node' in event)) continue;
    const start = openSince.get(event.node);
    if (start === undefined) {
      openSince.set(event.node, event);
      continue;
    }
    openSince.delete(event.node);
    if (windows.some((window) => window.node === event.node && start.at <= window.to && event.at >= window.from)) {
      dropped.add(start).add(event);
    }
  }
  return events.filter((event) => !dropped.has(event));
}

/**
 * The windows of the power losses and rolling restarts (sim/options.ts swarmRestarts), from their
 * own stream. A power loss takes every node down at one instant and brings all back at another; a
 * rolling restart takes the nodes down one at a time in a random order, each the node fault
 * bounds' down time, the next within two election timeouts of the one before coming back (a step
 * that would overlap a power loss is skipped). As for crashes, under lease reads a window that
 * could not last a whole lease before lastMs is not made.
 */
function clusterRestartWindows(options: SimOptions, rng: RngLike, lastMs: number): (DownWindow & { readonly torn: boolean })[] {
  const { powerLossIntervalMsMean: powerMs = 0, rollingRestartIntervalMsMean: rollingMs = 0, tornWriteRatio } = options.faults;
  const windows: (DownWindow & { readonly torn: boolean })[] = [];
  if (options.nodes < 2) return windows;
  const bounds = nodeFaultBounds(options);
  const fits = (at: number): boolean => at + bounds.restartMsMin <= lastMs;
  const downUntil = (at: number): number => Math.min(at + rng.range(bounds.restartMsMin, bounds.restartMsMax), lastMs);
  for (let at = powerMs > 0 ? exponentialMs(rng, powerMs) : lastMs; fits(at);) {
    const to = downUntil(at);
    for (const node of nodeIds(options.nodes)) windows.push({ node, from: at, to, torn: rng.chance(tornWriteRatio) });
    at = to + exponentialMs(rng, powerMs);
  }
  const powerLosses = [...windows];
  const gapMsMax = 2 * options.raft.electionTicks * options.tickMs;
  for (let at = rollingMs > 0 ? exponentialMs(rng, rollingMs) : lastMs; fits(at); at += exponentialMs(rng, rollingMs)) {
    for (const node of shuffled(rng, nodeIds(options.nodes))) {
      if (!fits(at)) break;
      const window = { node, from: at, to: downUntil(at), torn: rng.chance(tornWriteRatio) };
      if (!powerLosses.some((loss) => loss.from <= window.to && loss.to >= window.from)) windows.push(window);
      at = window.to + rng.range(0, gapMsMax);
    }
  }
  return windows;
}

/** The events with the windows' crashes and restarts, and without the node faults they overlap. */
function withClusterRestarts(events: FaultEvent[], windows: readonly (DownWindow & { readonly torn: boolean })[]): FaultEvent[] {
  if (windows.length === 0) return events;
  const kept = withoutOverlaps(events, windows);
  for (const { node, from, to, torn } of windows) {
    kept.push({ at: from, type: 'crash', node, torn }, { at: to, type: 'restart', node });
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Validation. A schedule may come from JSON (a trace header, a hand-written scenario), so every
// field is checked for its type, and unknown fields are refused.

type Fields = Readonly<Record<string, unknown>>;

const FIELDS: Readonly<Record<FaultType, readonly string[]>> = {
  partition: ['at', 'type', 'kind', 'cut'],
  heal: ['at', 'type'],
  crash: ['at', 'type', 'node', 'torn'],
  restart: ['at', 'type', 'node'],
  pause: ['at', 'type', 'node'],
  resume: ['at', 'type', 'node'],
  'crash-leader': ['at', 'type', 'afterMs', 'downMs', 'torn'],
  'cut-leader': ['at', 'type', 'afterMs', 'downMs', 'mates', 'shift'],
  'pause-leader': ['at', 'type', 'afterMs', 'downMs', 'cutMs'],
  'crash-at': ['at', 'type', 'moment', 'downMs', 'torn'],
};

class ScheduleError extends Error {}

function nodeIn(value: unknown, nodes: number, what: string): NodeId {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > nodes) {
    throw new ScheduleError(`${what} must be a node id in 1..${nodes} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function validateCut(value: unknown, nodes: number): Link[] {
  if (!Array.isArray(value)) throw new ScheduleError('cut must be an array of [from, to] links');
  const seen = new Set<string>();
  return value.map((link: unknown, index): Link => {
    if (!Array.isArray(link) || link.length !== 2) throw new ScheduleError(`cut[${index}] must be a [from, to] pair`);
    const from = nodeIn(link[0], nodes, `cut[${index}] from`);
    const to = nodeIn(link[1], nodes, `cut[${index}] to`);
    if (from === to) throw new ScheduleError(`cut[${index}] links node ${from} to itself`);
    const key = `${from}->${to}`;
    if (seen.has(key)) throw new ScheduleError(`cut[${index}] repeats the link ${key}`);
    seen.add(key);
    return [from, to];
  });
}

function durationIn(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > DURATION_MS_MAX) {
    throw new ScheduleError(`${what} must be an integer in ${min}..${DURATION_MS_MAX} ms (got ${JSON.stringify(value)})`);
  }
  return value;
}

function countBelow(value: unknown, what: string, limit: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= limit) {
    throw new ScheduleError(`${what} must be an integer in 0..${limit - 1} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function tornOf(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ScheduleError(`torn must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function validateEvent(fields: Fields, type: FaultType, at: number, nodes: number): FaultEvent {
  switch (type) {
    case 'partition': {
      const kind = fields['kind'];
      if (!PARTITION_KINDS.includes(kind as PartitionKind)) {
        throw new ScheduleError(`kind must be one of ${PARTITION_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
      }
      return { at, type, kind: kind as PartitionKind, cut: validateCut(fields['cut'], nodes) };
    }
    case 'heal': return { at, type };
    case 'crash': return { at, type, node: nodeIn(fields['node'], nodes, 'node'), torn: tornOf(fields['torn']) };
    case 'crash-leader':
      return {
        at, type, afterMs: durationIn(fields['afterMs'], 'afterMs', 0), downMs: durationIn(fields['downMs'], 'downMs', 1),
        torn: tornOf(fields['torn']),
      };
    case 'cut-leader':
      return {
        at, type, afterMs: durationIn(fields['afterMs'], 'afterMs', 0), downMs: durationIn(fields['downMs'], 'downMs', 1),
        mates: countBelow(fields['mates'], 'mates', nodes), shift: countBelow(fields['shift'], 'shift', nodes),
      };
    case 'crash-at': {
      const moment = fields['moment'];
      if (!CRASH_MOMENTS.includes(moment as CrashMoment)) {
        throw new ScheduleError(`moment must be one of ${CRASH_MOMENTS.join(', ')} (got ${JSON.stringify(moment)})`);
      }
      return { at, type, moment: moment as CrashMoment, downMs: durationIn(fields['downMs'], 'downMs', 1), torn: tornOf(fields['torn']) };
    }
    case 'pause-leader':
      return {
        at, type, afterMs: durationIn(fields['afterMs'], 'afterMs', 0), downMs: durationIn(fields['downMs'], 'downMs', 1),
        cutMs: durationIn(fields['cutMs'], 'cutMs', 0),
      };
    case 'restart':
    case 'pause':
    case 'resume':
      return { at, type, node: nodeIn(fields['node'], nodes, 'node') };
    default: return assertNever(type);
  }
}

function validateOne(value: unknown, previousAt: number, nodes: number): FaultEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScheduleError('must be an object');
  const fields = value as Fields;
  const type = fields['type'];
  if (!FAULT_TYPES.includes(type as FaultType)) {
    throw new ScheduleError(`type must be one of ${FAULT_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
  }
  const at = fields['at'];
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) {
    throw new ScheduleError(`at must be a finite time >= 0 (got ${JSON.stringify(at)})`);
  }
  if (at < previousAt) throw new ScheduleError(`at ${at} is before the previous event's ${previousAt}: times must not decrease`);
  const unknownField = Object.keys(fields).find((key) => !FIELDS[type as FaultType].includes(key));
  if (unknownField !== undefined) throw new ScheduleError(`unknown field ${unknownField}`);
  return validateEvent(fields, type as FaultType, at, nodes);
}

/**
 * Checks a schedule (possibly parsed from JSON) for a cluster of `nodes`: node ids in range, times
 * finite and not decreasing, cut links well formed. Returns a fresh typed copy; throws an Error
 * naming the event ("fault schedule[3] (crash): node must be a node id in 1..5 (got 7)").
 */
export function validateSchedule(schedule: unknown, nodes: number): FaultEvent[] {
  assert(Number.isInteger(nodes) && nodes >= 1, `validateSchedule: nodes must be a positive integer, got ${nodes}`);
  if (!Array.isArray(schedule)) throw new Error('fault schedule must be an array');
  if (schedule.length > SCHEDULE_EVENTS_MAX) {
    throw new Error(`fault schedule has ${schedule.length} events, more than ${SCHEDULE_EVENTS_MAX}`);
  }
  const events: FaultEvent[] = [];
  let previousAt = 0;
  for (const [index, value] of schedule.entries()) {
    try {
      const event = validateOne(value, previousAt, nodes);
      events.push(event);
      previousAt = event.at;
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      const type = typeof value === 'object' && value !== null ? (value as Fields)['type'] : undefined;
      throw new Error(`fault schedule[${index}]${typeof type === 'string' ? ` (${type})` : ''}: ${error.message}`);
    }
  }
  return events;
}
