// `npm run bench -- coverage`: what the default swarm exercises. For each seed of a range (the
// default swarm scenario, 20 s safety phase, as the bug hunts run it), which capabilities of the
// core its options switch on and which of them happened in the run, and which "sometimes"
// counters are above zero; the table gives the share of seeds for each. Facts the checkers do not
// count are read from the trace: lease reads served (a read answered with no message delivered
// between its call and its return, in a cluster of two nodes or more), transfers completed (a
// TimeoutNow's target elected in the next term), configuration changes applied by kind (their
// entries recognised by digest), pre-votes refused, CheckQuorum step-downs (a leader that becomes
// follower in its own term, in runs without configuration changes, where removal cannot explain it),
// leaders crashed or paused (the node led when it went down), and instants at which every crashed
// node restarted together.
import type { ConfChange, EntryData } from '../../core/index.ts';
import { availabilityOptions } from '../../reports/checkers/availability.ts';
import { stabilityOptions } from '../../reports/checkers/stability.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { digestEntryData } from '../../sim/hash.ts';
import { linksFlap, membershipChangesOn } from '../../sim/options.ts';
import type { SimOptions } from '../../sim/options.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import type { Metric } from './metric.ts';

export const COVERAGE_SEEDS = Number(process.env['RAFTSIM_COVERAGE_SEEDS'] ?? 200);
export const COVERAGE_DURATION_MS = 20_000;

/** Facts of one run: each name that held at least once. */
export type Facts = Set<string>;

const NODES_MAX = 9;

/** Conf change entries by digest, with their kind. */
function changeKinds(): Map<number, ConfChange['type']> {
  const kinds = new Map<number, ConfChange['type']>();
  for (let node = 1; node <= NODES_MAX; node++) {
    for (const type of ['addLearner', 'promote', 'remove'] as const) {
      const data: EntryData = { type: 'confChange', change: { type, node } };
      kinds.set(digestEntryData(data), type);
    }
  }
  return kinds;
}

const CHANGE_KINDS = changeKinds();

/** What the options switch on. */
export function optionFacts(options: SimOptions): Facts {
  const facts: Facts = new Set();
  const on = (name: string, value: boolean): void => { if (value) facts.add(name); };
  on('option: PreVote on', options.raft.preVote);
  on('option: PreVote off', !options.raft.preVote);
  on('option: CheckQuorum on', options.raft.checkQuorum);
  on('option: CheckQuorum off', !options.raft.checkQuorum);
  on('option: lease reads', options.raft.leaseReads);
  on('option: leadership transfers', (options.membership.transferIntervalMsMean ?? 0) > 0);
  on('option: configuration changes', options.membership.changeIntervalMsMean > 0 || options.membership.changeAfterElectionRatio > 0);
  on('option: snapshots (compaction on)', options.snapshotEveryEntries > 0);
  on('option: leader churn', options.faults.leaderCrashIntervalMsMean > 0);
  on('option: leader cuts', options.faults.leaderCutIntervalMsMean > 0);
  on('option: leader pauses', (options.faults.leaderPauseIntervalMsMean ?? 0) > 0);
  on('option: crashes at moments', (options.faults.momentCrashIntervalMsMean ?? 0) > 0);
  on('option: network stalls', options.network.stallRatio > 0);
  on('option: power losses', (options.faults.powerLossIntervalMsMean ?? 0) > 0);
  on('option: rolling restarts', (options.faults.rollingRestartIntervalMsMean ?? 0) > 0);
  on('option: flapping links', linksFlap(options));
  on('option: clock drift', options.clockDriftRatioMax > 0);
  on('option: availability judged (calm links)', availabilityOptions(options) !== null);
  on('option: stability judged (no stalls or membership changes)', stabilityOptions(options) !== null);
  on('option: single node', options.nodes === 1);
  // The time scale (sim/options.ts SWARM_TICK_MS): how many protocol rounds a run's time holds.
  on(`option: tick ${options.tickMs} ms`, true);
  return facts;
}

/** What happened in a run's trace. */
export function traceFacts(events: readonly TraceEvent[], options: SimOptions): Facts {
  const facts: Facts = new Set();
  const roles = new Map<number, { role: string; term: number }>();
  /** Reads open: (client, op) -> deliveries counted at the call. */
  const reads = new Map<string, number>();
  let delivered = 0;
  const timeoutsNow: { to: number; term: number }[] = [];
  const changesOn = membershipChangesOn({ ...options.membership, transferIntervalMsMean: 0 });
  /** Restarts of crashed nodes by instant (not the first start): every node at one instant is a whole cluster started at once. */
  const restartsAt = new Map<number, number>();
  const crashed = new Set<number>();
  for (const event of events) {
    switch (event.type) {
      case 'deliver': delivered++; break;
      case 'call': if (event.input.type === 'read') reads.set(`${event.client}.${event.op}`, delivered); break;
      case 'return': {
        const key = `${event.client}.${event.op}`;
        const at = reads.get(key);
        reads.delete(key);
        if (at === undefined || event.output.type !== 'result') break;
        facts.add('ReadIndex or lease read served');
        if (at === delivered && options.nodes > 1 && options.raft.leaseReads) facts.add('lease read served');
        break;
      }
      case 'send':
        if (event.message.type === 'TimeoutNow') timeoutsNow.push({ to: event.message.to, term: event.message.term });
        if (event.message.type === 'RequestVoteReply' && event.message.preVote && !event.message.granted) facts.add('pre-vote refused');
        if (event.message.type === 'InstallSnapshot') facts.add('InstallSnapshot sent');
        break;
      case 'role': {
        const previous = roles.get(event.node);
        if (previous?.role === 'leader' && event.role === 'follower' && previous.term === event.term && !changesOn && options.raft.checkQuorum) {
          facts.add('CheckQuorum step-down');
        }
        if (event.role === 'leader' && timeoutsNow.some((sent) => sent.to === event.node && sent.term + 1 === event.term)) {
          facts.add('leadership transfer completed');
        }
        roles.set(event.node, { role: event.role, term: event.term });
        break;
      }
      case 'apply': {
        const kind = CHANGE_KINDS.get(event.entry.digest);
        if (kind !== undefined) {
          facts.add('configuration change committed');
          facts.add(`configuration change committed: ${kind}`);
        }
        break;
      }
      case 'compact': facts.add('log compacted (snapshot taken)'); break;
      case 'crash':
        facts.add(event.torn ? 'crash (torn writes)' : 'crash');
        crashed.add(event.node);
        if (roles.get(event.node)?.role === 'leader') facts.add('leader crashed');
        break;
      case 'restart':
        if (crashed.delete(event.node)) restartsAt.set(event.time, (restartsAt.get(event.time) ?? 0) + 1);
        break;
      case 'pause':
        facts.add('pause');
        if (roles.get(event.node)?.role === 'leader') facts.add('leader paused');
        break;
      case 'partition': facts.add(`partition: ${event.kind}`); break;
      default: break;
    }
  }
  if (options.nodes > 1 && [...restartsAt.values()].some((count) => count === options.nodes)) facts.add('every node restarted at one instant');
  return facts;
}

export interface CoverageRow {
  readonly fact: string;
  readonly seeds: number;
}

export interface Coverage {
  readonly seeds: number;
  readonly rows: readonly CoverageRow[];
  readonly failed: readonly number[];
}

/** Runs seeds 1..count and counts, per fact, the seeds in which it held. */
export function measureCoverage(count: number = COVERAGE_SEEDS, durationMs: number = COVERAGE_DURATION_MS): Coverage {
  const tally = new Map<string, number>();
  const failed: number[] = [];
  for (let seed = 1; seed <= count; seed++) {
    const spec = specForSeed(String(seed), { preset: null, override: { durationMs }, bugs: [], record: true });
    const report = runSimulation({ ...spec, linBudgetSteps: 2_000_000 });
    if (report.verdict === 'fail') failed.push(seed);
    const facts = new Set([...optionFacts(spec.options), ...traceFacts(report.sim.events ?? [], spec.options)]);
    for (const [name, value] of Object.entries(report.sometimes ?? {})) if (value > 0) facts.add(`sometimes: ${name}`);
    for (const fact of facts) tally.set(fact, (tally.get(fact) ?? 0) + 1);
  }
  const rows = [...tally].map(([fact, seeds]) => ({ fact, seeds })).sort((a, b) => a.fact.localeCompare(b.fact));
  return { seeds: count, rows, failed };
}

function slug(fact: string): string {
  return fact.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export function formatCoverage(coverage: Coverage): string[] {
  const lines = [`| fact (default swarm, seeds 1..${coverage.seeds}, ${COVERAGE_DURATION_MS / 1000} s) | share of seeds | seeds |`, '|---|---|---|'];
  for (const row of coverage.rows) {
    lines.push(`| ${row.fact} | ${(100 * row.seeds / coverage.seeds).toFixed(1)}% | ${row.seeds} |`);
  }
  return lines;
}

export function benchCoverage(print: (line: string) => void = () => undefined): Metric[] {
  const coverage = measureCoverage();
  for (const line of formatCoverage(coverage)) print(line);
  return [
    ...coverage.rows.map((row) => ({ metric: `coverage.${slug(row.fact)}`, value: Number((100 * row.seeds / coverage.seeds).toFixed(1)), unit: '% of seeds' })),
    { metric: 'coverage.false_alarms', value: coverage.failed.length, unit: `of ${coverage.seeds} seeds` },
  ];
}
