// From a seed and the command line's choices to a complete, reproducible run description: the
// options (a preset, or drawn by swarm mode from the seed), overrides, and the fault schedule.
import type { BugId } from '../core/index.ts';
import { generateSchedule } from '../sim/faults.ts';
import {
  DEFAULT_OPTIONS, PRESETS, leaderChurn, mergeOptions, swarmFlapping, swarmLeaderIsolation, swarmLeaderPauses, swarmLease, swarmMembership,
  swarmClientRouting, swarmHeldCalls, swarmMomentCrashes, swarmOptions, swarmRestarts, swarmTimescale, swarmTransfers,
} from '../sim/options.ts';
import type { OptionsOverride, PresetName, SimOptions } from '../sim/options.ts';
import { RandomStreams, parseSeed } from '../sim/random.ts';
import type { RunSpec } from '../reports/run-report.ts';

export interface SpecChoices {
  readonly preset: PresetName | null;
  readonly override: OptionsOverride;
  readonly bugs: readonly BugId[];
  readonly record: boolean;
  readonly scenario?: string | null;
}

/**
 * Options for a seed: the preset when one is named, else swarm mode's draw (each later regime from
 * its own stream, so adding one leaves the earlier draws alone); then the overrides.
 */
export function optionsForSeed(seed: bigint | number, preset: PresetName | null, override: OptionsOverride): SimOptions {
  if (preset !== null) return mergeOptions(PRESETS[preset], override);
  const streams = new RandomStreams(seed);
  const timescale = swarmTimescale(streams.stream('regime-timescale'), DEFAULT_OPTIONS);
  const swarm = swarmOptions(streams.stream('swarm'), timescale, streams.stream('regime-stall'));
  const withMembership = swarmMembership(streams.stream('regime-membership'), swarm);
  const withChurn = leaderChurn(streams.stream('regime-leader-churn'), withMembership);
  const withLease = swarmLease(streams.stream('regime-lease'), withChurn);
  const withTransfers = swarmTransfers(streams.stream('regime-transfer'), withLease);
  const withRestarts = swarmRestarts(streams.stream('regime-restart'), withTransfers);
  const withFlapping = swarmFlapping(streams.stream('regime-flap'), withRestarts);
  // Leader pauses before leader isolation, whose cuts they may run with (not the membership regime's).
  const withLeaderPauses = swarmLeaderPauses(streams.stream('regime-leader-pause'), withFlapping);
  const withLeaderIsolation = swarmLeaderIsolation(streams.stream('regime-leader-isolation'), withLeaderPauses);
  const withMomentCrashes = swarmMomentCrashes(streams.stream('regime-moment-crash'), withLeaderIsolation);
  // Held calls last of all: the runs of every other seed stay as they were.
  const withHeldCalls = swarmHeldCalls(streams.stream('regime-held-calls'), withMomentCrashes);
  return mergeOptions(swarmClientRouting(streams.stream('regime-client-routing'), withHeldCalls), override);
}

export function specForSeed(seedText: string, choices: SpecChoices): RunSpec {
  const seed = parseSeed(seedText);
  const options = optionsForSeed(seed, choices.preset, choices.override);
  const streams = new RandomStreams(seed);
  const schedule = generateSchedule(options, streams.stream('schedule'), streams.stream('schedule-leader-crashes'),
    streams.stream('schedule-leader-cuts'), streams.stream('schedule-restarts'), streams.stream('schedule-leader-pauses'),
    streams.stream('schedule-moment-crashes'));
  return { seed, options, schedule, bugs: choices.bugs, scenario: choices.scenario ?? null, record: choices.record };
}
