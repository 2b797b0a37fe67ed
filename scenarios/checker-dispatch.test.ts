// The checker suite hands each event only to the checkers whose INTERESTS name its type. This
// proves the table right on real traces: every checker, fed every event, finds the same first
// violation at the same event as the suite does, on correct and on mutant runs.
import { describe, expect, it } from 'vitest';
import type { BugId } from '../core/index.ts';
import { CheckerSuite, createChecker, INTERESTS } from '../reports/checkers/suite.ts';
import { ClusterView } from '../reports/checkers/cluster-view.ts';
import { CHECKER_NAMES } from '../reports/checkers/types.ts';
import type { Violation } from '../reports/checkers/types.ts';
import { availabilityOptions } from '../reports/checkers/availability.ts';
import type { AvailabilityOptions } from '../reports/checkers/availability.ts';
import { stabilityOptions } from '../reports/checkers/stability.ts';
import type { StabilityOptions } from '../reports/checkers/stability.ts';
import type { TraceEvent } from '../sim/events.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

interface Bounds {
  readonly availability: AvailabilityOptions | null;
  readonly stability: StabilityOptions | null;
}

function traceOf(seed: string, bugs: BugId[]): { events: TraceEvent[]; bounds: Bounds } {
  const spec = specForSeed(seed, { preset: null, override: { durationMs: 20_000 }, bugs, record: true });
  return {
    events: [...(runSimulation({ ...spec, checkers: false }).sim.events ?? [])],
    bounds: { availability: availabilityOptions(spec.options), stability: stabilityOptions(spec.options) },
  };
}

/** Every checker sees every event, and each event is also checked against the INTERESTS table. */
function unfiltered(events: readonly TraceEvent[], bounds: Bounds): Violation | null {
  const view = new ClusterView();
  const checkers = CHECKER_NAMES.map((name) => createChecker(name, view, { livenessBoundMs: 30_000, ...bounds }));
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as TraceEvent;
    view.observe(event, index);
    for (const checker of checkers) {
      const found = checker.observe(event, index);
      const interests = INTERESTS[checker.name];
      if (found !== null) {
        expect(interests === 'all' || interests.includes(event.type), `${checker.name} acted on ${event.type}`).toBe(true);
        return found;
      }
    }
  }
  for (const checker of checkers) {
    const found = checker.finish();
    if (found !== null) return found;
  }
  return null;
}

function filtered(events: readonly TraceEvent[], bounds: Bounds): Violation | null {
  const suite = new CheckerSuite({ livenessBoundMs: 30_000, ...bounds });
  for (let index = 0; index < events.length; index++) {
    const found = suite.observe(events[index] as TraceEvent, index);
    if (found !== null) return found;
  }
  return suite.finish()[0] ?? null;
}

describe('checker dispatch by event type', () => {
  it.each([
    ['1', []], ['2', []], ['3', ['vote-not-persisted']], ['5', ['ack-before-durable']],
    // Seed 10 (was 12 until seed 12 drew leader isolation, and 8 until seed 8 drew lease reads,
    // which it passes); seed 5 was 4 until seed 4 drew a cluster restart.
    ['7', ['vote-not-persisted']], ['10', ['ack-before-durable']],
  ] as [string, BugId[]][])('seed %s %j: the same first violation either way', (seed, bugs) => {
    const { events, bounds } = traceOf(seed, bugs);
    const found = filtered(events, bounds);
    expect(found).toEqual(unfiltered(events, bounds));
    // The mutant runs were picked because they fail: the comparison covers a real violation.
    if (bugs.length > 0) expect(found).not.toBeNull();
  });
});
