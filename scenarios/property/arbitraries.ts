// fast-check arbitraries for property tests over whole runs: small, fast options; explicit fault
// schedules of every kind the simulator has (partitions of each kind with valid cuts, heal, crash
// with and without torn writes, restart, pause, resume); and workloads. A schedule shrinks by
// losing events, moving them earlier and picking lower node ids; the simulator's seed never shrinks.
import { fc } from '@fast-check/vitest';
import type { Arbitrary } from 'fast-check';
import type { BugId, NodeId } from '../../core/index.ts';
import type { PartitionKind } from '../../sim/events.ts';
import { compareFaults, validateSchedule } from '../../sim/faults.ts';
import type { FaultEvent } from '../../sim/faults.ts';
import { GENERATED_PARTITION_KINDS } from '../../sim/options.ts';
import type { GeneratedPartitionKind, SimOptions } from '../../sim/options.ts';
import { generateCut, normalizeCut } from '../../sim/partitions.ts';
import type { Link } from '../../sim/partitions.ts';
import { createRng } from '../../sim/random.ts';
import { scenarioOptions } from '../vocabulary.ts';

/** Short runs: a property test makes dozens of them. */
export const PROPERTY_DURATION_MS = 6_000;
export const PROPERTY_LIVENESS_MS = 20_000;
export const NODES_MAX = 5;

export interface Workload {
  readonly clients: number;
  readonly keys: number;
}

export const workloadArbitrary: Arbitrary<Workload> = fc.record({
  clients: fc.integer({ min: 1, max: 3 }),
  keys: fc.integer({ min: 1, max: 3 }),
});

/** Small clusters, every Raft knob that changes behaviour, a mildly bad network. */
export function optionsArbitrary(workload: Arbitrary<Workload> = workloadArbitrary): Arbitrary<SimOptions> {
  return fc.record({
    nodes: fc.constantFrom(3, 4, 5),
    workload,
    preVote: fc.boolean(),
    checkQuorum: fc.boolean(),
    maxEntriesPerMessage: fc.constantFrom(64, 1, 4),
    maxInflightMessages: fc.constantFrom(8, 1),
    snapshotEveryEntries: fc.constantFrom(0, 10),
    delayMsMax: fc.constantFrom(20, 60),
    lossRatio: fc.constantFrom(0, 0.05),
    duplicateRatio: fc.constantFrom(0, 0.05),
  }).map((drawn) => scenarioOptions({
    nodes: drawn.nodes, clients: drawn.workload.clients, keys: drawn.workload.keys,
    durationMs: PROPERTY_DURATION_MS, livenessMs: PROPERTY_LIVENESS_MS, snapshotEveryEntries: drawn.snapshotEveryEntries,
    raft: {
      preVote: drawn.preVote, checkQuorum: drawn.checkQuorum,
      maxEntriesPerMessage: drawn.maxEntriesPerMessage, maxInflightMessages: drawn.maxInflightMessages,
    },
    network: { delayMsMax: drawn.delayMsMax, lossRatio: drawn.lossRatio, duplicateRatio: drawn.duplicateRatio },
  }));
}

/**
 * A fault drawn for NODES_MAX nodes; `fitSchedule` then folds it onto the run's node count.
 * Generated partition kinds draw their cut from a small seed (shrinking it picks other cuts of the
 * same kind); an explicit partition lists its links.
 */
export type DrawnFault =
  | { readonly at: number; readonly type: 'partition'; readonly kind: GeneratedPartitionKind; readonly cutSeed: number }
  | { readonly at: number; readonly type: 'explicit'; readonly links: readonly Link[] }
  | { readonly at: number; readonly type: 'heal' }
  | { readonly at: number; readonly type: 'crash'; readonly node: NodeId; readonly torn: boolean }
  | { readonly at: number; readonly type: 'restart' | 'pause' | 'resume'; readonly node: NodeId };

const ALL_LINKS: Link[] = [];
for (let from = 1; from <= NODES_MAX; from++) for (let to = 1; to <= NODES_MAX; to++) if (from !== to) ALL_LINKS.push([from, to]);

function drawnFaultArbitrary(durationMs: number): Arbitrary<DrawnFault> {
  const at = fc.integer({ min: 1, max: durationMs - 1 });
  const node = fc.integer({ min: 1, max: NODES_MAX });
  return fc.oneof(
    fc.record({ at, type: fc.constant('partition' as const), kind: fc.constantFrom(...GENERATED_PARTITION_KINDS), cutSeed: fc.nat(1000) }),
    fc.record({ at, type: fc.constant('explicit' as const), links: fc.subarray(ALL_LINKS, { minLength: 1 }) }),
    fc.record({ at, type: fc.constant('heal' as const) }),
    fc.record({ at, type: fc.constant('crash' as const), node, torn: fc.boolean() }),
    fc.record({ at, type: fc.constantFrom('restart' as const, 'pause' as const, 'resume' as const), node }),
  );
}

function fitFault(drawn: DrawnFault, nodes: number): FaultEvent | null {
  const fold = (node: NodeId): NodeId => ((node - 1) % nodes) + 1;
  switch (drawn.type) {
    case 'partition': {
      const cut = generateCut(drawn.kind, createRng(drawn.cutSeed, 'property-cut'), nodes);
      return cut.length === 0 ? null : { at: drawn.at, type: 'partition', kind: drawn.kind, cut };
    }
    case 'explicit': {
      const links = drawn.links.filter(([from, to]) => from <= nodes && to <= nodes);
      const kind: PartitionKind = 'explicit';
      return links.length === 0 ? null : { at: drawn.at, type: 'partition', kind, cut: normalizeCut(links) };
    }
    case 'heal': return drawn;
    case 'crash': return { ...drawn, node: fold(drawn.node) };
    case 'restart':
    case 'pause':
    case 'resume': return { at: drawn.at, type: drawn.type, node: fold(drawn.node) };
    default: {
      const never: never = drawn;
      return never;
    }
  }
}

/** Folds drawn faults onto `nodes` nodes, sorts them, and checks the result is a valid schedule. */
export function fitSchedule(drawn: readonly DrawnFault[], nodes: number): FaultEvent[] {
  const events = drawn.map((fault) => fitFault(fault, nodes)).filter((event): event is FaultEvent => event !== null);
  return validateSchedule(events.sort(compareFaults), nodes);
}

export function drawnScheduleArbitrary(durationMs = PROPERTY_DURATION_MS, eventsMax = 12): Arbitrary<readonly DrawnFault[]> {
  return fc.array(drawnFaultArbitrary(durationMs), { maxLength: eventsMax });
}

export interface RunCase {
  /** Never shrunk: a smaller seed is not a simpler run. */
  readonly seed: number;
  readonly options: SimOptions;
  readonly schedule: readonly FaultEvent[];
  /** Mutation points switched on (core/bugs.ts): only to prove a property can fail. */
  readonly bugs?: readonly BugId[];
}

/** A whole run: options, a schedule fitted to them, and a seed that does not shrink. */
export function runCaseArbitrary(options: Arbitrary<SimOptions> = optionsArbitrary()): Arbitrary<RunCase> {
  return fc.record({
    seed: fc.noShrink(fc.integer({ min: 1, max: 1_000_000 })),
    options,
    drawn: drawnScheduleArbitrary(),
  }).map(({ seed, options: chosen, drawn }) => ({ seed, options: chosen, schedule: fitSchedule(drawn, chosen.nodes) }));
}
