// Simulator figures: events per second against a bare priority-queue loop of the same size,
// simulated seconds per wall second, seeds per second of a sweep, and the online checkers' cost.
import type { RunReport, RunSpec } from '../../reports/run-report.ts';
import { EventQueue } from '../../sim/queue.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import type { Metric } from './metric.ts';

function wallMs(body: () => void): number {
  const started = process.hrtime.bigint();
  body();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The fastest of `repeats` timings: the least disturbed by the rest of the machine. */
function bestOf(repeats: number, body: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < repeats; round++) best = Math.min(best, wallMs(body));
  return best;
}

/**
 * A bare event loop: the same number of events through the same queue, doing nothing else, with
 * `depth` events pending at each pop as the simulation had on average (a pop sifts through
 * log2(depth) levels of the heap, so a shallower queue would flatter the baseline).
 */
export function bareLoopMs(events: number, depth: number): number {
  const pending = Math.max(1, Math.round(depth));
  return bestOf(3, () => {
    const queue = new EventQueue<{ readonly kind: 'x'; readonly n: number }>();
    let state = 12345;
    for (let index = 0; index < pending; index++) queue.push(index, { kind: 'x', n: index });
    let checksum = 0;
    for (let step = 0; step < events; step++) {
      const time = queue.peekTime() as number;
      const payload = queue.popPayload();
      checksum += payload?.n ?? 0;
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      queue.push(time + 1 + (state % 100), { kind: 'x', n: step });
    }
    if (checksum === -1) throw new Error('unreachable');
  });
}

/** The depth the baseline loop kept before it followed the simulation's queue. */
const SHALLOW_DEPTH = 64;

/**
 * The default preset for seed 42 with a 10-minute safety phase: long enough (about 170,000 queue
 * events) that JIT warm-up and collector pauses do not decide the figure. Linearizability is
 * measured on its own (npm run bench -- lin).
 */
function spec(seed: number, checkers: boolean): RunSpec {
  const base = specForSeed(String(seed), { preset: 'default', override: { durationMs: 600_000 }, bugs: [], record: false });
  return { ...base, checkers, linearizability: false };
}

/**
 * Rounds of the checkers' figure: the run with checkers off and on, alternating, so that a change
 * in the machine's load between them weighs on both sides (best of each).
 */
const CHECKER_ROUNDS = 5;

export function benchSimulator(): Metric[] {
  let report: RunReport | null = null;
  const runSpec = spec(42, false);
  const checkedSpec = spec(42, true);
  runSimulation(runSpec); // warm up the JIT
  runSimulation(checkedSpec);
  let simMs = Number.POSITIVE_INFINITY;
  let checkedMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < CHECKER_ROUNDS; round++) {
    simMs = Math.min(simMs, wallMs(() => { report = runSimulation(runSpec); }));
    checkedMs = Math.min(checkedMs, wallMs(() => { runSimulation(checkedSpec); }));
  }
  const done = report as unknown as RunReport;
  const steps = done.sim.steps;
  const eventsPerS = steps / (simMs / 1000);
  const baselineMs = bareLoopMs(steps, done.sim.queueDepthMean);
  const baselinePerS = steps / (baselineMs / 1000);
  // The baseline as it was before it followed the simulation's depth, for figures taken before.
  const shallowPerS = steps / (bareLoopMs(steps, SHALLOW_DEPTH) / 1000);
  const seeds = 10;
  const sweepMs = wallMs(() => {
    for (let seed = 1; seed <= seeds; seed++) runSimulation({ ...specForSeed(String(seed), { preset: null, override: {}, bugs: [], record: false }) });
  });
  return [
    { metric: 'sim.events_per_s', value: Math.round(eventsPerS), unit: 'events/s' },
    { metric: 'sim.baseline_events_per_s', value: Math.round(baselinePerS), unit: 'events/s' },
    { metric: 'sim.queue_depth_mean', value: round(done.sim.queueDepthMean, 1), unit: 'events' },
    { metric: 'sim.ratio_to_baseline', value: round(eventsPerS / baselinePerS, 3), unit: 'ratio' },
    { metric: 'sim.ratio_to_shallow_baseline', value: round(eventsPerS / shallowPerS, 3), unit: `ratio (baseline with ${SHALLOW_DEPTH} pending)` },
    { metric: 'sim.sim_seconds_per_wall_second', value: Math.round((done.sim.timeMs / 1000) / (simMs / 1000)), unit: 's/s' },
    { metric: 'sim.trace_events_per_s', value: Math.round(done.sim.traceEvents / (simMs / 1000)), unit: 'events/s' },
    { metric: 'checkers.overhead_ratio', value: round(simMs / checkedMs, 3), unit: 'ratio' },
    { metric: 'sweep.seeds_per_s', value: round(seeds / (sweepMs / 1000), 2), unit: 'seeds/s' },
  ];
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
