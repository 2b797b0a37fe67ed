// What a named scenario is, and how one runs: a purpose in one sentence, its options, and a script
// over the Cluster vocabulary that asserts what must happen beyond the safety checkers.
import type { BugId, Entry, NodeId, PersistedState } from '../../core/index.ts';
import type { SometimesCounters } from '../../reports/checkers/types.ts';
import type { OptionsOverride } from '../../sim/options.ts';
import type { Seed } from '../../sim/simulation.ts';
import { Cluster, ScenarioError, scenarioOptions } from '../vocabulary.ts';
import type { ScenarioReport } from '../vocabulary.ts';

export interface Scenario {
  readonly name: string;
  /** One sentence: what the scenario shows. */
  readonly purpose: string;
  readonly options?: OptionsOverride;
  /** The voters at start (default: every node); a node left out starts as a non-member. */
  readonly initialVoters?: readonly NodeId[];
  /** Disks prepared before the first start (the paper's Figure 7 logs). */
  readonly initialDisks?: () => ReadonlyMap<NodeId, PersistedState>;
  readonly script: (cluster: Cluster) => void;
  /** "Sometimes" evidence: the least each checker counter must reach, so a pass cannot be a run where nothing happened. */
  readonly sometimes?: Partial<Record<keyof SometimesCounters, number>>;
}

/** The seed golden traces are recorded with. */
export const SCENARIO_SEED = 1;

export function runScenario(scenario: Scenario, seed: Seed = SCENARIO_SEED, bugs: readonly BugId[] = []): ScenarioReport {
  const cluster = new Cluster({
    scenario: scenario.name, seed, options: scenarioOptions(scenario.options ?? {}), bugs,
    ...(scenario.initialVoters === undefined ? {} : { initialVoters: scenario.initialVoters }),
    ...(scenario.initialDisks === undefined ? {} : { initialDisks: scenario.initialDisks() }),
  });
  cluster.note(`scenario ${scenario.name}: ${scenario.purpose}`);
  let failure: Error | null = null;
  try {
    scenario.script(cluster);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    failure = error;
  }
  if (failure === null) checkSometimes(cluster, scenario.sometimes ?? {});
  return cluster.finish(failure);
}

function checkSometimes(cluster: Cluster, least: Partial<Record<keyof SometimesCounters, number>>): void {
  const counters = cluster.sometimes();
  for (const [name, minimum] of Object.entries(least)) {
    const count = counters[name as keyof SometimesCounters];
    cluster.check(`sometimes: ${name} >= ${minimum}`, count >= (minimum ?? 0), `${count}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers the scenarios share.

/** True when every listed node is up and holds the same log (by index, term and data). */
export function logsAgree(cluster: Cluster, nodes: readonly NodeId[] = cluster.nodeIds): boolean {
  const logs = nodes.map((node) => cluster.log(node));
  const first = logs[0];
  if (first === null || first === undefined) return false;
  return logs.every((log) => log !== null && sameLog(log, first));
}

function sameLog(a: readonly Entry[], b: readonly Entry[]): boolean {
  return a.length === b.length && a.every((entry, index) => {
    const other = b[index] as Entry;
    return entry.index === other.index && entry.term === other.term && JSON.stringify(entry.data) === JSON.stringify(other.data);
  });
}

/** True when every listed node is up and has committed up to its last index, all the same. */
export function allCommitted(cluster: Cluster, nodes: readonly NodeId[] = cluster.nodeIds): boolean {
  const statuses = nodes.map((node) => cluster.status(node));
  const first = statuses[0];
  if (first === null || first === undefined) return false;
  return statuses.every((status) => status !== null && status.commit === status.lastIndex && status.lastIndex === first.lastIndex);
}

/** Whether an entry proposed by this scripted client is in the node's log. */
export function logHoldsClient(cluster: Cluster, node: NodeId, client: number): boolean {
  return (cluster.log(node) ?? []).some((entry) => entry.data.type === 'command' && entry.data.command.clientId === client);
}

export function others(cluster: Cluster, excluded: readonly NodeId[]): NodeId[] {
  return cluster.nodeIds.filter((node) => !excluded.includes(node));
}
