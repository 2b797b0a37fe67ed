// A failing trace for the replay's tests: a mutant (vote-not-persisted) run on a pinned seed that
// fails in a few thousand events. The tests assert it still fails, so they notice if it stops.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent } from '../sim/events.ts';
import type { RunReport } from '../reports/run-report.ts';
import { encodeTrace } from '../reports/trace-file.ts';
import type { TraceHeader } from '../reports/trace-file.ts';
import { headerOf } from './cli/runs.ts';
import { writeLinesAtomic } from './files.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

export const FAILING_SEED = '14';
export const FAILING_BUG = 'vote-not-persisted';

export interface FailingTrace {
  readonly report: RunReport;
  readonly header: TraceHeader;
  readonly events: readonly TraceEvent[];
  readonly lines: readonly string[];
}

let cached: FailingTrace | null = null;

export function failingTrace(): FailingTrace {
  if (cached !== null) return cached;
  const spec = specForSeed(FAILING_SEED, { preset: null, override: { durationMs: 20_000 }, bugs: [FAILING_BUG], record: true });
  const report = runSimulation(spec);
  const header = headerOf(FAILING_SEED, spec);
  const events = report.sim.events ?? [];
  cached = { report, header, events, lines: [...encodeTrace(header, events)] };
  return cached;
}

/** Writes the failing trace to a fresh temporary directory; returns its path. */
export function writeFailingTrace(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'raftsim-replay-')), `seed-${FAILING_SEED}-${FAILING_BUG}.trace.jsonl`);
  writeLinesAtomic(path, failingTrace().lines);
  return path;
}
