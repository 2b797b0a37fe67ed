// The simulator's options: one validated record for the cluster, the Raft knobs, the network and
// the faults (TigerBeetle's packet simulator options). Units come last in names (`delayMsMax`),
// probabilities are ratios in [0, 1], and every record is checked when built, with a message that
// names the broken field. Swarm mode draws the whole record from the seed.
import { DEFAULT_RAFT_OPTIONS } from '../core/index.ts';
import type { RaftOptions } from '../core/index.ts';
import type { PartitionKind } from './events.ts';
import type { Rng } from './random.ts';

/** The draws the fault model needs: an `Rng` (sim/random.ts), or a scripted stand-in in tests. */
export type RngLike = Pick<Rng, 'next' | 'int' | 'range' | 'chance'>;

/** The partition kinds a generator can draw ('explicit' only comes from hand-written schedules). */
export type GeneratedPartitionKind = Exclude<PartitionKind, 'explicit'>;

export const GENERATED_PARTITION_KINDS: readonly GeneratedPartitionKind[] = [
  'halves', 'isolate', 'bridge', 'ring', 'asymmetric',
];

/**
 * The core's timing, feature and flow-control options, as the simulator sets them. `leaseReads`
 * is only safe within the lease's assumptions (bounded drift, short pauses, restarted voters that
 * stayed down a whole lease; the core itself suspends its lease during a leadership transfer):
 * swarm mode's lease regime (swarmLease) draws
 * them, and generateSchedule (sim/faults.ts) keeps pauses and restarts within them.
 */
export type RaftKnobs = Pick<RaftOptions, 'electionTicks' | 'heartbeatTicks' | 'preVote' | 'checkQuorum' | 'leaseReads'
  | 'maxEntriesPerMessage' | 'maxBytesPerMessage' | 'maxInflightMessages'>;

/** Per directed link. A delay uniform in [delayMsMin, delayMsMax] is what reorders messages. */
export interface NetworkOptions {
  readonly delayMsMin: number;
  readonly delayMsMax: number;
  readonly lossRatio: number;
  /** A duplicate is a second copy with its own delay. */
  readonly duplicateRatio: number;
  /** Copies in flight on one directed link; a send over it is dropped with reason 'capacity'. */
  readonly capacityPerLink: number;
  /**
   * The share of sent copies that stall their link (0 = never): for a time uniform in
   * [stallMsMin, stallMsMax] the link holds every copy sent over it, then delivers them, each
   * after its own delay (a bufferbloated queue, a NIC stuck behind a paused process). Stalls last
   * election timeouts, so they deliver a deposed leader's appends after its successor's.
   */
  readonly stallRatio: number;
  readonly stallMsMin: number;
  readonly stallMsMax: number;
  /** The share of stalls that hold every outgoing link of the sender (its queue), not one link. */
  readonly stallNodeRatio: number;
}

/**
 * Faults of the safety phase. Each `...IntervalMsMean` is the mean time between two faults of that
 * kind anywhere in the cluster (exponential inter-arrival); 0 switches the kind off.
 */
export interface FaultOptions {
  readonly crashIntervalMsMean: number;
  /** A crashed node restarts after a delay uniform in [1, restartDelayMsMax]. */
  readonly restartDelayMsMax: number;
  readonly partitionIntervalMsMean: number;
  readonly partitionDurationMsMax: number;
  /** Sorted, no duplicates; non-empty when partitions are on. */
  readonly partitionKinds: readonly GeneratedPartitionKind[];
  readonly pauseIntervalMsMean: number;
  readonly pauseDurationMsMax: number;
  /** The share of crashes that keep a torn prefix of the unsynced writes instead of none. */
  readonly tornWriteRatio: number;
  /** At most this many nodes crashed or paused at once (capped by the node count). */
  readonly faultyNodesMax: number;
  /**
   * Mean time between two crashes aimed at the leader (sim/faults.ts LeaderCrash); 0 switches
   * them off. They restart within restartDelayMsMax, may be torn, and count against no budget.
   */
  readonly leaderCrashIntervalMsMean: number;
  /** A leader crash hits its target uniformly within [0, leaderCrashAfterMsMax] of its election. */
  readonly leaderCrashAfterMsMax: number;
  /**
   * Mean time between two cuts aimed at the leader (sim/faults.ts LeaderCut); 0 switches them off.
   * A cut parts the leader, with a few others at most, from the rest of the cluster.
   */
  readonly leaderCutIntervalMsMean: number;
  /** A leader cut starts uniformly within [0, leaderCutAfterMsMax] of its target's election. */
  readonly leaderCutAfterMsMax: number;
  /** A leader cut lasts uniformly within [half of, all of] leaderCutDurationMsMax, unless another cut replaces it. */
  readonly leaderCutDurationMsMax: number;
  /**
   * Mean time between two power losses (sim/faults.ts clusterRestartWindows): every node crashes
   * at one instant and all restart together. Absent or 0: none; only present in a record when on,
   * so older records and traces read the same. They count against no budget.
   */
  readonly powerLossIntervalMsMean?: number;
  /**
   * Mean time between two rolling restarts: each node in turn, in a random order, crashes and
   * restarts, the next one once the one before is back. Absent or 0: none, as for power losses.
   */
  readonly rollingRestartIntervalMsMean?: number;
  /**
   * Mean time between two pauses aimed at the leader (sim/faults.ts LeaderPause). Absent or 0:
   * none; the three leaderPause fields are only present in a record when on, as for power losses.
   */
  readonly leaderPauseIntervalMsMean?: number;
  /** A leader pause starts uniformly within [0, leaderPauseAfterMsMax] of its target's election (absent: 0). */
  readonly leaderPauseAfterMsMax?: number;
  /** A leader pause lasts uniformly within [1, leaderPauseMsMax] (absent: 1). */
  readonly leaderPauseMsMax?: number;
  /** Half the leader pauses cut the leader off until [1, leaderPauseCutMsMax] after its resume (absent or 0: none). */
  readonly leaderPauseCutMsMax?: number;
  /**
   * Mean time between two crashes at interesting moments (sim/faults.ts MomentCrash). Absent or 0:
   * none; the three momentCrash fields are only present in a record when on.
   */
  readonly momentCrashIntervalMsMean?: number;
  /** Which moments they wait for, a bit set over sim/faults.ts CRASH_MOMENTS (1: vote, 2: append, 4: commit, 8: snapshot). */
  readonly momentCrashMoments?: number;
  /** A moment crash stays down uniformly within [1, momentCrashDownMsMax] (absent: 1). */
  readonly momentCrashDownMsMax?: number;
  /**
   * A paused node's process holds the client calls sent to it (its sockets buffer them, as they do
   * its peers' messages) and serves them on resume, in arrival order with those messages; a call
   * whose client stopped waiting for it by then is dropped. Absent or false: a call to a paused
   * node is lost (the client waits for its timeout). Only present in a record when true.
   */
  readonly pauseHoldsCalls?: boolean;
}

/**
 * The membership workload (sim/membership-changes.ts): single-server changes asked of the node
 * believed to lead, during the safety phase; the liveness phase restores every node as a voter.
 * Both fields 0: off, the default, and a run draws nothing for it.
 */
export interface MembershipOptions {
  /** Mean time between two changes (exponential inter-arrival); 0: none on a timer. */
  readonly changeIntervalMsMean: number;
  /** The share of elections after which the new leader is asked for a change within a tick. */
  readonly changeAfterElectionRatio: number;
  /**
   * Mean time between two leadership transfers asked of the node believed to lead (exponential
   * inter-arrival); absent or 0: none. Only present in a record when on, so older records and
   * traces read the same.
   */
  readonly transferIntervalMsMean?: number;
}

export interface SimOptions {
  readonly nodes: number;
  readonly clients: number;
  /** Key space size: fewer keys, more contention, more for the linearizability checker to do. */
  readonly keys: number;
  /** Length of the safety phase (faults on). */
  readonly durationMs: number;
  /** Bound for the liveness phase (faults off): a leader and all pending client work by then. */
  readonly livenessMs: number;
  readonly tickMs: number;
  /** Each node's tick interval is tickMs * (1 + d) with |d| <= clockDriftRatioMax. */
  readonly clockDriftRatioMax: number;
  readonly clientTimeoutMs: number;
  /**
   * The share of new client operations sent to a node drawn at random rather than the one the
   * client believes leads (a load balancer or a stale leader cache); a node that does not lead
   * refuses with its hint. Absent or 0: none; only present in a record when above 0.
   */
  readonly clientAnyNodeRatio?: number;
  /** A node compacts its log after this many applied entries; 0 never compacts. */
  readonly snapshotEveryEntries: number;
  readonly raft: RaftKnobs;
  readonly network: NetworkOptions;
  readonly faults: FaultOptions;
  readonly membership: MembershipOptions;
}

/** A CLI or scenario override: any subset of the fields, nested records partial too. */
export interface OptionsOverride {
  readonly nodes?: number;
  readonly clients?: number;
  readonly keys?: number;
  readonly durationMs?: number;
  readonly livenessMs?: number;
  readonly tickMs?: number;
  readonly clockDriftRatioMax?: number;
  readonly clientTimeoutMs?: number;
  readonly clientAnyNodeRatio?: number;
  readonly snapshotEveryEntries?: number;
  readonly raft?: Partial<RaftKnobs>;
  readonly network?: Partial<NetworkOptions>;
  readonly faults?: Partial<FaultOptions>;
  readonly membership?: Partial<MembershipOptions>;
}

// Bounds that keep every run finite and every schedule small enough to print.
const DURATION_MS_MAX = 24 * 60 * 60 * 1000;
const DELAY_MS_MAX = 60 * 1000;
const NODES_MAX = 9;

// ---------------------------------------------------------------------------------------------
// Validation. Input may come from JSON (a trace header), so every field is checked for its type.

type Fields = Readonly<Record<string, unknown>>;

function fail(message: string): never {
  throw new Error(`invalid options: ${message}`);
}

function recordAt(value: unknown, path: string, known: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${path} must be an object`);
  }
  const fields = value as Fields;
  const unknownKey = Object.keys(fields).find((key) => !known.includes(key));
  if (unknownKey !== undefined) {
    fail(`unknown option ${path === 'options' ? '' : `${path}.`}${unknownKey}`);
  }
  return fields;
}

function integerIn(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${path} must be an integer in ${min}..${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function numberIn(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(`${path} must be a number in [${min}, ${max}] (got ${JSON.stringify(value)})`);
  }
  return value;
}

function ratio(value: unknown, path: string): number {
  return numberIn(value, path, 0, 1);
}

function flag(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(`${path} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function check(condition: boolean, message: string): void {
  if (!condition) fail(message);
}

const RAFT_KEYS: readonly (keyof RaftKnobs)[] = [
  'electionTicks', 'heartbeatTicks', 'preVote', 'checkQuorum', 'leaseReads',
  'maxEntriesPerMessage', 'maxBytesPerMessage', 'maxInflightMessages',
];
const NETWORK_KEYS: readonly (keyof NetworkOptions)[] = [
  'delayMsMin', 'delayMsMax', 'lossRatio', 'duplicateRatio', 'capacityPerLink',
  'stallRatio', 'stallMsMin', 'stallMsMax', 'stallNodeRatio',
];
const FAULT_KEYS: readonly (keyof FaultOptions)[] = [
  'crashIntervalMsMean', 'restartDelayMsMax', 'partitionIntervalMsMean', 'partitionDurationMsMax',
  'partitionKinds', 'pauseIntervalMsMean', 'pauseDurationMsMax', 'tornWriteRatio', 'faultyNodesMax',
  'leaderCrashIntervalMsMean', 'leaderCrashAfterMsMax', 'leaderCutIntervalMsMean', 'leaderCutAfterMsMax',
  'leaderCutDurationMsMax', 'powerLossIntervalMsMean', 'rollingRestartIntervalMsMean',
  'leaderPauseIntervalMsMean', 'leaderPauseAfterMsMax', 'leaderPauseMsMax', 'leaderPauseCutMsMax',
  'momentCrashIntervalMsMean', 'momentCrashMoments', 'momentCrashDownMsMax', 'pauseHoldsCalls',
];
const MEMBERSHIP_KEYS: readonly (keyof MembershipOptions)[] = ['changeIntervalMsMean', 'changeAfterElectionRatio', 'transferIntervalMsMean'];
const TOP_KEYS: readonly (keyof SimOptions)[] = [
  'nodes', 'clients', 'keys', 'durationMs', 'livenessMs', 'tickMs', 'clockDriftRatioMax',
  'clientTimeoutMs', 'clientAnyNodeRatio', 'snapshotEveryEntries', 'raft', 'network', 'faults', 'membership',
];

/** No membership changes: the default, and what a trace header written without the record means. */
export const MEMBERSHIP_OFF: MembershipOptions = Object.freeze({ changeIntervalMsMean: 0, changeAfterElectionRatio: 0 });

/** True when the membership workload runs (any field switches it on; transfers run in it too). */
export function membershipChangesOn(membership: MembershipOptions): boolean {
  return membership.changeIntervalMsMean > 0 || membership.changeAfterElectionRatio > 0
    || (membership.transferIntervalMsMean ?? 0) > 0;
}

/**
 * An optional interval of a record (a duration in ms, 0 or absent: off), as a record to spread:
 * written only when on, so a record without it is the record it was before the field existed.
 */
function onlyWhenOn(raw: Fields, record: string, key: string): Record<string, number> {
  const value = integerIn(raw[key] ?? 0, `${record}.${key}`, 0, DURATION_MS_MAX);
  return value > 0 ? { [key]: value } : {};
}

function validateRaft(value: unknown): RaftKnobs {
  const raw = recordAt(value, 'raft', RAFT_KEYS);
  const raft: RaftKnobs = {
    electionTicks: integerIn(raw['electionTicks'], 'raft.electionTicks', 2, 1000),
    heartbeatTicks: integerIn(raw['heartbeatTicks'], 'raft.heartbeatTicks', 1, 1000),
    preVote: flag(raw['preVote'], 'raft.preVote'),
    checkQuorum: flag(raw['checkQuorum'], 'raft.checkQuorum'),
    leaseReads: flag(raw['leaseReads'], 'raft.leaseReads'),
    maxEntriesPerMessage: integerIn(raw['maxEntriesPerMessage'], 'raft.maxEntriesPerMessage', 1, 1_000_000),
    maxBytesPerMessage: integerIn(raw['maxBytesPerMessage'], 'raft.maxBytesPerMessage', 1, 1 << 30),
    maxInflightMessages: integerIn(raw['maxInflightMessages'], 'raft.maxInflightMessages', 1, 1_000_000),
  };
  check(raft.heartbeatTicks < raft.electionTicks, 'raft.heartbeatTicks must be < raft.electionTicks');
  // A lease is only as good as the quorum check that ends it (etcd refuses the same combination).
  check(!raft.leaseReads || raft.checkQuorum, 'raft.leaseReads requires raft.checkQuorum');
  return raft;
}

function validateNetwork(value: unknown): NetworkOptions {
  const raw = recordAt(value, 'network', NETWORK_KEYS);
  const network: NetworkOptions = {
    delayMsMin: integerIn(raw['delayMsMin'], 'network.delayMsMin', 0, DELAY_MS_MAX),
    delayMsMax: integerIn(raw['delayMsMax'], 'network.delayMsMax', 0, DELAY_MS_MAX),
    lossRatio: ratio(raw['lossRatio'], 'network.lossRatio'),
    duplicateRatio: ratio(raw['duplicateRatio'], 'network.duplicateRatio'),
    capacityPerLink: integerIn(raw['capacityPerLink'], 'network.capacityPerLink', 1, 1_000_000),
    // Traces written before stalls existed have no stall fields: absent means off.
    stallRatio: ratio(raw['stallRatio'] ?? 0, 'network.stallRatio'),
    stallMsMin: integerIn(raw['stallMsMin'] ?? 0, 'network.stallMsMin', 0, DELAY_MS_MAX),
    stallMsMax: integerIn(raw['stallMsMax'] ?? 0, 'network.stallMsMax', 0, DELAY_MS_MAX),
    stallNodeRatio: ratio(raw['stallNodeRatio'] ?? 0, 'network.stallNodeRatio'),
  };
  check(network.delayMsMax >= network.delayMsMin, 'network.delayMsMax must be >= network.delayMsMin');
  check(network.stallMsMax >= network.stallMsMin, 'network.stallMsMax must be >= network.stallMsMin');
  check(network.stallRatio === 0 || network.stallMsMax >= 1, 'network.stallMsMax must be >= 1 when network.stallRatio > 0');
  return network;
}

function validateKinds(value: unknown): readonly GeneratedPartitionKind[] {
  check(Array.isArray(value), 'faults.partitionKinds must be an array');
  const kinds = value as readonly unknown[];
  for (const kind of kinds) {
    check(GENERATED_PARTITION_KINDS.includes(kind as GeneratedPartitionKind),
      `faults.partitionKinds: unknown kind ${JSON.stringify(kind)} (known: ${GENERATED_PARTITION_KINDS.join(', ')})`);
  }
  const unique = new Set(kinds as readonly GeneratedPartitionKind[]);
  check(unique.size === kinds.length, 'faults.partitionKinds must not repeat a kind');
  return GENERATED_PARTITION_KINDS.filter((kind) => unique.has(kind));
}

function validateFaults(value: unknown): FaultOptions {
  const raw = recordAt(value, 'faults', FAULT_KEYS);
  const faults: FaultOptions = {
    crashIntervalMsMean: integerIn(raw['crashIntervalMsMean'], 'faults.crashIntervalMsMean', 0, DURATION_MS_MAX),
    restartDelayMsMax: integerIn(raw['restartDelayMsMax'], 'faults.restartDelayMsMax', 1, DURATION_MS_MAX),
    partitionIntervalMsMean: integerIn(raw['partitionIntervalMsMean'], 'faults.partitionIntervalMsMean', 0, DURATION_MS_MAX),
    partitionDurationMsMax: integerIn(raw['partitionDurationMsMax'], 'faults.partitionDurationMsMax', 1, DURATION_MS_MAX),
    partitionKinds: validateKinds(raw['partitionKinds']),
    pauseIntervalMsMean: integerIn(raw['pauseIntervalMsMean'], 'faults.pauseIntervalMsMean', 0, DURATION_MS_MAX),
    pauseDurationMsMax: integerIn(raw['pauseDurationMsMax'], 'faults.pauseDurationMsMax', 1, DURATION_MS_MAX),
    tornWriteRatio: ratio(raw['tornWriteRatio'], 'faults.tornWriteRatio'),
    faultyNodesMax: integerIn(raw['faultyNodesMax'], 'faults.faultyNodesMax', 0, NODES_MAX),
    // Absent (options written before leader crashes existed) means off.
    leaderCrashIntervalMsMean: integerIn(raw['leaderCrashIntervalMsMean'] ?? 0, 'faults.leaderCrashIntervalMsMean', 0, DURATION_MS_MAX),
    leaderCrashAfterMsMax: integerIn(raw['leaderCrashAfterMsMax'] ?? 0, 'faults.leaderCrashAfterMsMax', 0, DURATION_MS_MAX),
    // Absent (options written before leader cuts existed) means off.
    leaderCutIntervalMsMean: integerIn(raw['leaderCutIntervalMsMean'] ?? 0, 'faults.leaderCutIntervalMsMean', 0, DURATION_MS_MAX),
    leaderCutAfterMsMax: integerIn(raw['leaderCutAfterMsMax'] ?? 0, 'faults.leaderCutAfterMsMax', 0, DURATION_MS_MAX),
    leaderCutDurationMsMax: integerIn(raw['leaderCutDurationMsMax'] ?? 1, 'faults.leaderCutDurationMsMax', 1, DURATION_MS_MAX),
    ...onlyWhenOn(raw, 'faults', 'powerLossIntervalMsMean'),
    ...onlyWhenOn(raw, 'faults', 'rollingRestartIntervalMsMean'),
    ...onlyWhenOn(raw, 'faults', 'leaderPauseIntervalMsMean'),
    ...onlyWhenOn(raw, 'faults', 'leaderPauseAfterMsMax'),
    ...onlyWhenOn(raw, 'faults', 'leaderPauseMsMax'),
    ...onlyWhenOn(raw, 'faults', 'leaderPauseCutMsMax'),
    ...onlyWhenOn(raw, 'faults', 'momentCrashIntervalMsMean'),
    ...onlyWhenOn(raw, 'faults', 'momentCrashMoments'),
    ...onlyWhenOn(raw, 'faults', 'momentCrashDownMsMax'),
    // Absent (options written before held calls existed) means off; written only when on.
    ...(raw['pauseHoldsCalls'] === undefined || !flag(raw['pauseHoldsCalls'], 'faults.pauseHoldsCalls') ? {} : { pauseHoldsCalls: true }),
  };
  check(faults.partitionIntervalMsMean === 0 || faults.partitionKinds.length > 0,
    'faults.partitionKinds must not be empty when faults.partitionIntervalMsMean > 0');
  return faults;
}

function validateMembership(value: unknown): MembershipOptions {
  // Traces recorded before the workload existed have no record: they ran without it.
  if (value === undefined) return MEMBERSHIP_OFF;
  const raw = recordAt(value, 'membership', MEMBERSHIP_KEYS);
  return {
    changeIntervalMsMean: integerIn(raw['changeIntervalMsMean'], 'membership.changeIntervalMsMean', 0, DURATION_MS_MAX),
    changeAfterElectionRatio: ratio(raw['changeAfterElectionRatio'], 'membership.changeAfterElectionRatio'),
    ...onlyWhenOn(raw, 'membership', 'transferIntervalMsMean'),
  };
}

/**
 * Checks every field of `input` (which may come from JSON) and returns a frozen copy, with
 * partitionKinds in canonical order. Throws an Error naming the first broken field.
 */
export function validateOptions(input: unknown): SimOptions {
  const raw = recordAt(input, 'options', TOP_KEYS);
  const options: SimOptions = {
    nodes: integerIn(raw['nodes'], 'nodes', 1, NODES_MAX),
    clients: integerIn(raw['clients'], 'clients', 0, 64),
    keys: integerIn(raw['keys'], 'keys', 1, 1000),
    durationMs: integerIn(raw['durationMs'], 'durationMs', 0, DURATION_MS_MAX),
    livenessMs: integerIn(raw['livenessMs'], 'livenessMs', 1, DURATION_MS_MAX),
    tickMs: integerIn(raw['tickMs'], 'tickMs', 1, 60_000),
    clockDriftRatioMax: numberIn(raw['clockDriftRatioMax'], 'clockDriftRatioMax', 0, 0.5),
    clientTimeoutMs: integerIn(raw['clientTimeoutMs'], 'clientTimeoutMs', 1, DURATION_MS_MAX),
    // Absent (options written before it existed) means 0; written only when above 0.
    ...(ratio(raw['clientAnyNodeRatio'] ?? 0, 'clientAnyNodeRatio') > 0 ? { clientAnyNodeRatio: raw['clientAnyNodeRatio'] as number } : {}),
    snapshotEveryEntries: integerIn(raw['snapshotEveryEntries'], 'snapshotEveryEntries', 0, 1_000_000),
    raft: validateRaft(raw['raft']),
    network: validateNetwork(raw['network']),
    faults: validateFaults(raw['faults']),
    membership: validateMembership(raw['membership']),
  };
  // The liveness phase must leave room for a few elections, or `unknown` would be the only verdict.
  const electionMs = options.raft.electionTicks * options.tickMs;
  check(options.livenessMs >= 2 * electionMs,
    `livenessMs must be >= 2 * raft.electionTicks * tickMs (${2 * electionMs})`);
  check(options.clientTimeoutMs >= options.tickMs, 'clientTimeoutMs must be >= tickMs');
  return deepFreeze(options);
}

function deepFreeze(options: SimOptions): SimOptions {
  Object.freeze(options.raft);
  Object.freeze(options.network);
  Object.freeze(options.faults.partitionKinds);
  Object.freeze(options.faults);
  Object.freeze(options.membership);
  return Object.freeze(options);
}

/** Applies an override (CLI flags, a scenario's settings) and validates the result. */
export function mergeOptions(base: SimOptions, override: OptionsOverride): SimOptions {
  return validateOptions({
    ...base,
    ...override,
    raft: { ...base.raft, ...override.raft },
    network: { ...base.network, ...override.network },
    faults: { ...base.faults, ...override.faults },
    membership: { ...base.membership, ...override.membership },
  });
}

// ---------------------------------------------------------------------------------------------
// Defaults and presets.

/** Network stalls off: what every preset and scenario runs with. */
export const NO_STALLS: Pick<NetworkOptions, 'stallRatio' | 'stallMsMin' | 'stallMsMax' | 'stallNodeRatio'> = {
  stallRatio: 0, stallMsMin: 0, stallMsMax: 0, stallNodeRatio: 0,
};

/** Leader crashes and leader cuts off: only the leader churn and membership regimes draw them. */
const NO_LEADER_FAULTS: Pick<FaultOptions, 'leaderCrashIntervalMsMean' | 'leaderCrashAfterMsMax'
  | 'leaderCutIntervalMsMean' | 'leaderCutAfterMsMax' | 'leaderCutDurationMsMax'> = {
  leaderCrashIntervalMsMean: 0, leaderCrashAfterMsMax: 0, leaderCutIntervalMsMean: 0, leaderCutAfterMsMax: 0, leaderCutDurationMsMax: 1,
};

export const DEFAULT_OPTIONS: SimOptions = validateOptions({
  nodes: 5,
  clients: 3,
  keys: 5,
  durationMs: 120_000,
  livenessMs: 30_000,
  tickMs: 100,
  clockDriftRatioMax: 0.05,
  clientTimeoutMs: 3_000,
  snapshotEveryEntries: 100,
  raft: { ...DEFAULT_RAFT_OPTIONS },
  network: { delayMsMin: 1, delayMsMax: 50, lossRatio: 0.02, duplicateRatio: 0.01, capacityPerLink: 64, ...NO_STALLS },
  faults: {
    crashIntervalMsMean: 20_000,
    restartDelayMsMax: 5_000,
    partitionIntervalMsMean: 15_000,
    partitionDurationMsMax: 10_000,
    partitionKinds: GENERATED_PARTITION_KINDS,
    pauseIntervalMsMean: 30_000,
    pauseDurationMsMax: 5_000,
    tornWriteRatio: 0.2,
    faultyNodesMax: 2,
    ...NO_LEADER_FAULTS,
  },
  membership: MEMBERSHIP_OFF,
});

const NO_FAULTS: Partial<FaultOptions> = {
  crashIntervalMsMean: 0, partitionIntervalMsMean: 0, pauseIntervalMsMean: 0,
};

export const PRESET_NAMES = ['calm', 'default', 'chaos', 'partitions', 'crashes', 'pauses', 'flaky-network'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const PRESETS: Readonly<Record<PresetName, SimOptions>> = {
  /** No faults at all: the baseline every other preset is compared with. */
  calm: mergeOptions(DEFAULT_OPTIONS, {
    clockDriftRatioMax: 0,
    network: { delayMsMin: 1, delayMsMax: 10, lossRatio: 0, duplicateRatio: 0 },
    faults: NO_FAULTS,
  }),
  default: DEFAULT_OPTIONS,
  /** Everything at once, and any number of nodes may be down together. */
  chaos: mergeOptions(DEFAULT_OPTIONS, {
    clockDriftRatioMax: 0.2,
    network: { delayMsMin: 0, delayMsMax: 150, lossRatio: 0.1, duplicateRatio: 0.1, capacityPerLink: 16 },
    faults: {
      crashIntervalMsMean: 6_000, partitionIntervalMsMean: 6_000, pauseIntervalMsMean: 8_000,
      tornWriteRatio: 0.5, faultyNodesMax: 9,
    },
  }),
  /** Only partitions, often, of every kind. */
  partitions: mergeOptions(DEFAULT_OPTIONS, {
    faults: { ...NO_FAULTS, partitionIntervalMsMean: 5_000, partitionDurationMsMax: 8_000 },
  }),
  /** Only crashes, often torn: durability of acknowledged writes. */
  crashes: mergeOptions(DEFAULT_OPTIONS, {
    faults: { ...NO_FAULTS, crashIntervalMsMean: 5_000, restartDelayMsMax: 3_000, tornWriteRatio: 0.5 },
  }),
  /** Only pauses, with drift: nodes come back with a stale view of the cluster. */
  pauses: mergeOptions(DEFAULT_OPTIONS, {
    clockDriftRatioMax: 0.2,
    faults: { ...NO_FAULTS, pauseIntervalMsMean: 5_000, pauseDurationMsMax: 6_000 },
  }),
  /** No node faults, a bad network: loss, duplication, reordering, small link buffers. */
  'flaky-network': mergeOptions(DEFAULT_OPTIONS, {
    network: { delayMsMin: 0, delayMsMax: 300, lossRatio: 0.2, duplicateRatio: 0.2, capacityPerLink: 8 },
    faults: NO_FAULTS,
  }),
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------
// Swarm mode (Groce et al., "Swarm Testing"): each seed draws its own fault regime, so a sweep
// covers runs with no loss, heavy duplication, only one partition kind, many crashes, and so on.

function pickFrom<T>(rng: RngLike, items: readonly T[]): T {
  const item = items[rng.int(items.length)];
  if (item === undefined) throw new Error('pickFrom: empty list');
  return item;
}

function swarmRaft(rng: RngLike, base: SimOptions): RaftKnobs {
  const electionTicks = pickFrom(rng, [5, 10, 10, 20]);
  return {
    electionTicks,
    heartbeatTicks: rng.range(1, Math.max(1, Math.floor(electionTicks / 4))),
    // Half the runs without each: a leader cut off without CheckQuorum keeps leading and serving,
    // and elections without PreVote raise terms, which is where stale votes and reads show.
    preVote: rng.chance(0.5),
    checkQuorum: rng.chance(0.5) || base.raft.leaseReads,
    leaseReads: base.raft.leaseReads,
    maxEntriesPerMessage: pickFrom(rng, [1, 4, 64]),
    maxBytesPerMessage: pickFrom(rng, [1024, 64 * 1024]),
    maxInflightMessages: pickFrom(rng, [1, 4, 8, 256]),
  };
}

function swarmNetwork(rng: RngLike, tickMs: number, electionMs: number): NetworkOptions {
  const delayMsMin = rng.range(0, Math.floor(tickMs / 10));
  // Keep the worst delay well under an election timeout, or heartbeats alone would depose leaders.
  const spreadMs = pickFrom(rng, [0, Math.floor(tickMs / 10), Math.floor(tickMs / 2), Math.floor(electionMs / 4)]);
  return {
    delayMsMin,
    delayMsMax: Math.min(delayMsMin + spreadMs, DELAY_MS_MAX),
    lossRatio: rng.chance(0.4) ? 0 : pickFrom(rng, [0.01, 0.05, 0.1, 0.25]),
    duplicateRatio: rng.chance(0.5) ? 0 : pickFrom(rng, [0.01, 0.05, 0.2, 0.5]),
    capacityPerLink: pickFrom(rng, [4, 16, 64, 1024]),
    ...NO_STALLS,
  };
}

/** The share of swarm seeds whose network stalls (the regime-stall stream decides). */
export const STALL_REGIME_RATIO = 0.25;

/**
 * The stall regime, drawn from its own stream so that seeds without it draw exactly what they drew
 * before it existed. swarmNetwork keeps every delay under an election timeout; a stall holds a link
 * for one to several, so a deposed leader's appends (etcd TestOldMessages) or a stale vote reach a
 * node after a newer leader's. A stall of a whole node's queue also deposes a leader by itself.
 */
function swarmStalls(rng: RngLike, electionMs: number): typeof NO_STALLS {
  if (!rng.chance(STALL_REGIME_RATIO)) return NO_STALLS;
  return {
    stallRatio: pickFrom(rng, [0.003, 0.01, 0.03]),
    stallMsMin: electionMs,
    // Short stalls matter most: the held appends land just after a successor's first entries.
    stallMsMax: Math.min(Math.round(pickFrom(rng, [1.5, 2, 3]) * electionMs), DELAY_MS_MAX),
    // A whole node's queue: a stalled leader is deposed while its appends wait.
    stallNodeRatio: pickFrom(rng, [0.5, 1, 1]),
  };
}

function swarmKinds(rng: RngLike): GeneratedPartitionKind[] {
  const kinds = GENERATED_PARTITION_KINDS.filter(() => rng.chance(0.5));
  return kinds.length > 0 ? kinds : [pickFrom(rng, GENERATED_PARTITION_KINDS)];
}

function swarmFaults(rng: RngLike, nodes: number, durationMs: number, electionMs: number): FaultOptions {
  // Faults no closer than a few election timeouts apart on average, so leaders get elected and
  // client work gets done between them.
  const intervalMsMin = 4 * electionMs;
  const interval = (): number => rng.chance(0.3)
    ? 0
    : Math.max(intervalMsMin, Math.round(durationMs / pickFrom(rng, [2, 5, 20])));
  const minority = Math.floor((nodes - 1) / 2);
  return {
    crashIntervalMsMean: interval(),
    restartDelayMsMax: pickFrom(rng, [1, 3, 10]) * electionMs,
    partitionIntervalMsMean: interval(),
    partitionDurationMsMax: pickFrom(rng, [1, 3, 10]) * electionMs,
    partitionKinds: swarmKinds(rng),
    pauseIntervalMsMean: interval(),
    pauseDurationMsMax: Math.max(1, Math.round(pickFrom(rng, [0.5, 2, 5]) * electionMs)),
    tornWriteRatio: pickFrom(rng, [0, 0.25, 1]),
    faultyNodesMax: rng.chance(0.2) ? nodes : Math.max(1, minority),
    // Drawn only by the leader churn and membership regimes, from their own streams.
    ...NO_LEADER_FAULTS,
  };
}

/**
 * How many times as long a cluster of two may take to elect a leader. Every election there needs
 * both votes: two timeouts that run out within a message delay of each other split the vote, and
 * the node whose log is behind, campaigning first, only raises the term (without PreVote) and
 * resets the other's timer. So a round is lost far more often than with three nodes or more, and
 * the correct core lost eleven in a row in 30 s liveness phases of swarm seeds (5920 and 17524
 * among seeds 1..25000 at 20 s, and the availability checker's 13061): three times the rounds
 * make that tail negligible. A phase ends when it settles, so a longer bound costs nothing there.
 */
export const TWO_NODE_ROUNDS = 3;

/**
 * The tick lengths a swarm run draws its time scale from: half the runs at 25 ms, a quarter at 50,
 * a quarter at the default 100 (election timeouts from 125 ms to 2 s). Every other duration of a
 * swarm run is drawn in ticks or election timeouts, so the scale changes only how many protocol
 * rounds fit in the run's simulated time: at 100 ms a 20 s hunt holds some 20 to 40 election
 * timeouts, too few for the bugs that need a chain of leader changes (Figure 8's commit rule, a
 * membership change racing a new leader). Over seeds 1..2000 at 20 s, 25 ms ticks multiplied the
 * failing seeds of the catalogue's weakest mutants by 1.6 to 11 at about three times the events.
 */
export const SWARM_TICK_MS = [25, 25, 50, 100] as const;

/** A swarm run's time scale (its tickMs), from its own stream, before swarmOptions draws the rest in ticks. */
export function swarmTimescale(rng: RngLike, base: SimOptions = DEFAULT_OPTIONS): SimOptions {
  return mergeOptions(base, { tickMs: pickFrom(rng, SWARM_TICK_MS) });
}

/**
 * Draws a whole options record from `rng`. Keeps from `base` what sets the size of the run
 * (durationMs, livenessMs, tickMs) and leaseReads, which pauses and drift make unsafe by design.
 * Network stalls come from `stallRng` alone (none without it), after every draw from `rng`.
 */
export function swarmOptions(rng: RngLike, base: SimOptions = DEFAULT_OPTIONS, stallRng: RngLike | null = null): SimOptions {
  const nodes = pickFrom(rng, [1, 2, 3, 3, 4, 5, 5, 5, 7]);
  const raft = swarmRaft(rng, base);
  const electionMs = raft.electionTicks * base.tickMs;
  const options = validateOptions({
    nodes,
    clients: rng.range(1, 8),
    keys: pickFrom(rng, [1, 2, 5, 20, 100]),
    durationMs: base.durationMs,
    livenessMs: Math.max(base.livenessMs, 4 * electionMs) * (nodes === 2 ? TWO_NODE_ROUNDS : 1),
    tickMs: base.tickMs,
    clockDriftRatioMax: pickFrom(rng, [0, 0, 0.01, 0.05, 0.2]),
    clientTimeoutMs: pickFrom(rng, [1, 2, 4]) * electionMs,
    snapshotEveryEntries: pickFrom(rng, [0, 10, 50, 500]),
    raft,
    network: swarmNetwork(rng, base.tickMs, electionMs),
    faults: swarmFaults(rng, nodes, base.durationMs, electionMs),
    membership: base.membership,
  });
  if (stallRng === null) return options;
  return mergeOptions(options, { network: swarmStalls(stallRng, electionMs) });
}

/** The share of swarm runs (of clusters large enough) that change their membership. */
export const MEMBERSHIP_REGIME_RATIO = 0.5;
/** Smaller clusters never change membership: the workload keeps three voters (a quorum with one deaf) and needs a fourth node. */
export const MEMBERSHIP_NODES_MIN = 4;

/**
 * The share of membership runs whose leaders are cut off right after their election, with a change
 * asked of each new leader: an old leader with its own uncommitted change, cut off, comes back to
 * a cluster whose next leader changed the configuration too, and the two quorums need not meet
 * (Ongaro, raft-dev 2015: a leader must commit an entry of its term before a change).
 */
export const MEMBERSHIP_LEADER_CUT_RATIO = 0.85;

/**
 * The membership regime of a swarm run, drawn from its own stream after everything else, so a
 * run that does not select it is the run it was before the regime existed (`options` unchanged,
 * and nothing but the selection drawn). Only clusters of MEMBERSHIP_NODES_MIN nodes or more are
 * eligible: a smaller one cannot lose a voter and keep a quorum when a node is deaf. Changes
 * follow elections in most selected runs, since Raft's reconfiguration bugs need a leader change
 * while a change is in flight (Ongaro, raft-dev 2015). Most selected runs also cut new leaders
 * off (faults.leaderCut*, MEMBERSHIP_LEADER_CUT_RATIO), drawn last so the others keep their draws.
 */
export function swarmMembership(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < MEMBERSHIP_NODES_MIN || membershipChangesOn(options.membership)) return options;
  if (!rng.chance(MEMBERSHIP_REGIME_RATIO)) return options;
  const electionMs = options.raft.electionTicks * options.tickMs;
  const membership = {
    changeIntervalMsMean: pickFrom(rng, [0, 2, 5, 20]) * electionMs,
    changeAfterElectionRatio: pickFrom(rng, [0.25, 0.5, 1]),
  };
  if (!rng.chance(MEMBERSHIP_LEADER_CUT_RATIO)) return mergeOptions(options, { membership });
  return mergeOptions(options, {
    // A change after every election, asked of the new leader while it is being cut off.
    membership: { ...membership, changeAfterElectionRatio: 1 },
    faults: {
      // Between bursts of cuts, time for a leader to commit changes again.
      leaderCutIntervalMsMean: Math.round(pickFrom(rng, [4, 8, 16]) * electionMs),
      // Before the new leader's first entries arrive (a cut drops what is in flight), or soon after.
      leaderCutAfterMsMax: pickFrom(rng, [0, options.network.delayMsMin, options.network.delayMsMax, options.tickMs]),
      // Long enough for the others to elect a leader, and some for the cut leader to come back into.
      leaderCutDurationMsMax: pickFrom(rng, [2, 4, 8]) * electionMs,
    },
  });
}

/** The share of swarm seeds (of three nodes or more) that run the leader churn regime. */
export const LEADER_CHURN_RATIO = 0.4;
const LEADER_CHURN_ELECTION_TICKS = 5;

/**
 * The leader churn regime, drawn from its own stream after swarmOptions so that a seed which does
 * not select it keeps its options and its run: leaders crash soon after their election, over and
 * over, into logs whose tails diverge. One-entry appends, few in flight and slow links stretch
 * replication over several round trips, so a crash can land while a new leader has copied an old
 * term's entry to a majority but not yet its own no-op (Figure 8 of the Raft paper, the commit
 * rule), or while a follower holds a tail the next leader will replace. More clients keep every
 * leader busy with writes. Returns `options` itself when the seed does not select the regime.
 */
export function leaderChurn(rng: RngLike, options: SimOptions): SimOptions {
  // Two nodes or fewer: one crash stops the cluster, and no log can diverge behind a new leader.
  if (options.nodes < 3 || !rng.chance(LEADER_CHURN_RATIO)) return options;
  const { tickMs, network } = options;
  // Quick elections: many short reigns per run, and an outage of a few hundred ms is enough.
  const electionTicks = LEADER_CHURN_ELECTION_TICKS;
  const electionMs = electionTicks * tickMs;
  // Slow links, yet a pre-vote and a vote (two round trips) well within the shortest election
  // timeout: at an eighth of it, slower links kept elections from ever finishing under a kept cut.
  const delayMsMax = Math.min(Math.max(network.delayMsMax, network.delayMsMin + pickFrom(rng, [tickMs / 4, tickMs / 2])),
    Math.max(network.delayMsMin, Math.floor(electionMs / 8)));
  return mergeOptions(options, {
    clients: Math.max(options.clients, rng.range(4, 8)),
    // One entry per append and one append in flight: catching up takes a round trip per entry.
    raft: { electionTicks, heartbeatTicks: 1, maxEntriesPerMessage: 1, maxInflightMessages: 1 },
    network: { delayMsMax: Math.min(Math.round(delayMsMax), DELAY_MS_MAX) },
    faults: {
      // Faster than elections, so crashes queue up and most leaders in a row are hit.
      leaderCrashIntervalMsMean: Math.round(pickFrom(rng, [0.25, 0.5, 1]) * electionMs),
      // From at once to a few round trips after the election, sometimes up to an election timeout.
      leaderCrashAfterMsMax: rng.chance(0.75) ? Math.round(pickFrom(rng, [2, 4, 8]) * delayMsMax) : electionMs,
      // Outages of several elections: two or three crashed leaders down together, each coming back
      // to compete with the logs the others left behind (measured best for Figure 8 at 8).
      restartDelayMsMax: pickFrom(rng, [4, 8, 16]) * electionMs,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Printing: `name=value` with the exact field names, so a line can be read back or pasted.

function assignments(record: object, keys: readonly string[]): string {
  const fields = record as Fields;
  return keys.filter((key) => fields[key] !== undefined).map((key) => {
    const value = fields[key];
    return `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`;
  }).join(' ');
}

export function formatOptions(options: SimOptions): string[] {
  return [
    `cluster  ${assignments(options, ['nodes', 'clients', 'keys', 'snapshotEveryEntries', 'clientAnyNodeRatio'])}`,
    `time     ${assignments(options, ['durationMs', 'livenessMs', 'tickMs', 'clockDriftRatioMax', 'clientTimeoutMs'])}`,
    `raft     ${assignments(options.raft, RAFT_KEYS)}`,
    `network  ${assignments(options.network, NETWORK_KEYS)}`,
    `faults   ${assignments(options.faults, FAULT_KEYS)}`,
    `membership ${assignments(options.membership, MEMBERSHIP_KEYS)}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Lease reads and leadership transfers: the last two regimes, each from its own stream.

/**
 * The lease's assumption, in milliseconds of virtual time, from core/raft.ts: a leader serves
 * reads from its lease while a quorum acknowledged a heartbeat round started less than
 * `electionTicks - margin` of its own ticks ago (margin = max(1, floor(electionTicks / 4))), and
 * each voter that acknowledged refuses other candidates until `electionTicks` of its own ticks
 * after it heard the round (CheckQuorum's inLease). The voter's first tick can come at once, so it
 * refuses for at least electionTicks - 1 of its ticks; the round started no later than it heard
 * it. With each node's tick interval max(1, round(tickMs * (1 + d))), |d| <= clockDriftRatioMax,
 * the lease is safe while the slowest voter's refusal outlasts the fastest leader's lease:
 * slack = (electionTicks - 1) * shortestTick - (electionTicks - margin) * longestTick > 0.
 */
export interface LeaseBounds {
  readonly marginTicks: number;
  readonly shortestTickMs: number;
  readonly longestTickMs: number;
  /** How much longer the voters' refusal lasts than the leader's lease, at worst (> 0: safe). */
  readonly slackMs: number;
  /**
   * The longest pause of a node that keeps the lease safe (0: none). A pause stops a leader's
   * clock, so its lease outlives its voters' refusal by the pause plus up to one tick (the tick
   * under way when it paused starts over on resume): pause + longestTick < slack.
   */
  readonly pauseMsMax: number;
  /**
   * The shortest time a crashed node must stay down: a voter restarts knowing no leader, so it
   * would vote at once for anyone; down for a whole lease, no lease it acknowledged is left.
   */
  readonly restartMsMin: number;
  /** Pauses of one node at least this far apart, so one lease never spans two of them. */
  readonly pauseSpacingMs: number;
}

export function leaseBounds(options: Pick<SimOptions, 'tickMs' | 'clockDriftRatioMax' | 'raft'>): LeaseBounds {
  const ticks = options.raft.electionTicks;
  const marginTicks = Math.max(1, Math.floor(ticks / 4));
  const shortestTickMs = Math.max(1, Math.round(options.tickMs * (1 - options.clockDriftRatioMax)));
  const longestTickMs = Math.max(1, Math.round(options.tickMs * (1 + options.clockDriftRatioMax)));
  const slackMs = (ticks - 1) * shortestTickMs - (ticks - marginTicks) * longestTickMs;
  return {
    marginTicks, shortestTickMs, longestTickMs, slackMs,
    pauseMsMax: Math.max(0, slackMs - longestTickMs - 1),
    restartMsMin: (ticks + 1) * longestTickMs,
    pauseSpacingMs: 2 * (ticks + 1) * longestTickMs,
  };
}

/** The share of eligible swarm seeds (CheckQuorum on, a lease with slack) that read from leases. */
export const LEASE_REGIME_RATIO = 0.6;

/**
 * The lease read regime, drawn from its own stream after every other regime, so a seed that does
 * not select it keeps its options and its run. Only seeds with CheckQuorum on (the lease needs it)
 * and whose election timeout leaves the lease a margin are eligible (electionTicks 5 has a margin
 * of one tick, all of it taken by the voter's first tick: leader churn runs never read from
 * leases). A selected seed keeps its drift when the lease has slack under it, and otherwise draws
 * a smaller one; its pauses are cut to what the slack allows (none when it allows none), and
 * generateSchedule keeps restarts and pause spacing within leaseBounds.
 */
export function swarmLease(rng: RngLike, options: SimOptions): SimOptions {
  if (!options.raft.checkQuorum || options.raft.leaseReads || options.nodes < 2) return options;
  if (leaseBounds({ ...options, clockDriftRatioMax: 0 }).slackMs <= options.tickMs / 2) return options;
  if (!rng.chance(LEASE_REGIME_RATIO)) return options;
  const clockDriftRatioMax = leaseBounds(options).slackMs > 0 ? options.clockDriftRatioMax : pickFrom(rng, [0, 0.01, 0.05]);
  const bounds = leaseBounds({ ...options, clockDriftRatioMax });
  const pauses = options.faults.pauseIntervalMsMean > 0 && bounds.pauseMsMax >= 1;
  return mergeOptions(options, {
    clockDriftRatioMax,
    raft: { leaseReads: true },
    faults: pauses
      ? { pauseDurationMsMax: Math.min(options.faults.pauseDurationMsMax, bounds.pauseMsMax) }
      : { pauseIntervalMsMean: 0 },
  });
}

/** The share of eligible swarm seeds (two nodes or more, no leader cuts) that transfer leadership. */
export const TRANSFER_REGIME_RATIO = 0.35;

/**
 * The leadership transfer regime, from its own stream after the lease regime: an operator asks
 * the node it believes leads to hand leadership to another voter, every few election timeouts on
 * average (thesis 3.10: TimeoutNow, the target's election ignoring its voters' leases). With lease
 * reads too: the core suspends its lease while it transfers, and serves no lease read in its term
 * once TimeoutNow is sent. Not with leader cuts, which aim at new leaders.
 */
export function swarmTransfers(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < 2 || (options.membership.transferIntervalMsMean ?? 0) > 0) return options;
  // Nor with leader cuts: they aim at each new leader right after its election, which a transfer
  // would move elsewhere (the membership regime's single-server change pattern needs it there).
  if (options.faults.leaderCutIntervalMsMean > 0) return options;
  if (!rng.chance(TRANSFER_REGIME_RATIO)) return options;
  const electionMs = options.raft.electionTicks * options.tickMs;
  return mergeOptions(options, { membership: { transferIntervalMsMean: pickFrom(rng, [1, 3, 10]) * electionMs } });
}

// ---------------------------------------------------------------------------------------------
// Whole-cluster restarts and flapping links: what operations do to a cluster, each regime from
// its own stream after every other, so a seed that selects neither keeps its options and its run.

/** The share of swarm seeds (of two nodes or more) whose whole cluster restarts. */
export const CLUSTER_RESTART_REGIME_RATIO = 0.3;

/**
 * The cluster restart regime: power losses (every node down at one instant, all back together:
 * processes started at once, by a power cycle or a redeploy) and rolling restarts (an upgrade: each
 * node in turn, the leader among them), one kind or both. Machines restarted together are alike:
 * in half the selected runs their clocks do not drift, so timers restarted at one instant tick in
 * step, and only randomized election timeouts break the ties (openraft #1838). Each restart may
 * lose a torn tail of unsynced writes (tornWriteRatio); under lease reads a node stays down a
 * whole lease (sim/faults.ts).
 */
export function swarmRestarts(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < 2 || !rng.chance(CLUSTER_RESTART_REGIME_RATIO)) return options;
  const electionMs = options.raft.electionTicks * options.tickMs;
  const meanMs = (): number => pickFrom(rng, [5, 10, 20]) * electionMs;
  const kinds = pickFrom(rng, ['power', 'rolling', 'both'] as const);
  return mergeOptions(options, {
    clockDriftRatioMax: rng.chance(0.5) ? 0 : options.clockDriftRatioMax,
    faults: {
      powerLossIntervalMsMean: kinds === 'rolling' ? 0 : meanMs(),
      rollingRestartIntervalMsMean: kinds === 'power' ? 0 : meanMs(),
    },
  });
}

/** The share of eligible swarm seeds (two nodes or more, no leader cuts) whose links flap. */
export const FLAPPING_REGIME_RATIO = 0.2;
/** The longest mean time between two flaps, in election timeouts (swarmFaults draws four or more). */
const FLAP_ELECTIONS_MAX = 2;

/** True when partitions come and go within a couple of election timeouts (the flapping link regime). */
export function linksFlap(options: Pick<SimOptions, 'faults' | 'raft' | 'tickMs'>): boolean {
  const meanMs = options.faults.partitionIntervalMsMean;
  return meanMs > 0 && meanMs <= FLAP_ELECTIONS_MAX * options.raft.electionTicks * options.tickMs;
}

/**
 * The flapping link regime: partitions of the drawn kinds come and go within about an election
 * timeout (a flaky switch port, a bonded link failing over), so heals land just as elections time
 * out, and a leader is deposed and a candidate cut off mid-vote again and again. Not with leader
 * cuts, whose partition a flap would replace.
 */
export function swarmFlapping(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < 2 || options.faults.leaderCutIntervalMsMean > 0 || !rng.chance(FLAPPING_REGIME_RATIO)) return options;
  const electionMs = options.raft.electionTicks * options.tickMs;
  return mergeOptions(options, {
    faults: {
      partitionIntervalMsMean: Math.round(pickFrom(rng, [0.5, 1, FLAP_ELECTIONS_MAX]) * electionMs),
      partitionDurationMsMax: Math.round(pickFrom(rng, [0.5, 1, 2]) * electionMs),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Leader isolation: the partitions real clusters see most, aimed at the node that matters most.

/** The share of eligible swarm seeds (three nodes or more, no leader cuts yet, no flapping links) whose leaders are isolated. */
export const LEADER_ISOLATION_REGIME_RATIO = 0.7;

/**
 * The leader isolation regime, from its own stream after the leader pause regime (moment crashes
 * come after it), so a seed that does
 * not select it keeps its options and its run: whoever leads is parted from the rest of the
 * cluster (alone, or with a minority of mates: sim/faults.ts LeaderCut), again and again, within
 * a heartbeat of its election (its first entries in flight; cuts up to four election timeouts
 * into a reign found fewer of the catalogued bugs). A leader on the minority side keeps taking
 * writes; without CheckQuorum it keeps leading, and when the cut heals
 * its appends and heartbeats reach followers of a newer leader, and its followers' divergent tails
 * meet the new leader's log. This is what a switch or rack failure does to a real deployment; the
 * random partitions of swarmFaults put the leader on the minority side only by chance and seldom
 * while it holds unreplicated writes. More clients keep every leader busy with writes. With
 * transfers too (a cut then aims at the transfer's target once it leads); not with flapping links,
 * whose partitions would replace the cut.
 */
export function swarmLeaderIsolation(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < 3 || options.faults.leaderCutIntervalMsMean > 0) return options;
  if (linksFlap(options) || !rng.chance(LEADER_ISOLATION_REGIME_RATIO)) return options;
  const electionMs = options.raft.electionTicks * options.tickMs;
  const heartbeatMs = options.raft.heartbeatTicks * options.tickMs;
  const clients = Math.max(options.clients, rng.range(3, 8));
  const faults = {
    leaderCutIntervalMsMean: Math.round(pickFrom(rng, [1, 2, 4]) * electionMs),
    // Within a heartbeat of the election, often before the first entries arrive: a new leader's
    // first round trips are where its log and its followers' disagree most. The cut leader goes
    // on taking writes it cannot commit.
    leaderCutAfterMsMax: pickFrom(rng, [options.network.delayMsMin, options.network.delayMsMax, heartbeatMs]),
    // Long enough for the others to elect a leader and commit, some longer.
    leaderCutDurationMsMax: pickFrom(rng, [2, 4, 8]) * electionMs,
  };
  // Often a compaction or more while a cut lasts: the cut leader and its mates come back to a
  // leader whose log no longer holds where theirs diverged (heartbeats and snapshots from below).
  const snapshotEveryEntries = rng.chance(0.75) ? pickFrom(rng, [5, 10, 20]) : options.snapshotEveryEntries;
  return mergeOptions(options, { clients, snapshotEveryEntries, faults });
}

// ---------------------------------------------------------------------------------------------
// Leader pauses: a process stall that hits whoever leads, from its own stream after every other
// regime, so a seed that does not select it keeps its options and its run.

/** The share of eligible swarm seeds (three nodes or more, no lease reads, no leader cuts) whose leaders pause. */
export const LEADER_PAUSE_REGIME_RATIO = 0.3;

/**
 * The leader pause regime: the leader's process stalls (a long GC, a VM migration, a disk hang)
 * from once in a few election timeouts to once in many, soon after its election or later in its
 * reign, for up to several election timeouts. The others elect a successor meanwhile; the old
 * leader resumes believing it still leads, with its held messages (replies of its own term and
 * older, and client reads and writes where pauses hold calls: swarmHeldCalls) delivered before any
 * news of the new term, and acts on them
 * (etcd and hashicorp/raft stale-leader reports; the read and lease anomalies of thesis 6.4). In
 * two thirds of the runs half the pauses also cut the leader off until up to one or two election
 * timeouts after its resume (a VM migrated, its peer connections gone): it resumes to its clients
 * alone, with no message of the new term waiting, and answers them from what it knew. Not
 * with lease reads, whose assumption bounds pauses (swarmLease keeps plain pauses within it), nor
 * with leader cuts, whose targets it would take.
 */
export function swarmLeaderPauses(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < 3 || options.raft.leaseReads || options.faults.leaderCutIntervalMsMean > 0) return options;
  if ((options.faults.leaderPauseIntervalMsMean ?? 0) > 0 || !rng.chance(LEADER_PAUSE_REGIME_RATIO)) return options;
  const { tickMs, network, raft } = options;
  const electionMs = raft.electionTicks * tickMs;
  return mergeOptions(options, {
    faults: {
      leaderPauseIntervalMsMean: pickFrom(rng, [2, 4, 8]) * electionMs,
      // Right after the election (its no-op in flight), within a heartbeat, or any time in a term.
      leaderPauseAfterMsMax: Math.max(1, pickFrom(rng, [network.delayMsMax, raft.heartbeatTicks * tickMs, electionMs])),
      // Up to two to eight election timeouts: most pauses outlast a randomized timeout.
      leaderPauseMsMax: Math.min(pickFrom(rng, [2, 4, 8]) * electionMs, DURATION_MS_MAX),
      leaderPauseCutMsMax: pickFrom(rng, [0, 1, 2]) * electionMs,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Crashes at interesting moments: event-triggered crashes, from their own stream after every
// other regime, so a seed that does not select it keeps its options and its run.

/**
 * The share of swarm seeds (of three nodes or more) that crash nodes at interesting moments. Not
 * two: a crash right after a vote, with a power loss and torn writes after it, can leave the node
 * behind campaigning again and again while the node ahead refuses it, and with two voters and no
 * PreVote only the node ahead's randomized timeout running out first ends that (default seed 732
 * at 120 s: eleven rounds lost in a row, no leader in the 30 s liveness phase).
 */
export const MOMENT_CRASH_REGIME_RATIO = 0.3;
/** The moments' bit sets a seed draws from: all of them, or one (sim/faults.ts CRASH_MOMENTS). */
const MOMENT_SETS = [15, 15, 1, 2, 4, 8] as const;

/**
 * The moment crash regime: a node crashes right after it persisted a vote, wrote entries, learned
 * of a commit as leader, or took or installed a snapshot (a power cut, an OOM kill or a deploy that
 * lands on a busy node lands there more often than a uniform clock says), every few election
 * timeouts, down for up to ten. The windows it hits decide what a restart keeps: a vote or entries
 * acknowledged before they were synced, a commit no follower knows yet, a snapshot and the log
 * around it. Torn writes as the run draws them; under lease reads a whole lease down, as every crash.
 */
export function swarmMomentCrashes(rng: RngLike, options: SimOptions): SimOptions {
  if (options.nodes < 3 || (options.faults.momentCrashIntervalMsMean ?? 0) > 0 || !rng.chance(MOMENT_CRASH_REGIME_RATIO)) return options;
  const electionMs = options.raft.electionTicks * options.tickMs;
  return mergeOptions(options, {
    faults: {
      momentCrashIntervalMsMean: pickFrom(rng, [2, 5, 10]) * electionMs,
      momentCrashMoments: pickFrom(rng, MOMENT_SETS),
      momentCrashDownMsMax: pickFrom(rng, [1, 3, 10]) * electionMs,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Held calls: what a paused process does with the requests sent to it, from its own stream after
// every other regime, so a seed that does not select it keeps its options and its run.

/**
 * The share of swarm runs with pauses (plain or aimed at the leader) whose paused nodes hold the
 * client calls sent to them.
 */
export const HELD_CALLS_REGIME_RATIO = 0.6;

/**
 * Held calls: a paused process (a long GC, a VM frozen or migrated, a disk hang) is not gone, its
 * sockets still take requests, and on resume it serves the calls that arrived meanwhile, in their
 * order among its peers' messages, with its view from before the pause: a resumed leader cut off
 * from the new term answers the reads and takes the writes that waited for it (the stale-leader
 * reads of thesis 6.4). A call whose client gave up waiting before the resume is dropped. Drawn in
 * runs that pause nodes at all.
 */
export function swarmHeldCalls(rng: RngLike, options: SimOptions): SimOptions {
  const pauses = options.faults.pauseIntervalMsMean > 0 || (options.faults.leaderPauseIntervalMsMean ?? 0) > 0;
  if (!pauses || options.faults.pauseHoldsCalls === true || !rng.chance(HELD_CALLS_REGIME_RATIO)) return options;
  return mergeOptions(options, { faults: { pauseHoldsCalls: true } });
}

/** The share of swarm seeds whose clients send some new operations to a node at random. */
export const CLIENT_ROUTING_REGIME_RATIO = 0.4;

/**
 * Client routing: in front of many clusters sits a load balancer, a DNS name or a client library
 * with a cached leader, so a new operation may reach any node, a deposed or paused leader that
 * has not heard of its successor among them; a node that does not lead refuses with its hint. A
 * quarter, half or all of the new operations go to a node drawn at random (from the stream
 * `clients-route`). Without it a client sends a new operation only to the node that answered its
 * last one, so a read reaches an old leader only while that client has not yet heard of the new
 * one, never after another client's write has completed there. Drawn from its own stream after
 * held calls, in any run with clients.
 */
export function swarmClientRouting(rng: RngLike, options: SimOptions): SimOptions {
  if (options.clients === 0 || (options.clientAnyNodeRatio ?? 0) > 0 || !rng.chance(CLIENT_ROUTING_REGIME_RATIO)) return options;
  return mergeOptions(options, { clientAnyNodeRatio: pickFrom(rng, [0.25, 0.5, 1]) });
}
