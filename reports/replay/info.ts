// What the replay shows about a run besides its events: seed, scenario, bugs, options, verdict and
// each node's clock drift. The drift is not in the events; it is re-derived from the seed the way
// the simulator draws it (the first draws of the 'drift' stream, one per node, in node order).
import type { TraceEvent } from '../../sim/events.ts';
import type { FaultEvent } from '../../sim/faults.ts';
import type { SimOptions } from '../../sim/options.ts';
import { createRng } from '../../sim/random.ts';
import type { TraceHeader } from '../trace-file.ts';

export interface ReplayInfo {
  readonly seed: string;
  readonly scenario: string | null;
  readonly bugs: readonly string[];
  readonly options: readonly string[];
  /** Per node, the tick interval's relative deviation (0.02 = ticks 2% slower). */
  readonly drifts: readonly number[];
  readonly nodeCount: number;
}

export function replayInfo(header: TraceHeader): ReplayInfo {
  return {
    seed: header.seed, scenario: header.scenario, bugs: header.bugs,
    options: optionsBrief(header.options, header.schedule), drifts: clockDrifts(header.seed, header.options),
    nodeCount: header.options.nodes,
  };
}

export function clockDrifts(seed: string, options: SimOptions): number[] {
  const rng = createRng(seed, 'drift');
  return Array.from({ length: options.nodes }, () => {
    const drift = (rng.next() * 2 - 1) * options.clockDriftRatioMax;
    const intervalMs = Math.max(1, Math.round(options.tickMs * (1 + drift)));
    return intervalMs / options.tickMs - 1;
  });
}

/**
 * Short option fragments, most telling first; the header shows as many as fit. A fault kind is
 * `off` only when nothing in the run does it: leader crashes and leader cuts count as crashes and
 * partitions, and so do the events of an explicit schedule (`--schedule`, scenarios).
 */
export function optionsBrief(options: SimOptions, schedule: readonly FaultEvent[] = []): string[] {
  const network = options.network;
  const faults = options.faults;
  const on = (value: boolean): string => (value ? 'on' : 'off');
  const scheduled = (...types: FaultEvent['type'][]): number => schedule.filter((event) => types.includes(event.type)).length;
  const fault = (meanMs: number, leaderMeanMs: number, count: number): string => {
    const parts = [...(meanMs === 0 ? [] : [`~${meanMs}ms`]), ...(leaderMeanMs === 0 ? [] : [`leader ~${leaderMeanMs}ms`])];
    if (parts.length > 0) return parts.join(' + ');
    return count === 0 ? 'off' : `${count} scheduled`;
  };
  return [
    `nodes ${options.nodes}`, `clients ${options.clients}`, `keys ${options.keys}`,
    `delay ${network.delayMsMin}-${network.delayMsMax}ms`, `loss ${network.lossRatio}`, `dup ${network.duplicateRatio}`,
    `crash ${fault(faults.crashIntervalMsMean, faults.leaderCrashIntervalMsMean ?? 0, scheduled('crash', 'crash-leader', 'crash-at'))}`,
    `partition ${fault(faults.partitionIntervalMsMean, faults.leaderCutIntervalMsMean ?? 0, scheduled('partition', 'cut-leader'))}`,
    `pause ${fault(faults.pauseIntervalMsMean, faults.leaderPauseIntervalMsMean ?? 0, scheduled('pause', 'pause-leader'))}`, `preVote ${on(options.raft.preVote)}`,
    `checkQuorum ${on(options.raft.checkQuorum)}`, `election ${options.raft.electionTicks}t`,
    `tick ${options.tickMs}ms`, `drift ${options.clockDriftRatioMax}`, `snapshot ${options.snapshotEveryEntries}`,
  ];
}

/** The verdict a trace shows: failed if it records a violation; otherwise the run saw none. */
export function traceVerdict(events: readonly TraceEvent[], violations: readonly number[]): string {
  const first = violations[0];
  if (first === undefined) return 'no violation';
  const event = events[first];
  return event?.type === 'violation' ? `FAIL ${event.checker}` : 'FAIL';
}
