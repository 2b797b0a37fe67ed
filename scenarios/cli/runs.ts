// What the sim command's runs share, in the main thread and in a sweep's worker threads: the run
// spec from the command line (with the implementation under test), the timed run, the trace
// header and where a failing trace is saved, the reproduce lines and the JSON result line. The
// entry file (sim.ts) exports only its commands; everything else imports from here.
import { join } from 'node:path';
import type { RunHooks, RunReport, RunSpec } from '../../reports/run-report.ts';
import { formatSweepLine } from '../../reports/summary.ts';
import type { Paint } from '../../reports/summary.ts';
import { encodeTrace, TRACE_FORMAT } from '../../reports/trace-file.ts';
import type { TraceHeader } from '../../reports/trace-file.ts';
import { validateSchedule } from '../../sim/faults.ts';
import type { FaultEvent } from '../../sim/faults.ts';
import type { OptionsOverride, SimOptions } from '../../sim/options.ts';
import { readTextFile, UsageError, writeLinesAtomic } from '../files.ts';
import { withDeterminismGuard } from '../guard.ts';
import { activeImplementation, capabilityOverride, ImplementationError, implementationRecord, loadImplementation } from '../impl.ts';
import { findScenario, runScenario } from '../named/index.ts';
import { runSimulation } from '../run.ts';
import type { ShrinkOptions } from '../shrink.ts';
import { parseSeed } from '../../sim/random.ts';
import { optionsForSeed, specForSeed } from '../spec.ts';
import { EXIT, paintFor } from './common.ts';
import type { Io } from './common.ts';
import { specDigest } from './reproduce.ts';
import type { SimArguments } from './sim-args.ts';

export const RAFTSIM_VERSION = '0.1.0';
export const RUNS_DIR = join('reports', 'runs');

/** Where a single run is (a run in a worker thread reports it, so an interruption can say so). */
export type Progress = (phase: 'run' | 'shrink', traceEvents: number, timeMs: number) => void;

export interface Output {
  readonly io: Io;
  /** Human text: stdout normally, stderr with --json. */
  human(text: string): void;
  readonly paint: Paint;
  readonly progress?: Progress;
}

export function outputFor(io: Io, json: boolean, progress?: Progress): Output {
  return {
    io,
    human: (text) => (json ? io.stderr(text) : io.stdout(text)),
    paint: paintFor(io, json ? io.stderrIsTty : io.stdoutIsTty),
    ...(progress === undefined ? {} : { progress }),
  };
}
function overrideOf(args: SimArguments): OptionsOverride {
  return {
    ...(args.nodes === null ? {} : { nodes: args.nodes }),
    ...(args.clients === null ? {} : { clients: args.clients }),
    ...(args.durationMs === null ? {} : { durationMs: args.durationMs }),
  };
}

/** The hooks of this thread's implementation under test: its factory (none for the built-in core). */
export function implementationHooks(): RunHooks {
  const impl = activeImplementation();
  return impl.factory === undefined ? {} : { factory: impl.factory };
}

/**
 * The options seed `seedText` runs with under `args`: what specFor draws before the schedule, for
 * a sweep's dispatch order (sweep/dispatch.ts) at a fraction of the cost.
 */
export function optionsFor(seedText: string, args: SimArguments): SimOptions {
  const override = { ...capabilityOverride(activeImplementation().capabilities).override, ...overrideOf(args) };
  return optionsForSeed(parseSeed(seedText), args.preset, override);
}

export function specFor(seedText: string, args: SimArguments, record: boolean): RunSpec {
  const impl = activeImplementation();
  // What the implementation does not declare is switched off before the schedule is drawn.
  const override = { ...capabilityOverride(impl.capabilities).override, ...overrideOf(args) };
  let spec: RunSpec;
  try {
    spec = specForSeed(seedText, { preset: args.preset, override, bugs: args.bugs, record });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return args.schedule === null ? spec : { ...spec, schedule: readSchedule(args.schedule, spec.options.nodes) };
}

/** An explicit fault schedule: a JSON list of fault events (the `schedule` of a trace header). */
function readSchedule(path: string, nodes: number): FaultEvent[] {
  const text = readTextFile(path, 'schedule file');
  let value: unknown;
  try {
    // A trace (its first line a header): the schedule it ran, as a reproduce line names it.
    const first = text.trimStart().startsWith('{') ? text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')) : null;
    value = first === null ? JSON.parse(text) as unknown : (JSON.parse(first) as { schedule?: unknown }).schedule;
  } catch {
    throw new UsageError(`schedule file ${path} is not valid JSON (a list of fault events, or a trace)`);
  }
  try {
    return validateSchedule(value, nodes);
  } catch (error) {
    throw new UsageError(`schedule file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `--reference`: the correct side failures shrink against (and its hooks); undefined: the shrinker's default. */
let reference: ShrinkOptions['reference'];
let referenceHooks: RunHooks = {};
let referenceFlag: string | null = null;

/** Loads `--reference MODULE|builtin` for this thread (a bad module is exit 2). */
export async function useReference(flag: string | null): Promise<void> {
  if (flag === null || flag === referenceFlag) return;
  try {
    const impl = await loadImplementation(flag === 'builtin' ? null : flag);
    reference = (spec) => ({ ...spec, bugs: [] });
    referenceHooks = impl.factory === undefined ? {} : { factory: impl.factory };
    referenceFlag = flag;
  } catch (error) {
    if (error instanceof ImplementationError) throw new UsageError(error.message.replace(/^--impl/, '--reference'));
    throw error;
  }
}

/**
 * How this thread shrinks: every re-run with the implementation under test, against `--reference`
 * when given, else as the shrinker does by default.
 */
export function shrinkOptions(): ShrinkOptions {
  return { hooks: implementationHooks(), ...(reference === undefined ? {} : { reference, referenceHooks }) };
}

export function timed(spec: RunSpec, hooks: RunHooks): { report: RunReport; wallMs: number } {
  const started = process.hrtime.bigint();
  const report = withDeterminismGuard(() => runSpec(spec, hooks));
  return { report, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** A spec that names a scenario (a replayed scenario trace) re-runs the scenario's script. */
function runSpec(spec: RunSpec, hooks: RunHooks): RunReport {
  if (spec.scenario === null) return runSimulation(spec, hooks);
  const scenario = findScenario(spec.scenario);
  if (scenario === null) throw new UsageError(`the trace names scenario "${spec.scenario}", which this raftsim does not have`);
  return runScenario(scenario, spec.seed, spec.bugs);
}
export function exitCodeOf(report: RunReport): number {
  if (report.verdict === 'fail') return EXIT.fail;
  return report.verdict === 'unknown' ? EXIT.unknown : EXIT.pass;
}
export function headerOf(seedText: string, spec: RunSpec): TraceHeader {
  const impl = implementationRecord(activeImplementation());
  return {
    format: TRACE_FORMAT, raftsim: RAFTSIM_VERSION, seed: seedText, scenario: spec.scenario,
    options: spec.options, schedule: spec.schedule, bugs: spec.bugs, ...(impl === null ? {} : { impl }),
  };
}

export function writeTrace(path: string, header: TraceHeader, report: RunReport): void {
  writeLinesAtomic(path, encodeTrace(header, report.sim.events ?? []), 'trace');
}

/**
 * reports/runs/[PREFIX]seed-S[-BUGS]-CHECKER-DIGEST[KIND].trace.jsonl: the digest covers the seed,
 * options, schedule and bugs, so a different run never overwrites a saved trace (the same run
 * writes the same bytes).
 */
export function savedTracePath(seedText: string, header: TraceHeader, checker: string, prefix = '', kind = ''): string {
  const bugs = header.bugs.length > 0 ? `-${header.bugs.join('+')}` : '';
  return join(RUNS_DIR, `${prefix}seed-${seedText}${bugs}-${checker}-${specDigest(header)}${kind}.trace.jsonl`);
}

export function saveFailure(seedText: string, header: TraceHeader, report: RunReport, already: string | null): string {
  if (already !== null) return already;
  const path = savedTracePath(seedText, header, report.failure?.checker ?? 'unknown');
  writeTrace(path, header, report);
  return path;
}

/** The saved trace's commands: replay it, its HTML report, and (when known) the run from scratch. */
export function printReproduce(out: Output, path: string, indent = '', command: string | null = null): void {
  out.io.stderr(`${indent}trace saved to ${path}; reproduce with:`);
  out.io.stderr(`${indent}  npm run sim -- --replay ${path}`);
  out.io.stderr(`${indent}  npm run report -- ${path}   (HTML: space-time diagram, violation, linearizability view)`);
  if (command !== null) out.io.stderr(`${indent}  ${command}   (the same run from scratch)`);
}

/** A run's JSON: an unknown verdict names its checker and why, as a failure does. */
export function resultJson(seedText: string, report: RunReport, trace: string | null, wallMs: number): object {
  const sim = report.sim;
  const undecided = report.verdict === 'unknown' && report.failure === null;
  return {
    seed: seedText, verdict: report.verdict,
    checker: report.failure?.checker ?? (undecided ? report.verdicts.find((entry) => entry.verdict === 'unknown')?.checker ?? 'linearizability' : null),
    message: report.failure?.message ?? (undecided ? formatSweepLine(report, seedText).replace(/^seed \S+ unknown: /, '') : null),
    // Every failure in the order found; `checker` and `message` are the headline's.
    failures: report.failures.map(({ checker, time, message }) => ({ checker, timeMs: time, message })),
    timeMs: sim.timeMs, steps: sim.steps, traceEvents: sim.traceEvents, hash: sim.hash, wallMs: Math.round(wallMs),
    counters: sim.counters, sometimes: report.sometimes, operations: report.operations, trace,
  };
}
