// `npm run sim`: one run (default swarm scenario), a sweep over a seed range, or the replay of a
// saved trace. Summary on stdout (stderr with --json, which prints NDJSON results on stdout).
import { dirname, join } from 'node:path';
import { BUG_IDS, BUG_SUMMARIES } from '../../core/index.ts';
import { historyEventFilter, historyFromTrace, serializeHistory } from '../../reports/history.ts';
import type { RunHooks, RunReport, RunSpec } from '../../reports/run-report.ts';
import { formatSummary } from '../../reports/summary.ts';
import { decodeTrace, TraceFileError } from '../../reports/trace-file.ts';
import { formatOptions } from '../../sim/options.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { parseSeed } from '../../sim/random.ts';
import { checkOutputPath, readTextFile, UsageError, writeLinesAtomic } from '../files.ts';
import { withDeterminismGuard } from '../guard.ts';
import { findScenario, runScenario, SCENARIOS } from '../named/index.ts';
import { runSimulation } from '../run.ts';
import { describeShrink, shrinkable, shrinkFailure } from '../shrink.ts';
import {
  activeImplementation, capabilityOverride, describeImplementation, ImplementationError, implementationMismatch,
  implementationModule, useImplementation,
} from '../impl.ts';
import type { Implementation } from '../impl.ts';
import { conformanceMain } from '../conformance/cli.ts';
import { EXIT, noteOutputFolder, runMain } from './common.ts';
import type { Io } from './common.ts';
import { reproduceFromArgs, reproduceFromHeader } from './reproduce.ts';
import { parseSimArguments, SIM_USAGE } from './sim-args.ts';
import { runInWorker } from './thread.ts';
import { sweep } from './sweep.ts';
import { searchSweep } from './search.ts';
import { merge } from '../sweep/merge.ts';
import { TraceStreamWriter } from '../sweep/trace-stream.ts';
import {
  exitCodeOf, headerOf, implementationHooks, outputFor, printReproduce, resultJson, RUNS_DIR, RAFTSIM_VERSION, saveFailure,
  savedTracePath, shrinkOptions, specFor, timed, useReference, writeTrace,
} from './runs.ts';
import type { Output, Progress } from './runs.ts';
import type { SimArguments } from './sim-args.ts';

/**
 * The real command: a single run, a replay and a named scenario run in a worker thread, so that
 * Ctrl-C (SIGINT) and SIGTERM stop them at once, remove temporary files and print where the run
 * was (a run in this thread would hold the signal until it ends); so does a search (--search). A
 * sweep runs here, its seeds on worker threads of its own (sweep/sweep.ts). Everything else runs here.
 */
export async function entry(argv: readonly string[], io: Io): Promise<number> {
  // `--suite conformance`: the lab-style conformance suite, with its own flags (scenarios/conformance/cli.ts).
  if (argv.includes('--suite')) return conformanceMain(argv, { out: io.stdout, err: io.stderr, env: io.env });
  if (argv[0] === 'merge') return main(argv, io);
  let args: SimArguments;
  try {
    args = parseSimArguments(argv);
  } catch {
    return main(argv, io);
  }
  // A sweep runs its seeds on worker threads of its own; a search (--search) is one loop, run there.
  if (args.help || args.listBugs || args.list || (args.seeds !== null && !args.search)) return main(argv, io);
  return runInWorker(argv, io, {
    json: args.json, seed: args.replay === null && !args.search ? args.seedText : null, search: args.search,
    folders: [RUNS_DIR, ...[args.trace, args.historyOut].filter((path) => path !== null).map((path) => dirname(path))],
  });
}

/** Every output path is checked before a run starts: a bad one is exit 2 with one line. */
function checkOutputs(args: SimArguments): void {
  if (args.trace !== null) checkOutputPath(args.trace, '--trace');
  if (args.historyOut !== null) checkOutputPath(args.historyOut, '--history-out');
  if (args.trace !== null && args.trace === args.historyOut) throw new UsageError('--trace and --history-out name the same file');
  if (args.replay === null) checkOutputPath(join(RUNS_DIR, 'failing.trace.jsonl'), 'the folder for failing traces,');
  for (const path of [RUNS_DIR, args.trace, args.historyOut]) if (path !== null) noteOutputFolder(path === RUNS_DIR ? path : dirname(path));
}

export async function main(argv: readonly string[], io: Io, progress?: Progress): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1), io);
  const args = parseSimArguments(argv);
  if (args.help) {
    io.stdout(SIM_USAGE);
    return EXIT.pass;
  }
  if (args.listBugs) {
    for (const id of BUG_IDS) io.stdout(`${id.padEnd(38)} ${BUG_SUMMARIES[id]}`);
    return EXIT.pass;
  }
  if (args.list) {
    for (const scenario of SCENARIOS) io.stdout(`${scenario.name.padEnd(18)} ${scenario.purpose}`);
    return EXIT.pass;
  }
  checkOutputs(args);
  const out = outputFor(io, args.json, progress);
  if (args.replay !== null) return replay(args.replay, args, out);
  await selectImplementation(implementationModule(args.impl), args);
  await useReference(args.reference);
  if (args.scenario !== null) return namedScenario(args.scenario, args, out);
  if (args.seeds !== null) return args.search ? searchSweep(args, out) : sweep(args, out);
  return single(args, out);
}

/**
 * Loads the implementation under test for this thread (`--impl`, package.json's raftsim.impl, or
 * the built-in core) and refuses what only the built-in core can do. A bad module is exit 2.
 */
async function selectImplementation(module: string | null, args: SimArguments): Promise<Implementation> {
  let impl: Implementation;
  try {
    impl = await useImplementation(module);
  } catch (error) {
    if (error instanceof ImplementationError) throw new UsageError(error.message);
    throw error;
  }
  if (impl.factory === undefined) return impl;
  if (args.bugs.length > 0 && args.replay === null) {
    throw new UsageError('--bug switches on mutation points of the built-in core; plant a bug in your own module instead');
  }
  if (args.scenario !== null) {
    throw new UsageError(`--scenario scripts the built-in core; for ${impl.info.name} run npm run sim -- --suite conformance --impl ${impl.info.module}`);
  }
  return impl;
}

/** The banner's lines about the implementation: which one runs, and what it did not declare. */
function implementationLines(): string[] {
  const impl = activeImplementation();
  if (impl.factory === undefined) return [];
  const { leftOut } = capabilityOverride(impl.capabilities);
  return [
    `  impl     ${describeImplementation(impl.info)}`,
    ...(leftOut.length === 0 ? [] : [`  left out ${leftOut.join(', ')} (not declared by ${impl.info.name}: never drawn)`]),
  ];
}


/** `--scenario NAME`: its purpose, its own checks, the summary; a failing run saves its trace. */
function namedScenario(name: string, args: SimArguments, out: Output): number {
  const scenario = findScenario(name);
  if (scenario === null) throw new UsageError(`unknown scenario "${name}"`);
  out.human(out.paint.bold(`raftsim ${RAFTSIM_VERSION}  scenario ${name}  seed ${args.seedText}${args.bugs.length > 0 ? `  bugs ${args.bugs.join(',')}` : ''}`));
  out.human(`purpose: ${scenario.purpose}`);
  const started = process.hrtime.bigint();
  const report = withDeterminismGuard(() => runScenario(scenario, parseSeed(args.seedText), args.bugs));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  out.human(out.paint.bold('scenario checks'));
  for (const check of report.checks) {
    const mark = check.ok ? out.paint.ok('ok    ') : out.paint.bad('FAILED');
    out.human(`  ${mark} ${check.what}${check.detail === '' ? '' : ` (${check.detail})`}`);
  }
  for (const line of formatSummary(report, { wallMs }, out.paint)) out.human(line);
  const header = headerOf(args.seedText, report.spec);
  if (args.trace !== null) writeTrace(args.trace, header, report);
  let saved: string | null = null;
  if (report.verdict === 'fail') {
    saved = args.trace ?? savedTracePath(args.seedText, header, report.failure?.checker ?? 'unknown', `${name}-`);
    if (args.trace === null) writeTrace(saved, header, report);
    printReproduce(out, saved, '', reproduceFromArgs(args.seedText, args));
  }
  if (args.json) out.io.stdout(JSON.stringify({ ...resultJson(args.seedText, report, saved, wallMs), reproduce: reproduceFromArgs(args.seedText, args) }));
  return exitCodeOf(report);
}


function single(args: SimArguments, out: Output): number {
  // With --trace the trace streams to its file as the run goes: a long run keeps no events in memory.
  const base = specFor(args.seedText, args, args.trace === null);
  const header = headerOf(args.seedText, base);
  const implementation = implementationHooks();
  const writer = args.trace === null ? null : new TraceStreamWriter(args.trace, header);
  const clientEvents: TraceEvent[] = [];
  const keepForHistory = historyEventFilter();
  const progress = out.progress;
  let seen = 0;
  const streamed = writer !== null || progress !== undefined;
  const spec: RunSpec = streamed ? { ...base, hash: true } : base;
  // The sink goes with this run only: shrinking and the saved shrunk trace re-run without it.
  const hooks: RunHooks = !streamed ? implementation : {
    ...implementation, sink: (event, line) => {
      if (writer !== null) {
        writer.write(event, line);
        if (args.historyOut !== null && keepForHistory(event)) clientEvents.push(event);
      }
      if (progress !== undefined && (++seen & 0x3fff) === 0) progress('run', seen, event.time);
    },
  };
  out.human(out.paint.bold(`raftsim ${RAFTSIM_VERSION}  seed ${args.seedText}${args.bugs.length > 0 ? `  bugs ${args.bugs.join(',')}` : ''}`));
  out.human(out.paint.bold(args.preset === null ? 'options (swarm mode, drawn from the seed)' : `options (preset ${args.preset})`));
  for (const line of formatOptions(spec.options)) out.human(`  ${line}`);
  for (const line of implementationLines()) out.human(line);
  let ran;
  try {
    ran = timed(spec, hooks);
  } catch (error) {
    writer?.abort();
    throw error;
  }
  writer?.finish();
  const { report, wallMs } = ran;
  for (const line of formatSummary(report, { wallMs }, out.paint)) out.human(line);
  if (args.historyOut !== null) writeLinesAtomic(args.historyOut, [serializeHistory(historyFromTrace(report.sim.events ?? clientEvents)).trimEnd()], 'history');
  const saved = report.verdict === 'fail' ? saveFailure(args.seedText, header, report, args.trace) : null;
  const reproduce = reproduceFromArgs(args.seedText, args);
  let shrunk: { readonly mode: string; readonly trace: string } | null = null;
  if (saved !== null) {
    printReproduce(out, saved, '', reproduce);
    // A run stopped at a budget (a runaway) is not shrunk: every re-run would run away as long.
    if (shrinkable(report)) {
      progress?.('shrink', report.sim.traceEvents, report.sim.timeMs);
      shrunk = saveShrunk(args.seedText, report, out);
    }
  }
  if (args.json) out.io.stdout(JSON.stringify({ ...resultJson(args.seedText, report, saved, wallMs), reproduce, ...(shrunk === null ? {} : { shrunk }) }));
  return exitCodeOf(report);
}

/** Shrinks a failing run's fault schedule, prints its size before and after, saves the shrunk trace. */
function saveShrunk(seedText: string, report: RunReport, out: Output, indent = ''): { mode: string; trace: string } {
  const shrunk = shrinkFailure(report, shrinkOptions());
  out.io.stderr(`${indent}${describeShrink(shrunk)}`);
  const rerun = withDeterminismGuard(() => runSimulation({ ...shrunk.spec, record: true, hash: true }, implementationHooks()));
  const header = headerOf(seedText, shrunk.spec);
  const path = savedTracePath(seedText, header, rerun.failure?.checker ?? 'unknown', '', '.shrunk');
  writeTrace(path, header, rerun);
  printReproduce(out, path, indent, reproduceFromHeader(header, path));
  return { mode: shrunk.mode, trace: path };
}

async function replay(file: string, args: SimArguments, out: Output): Promise<number> {
  let trace;
  try {
    trace = decodeTrace(readTextFile(file, 'trace file'), file);
  } catch (error) {
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
  const h = trace.header;
  // The trace names its implementation; --impl may point at the same file elsewhere.
  const impl = await selectImplementation(args.impl !== null ? implementationModule(args.impl) : h.impl?.module ?? null, args);
  const mismatch = implementationMismatch(h.impl, impl);
  if (mismatch !== null) throw new UsageError(mismatch);
  const spec: RunSpec = {
    seed: parseSeed(h.seed), options: h.options, schedule: h.schedule, bugs: h.bugs, scenario: h.scenario, record: true,
  };
  out.human(`replaying ${file}: seed ${h.seed}, ${trace.events.length} events, hash ${trace.footer.hash}`);
  const { report, wallMs } = timed(spec, implementationHooks());
  for (const line of formatSummary(report, { wallMs }, out.paint)) out.human(line);
  const events = report.sim.events ?? [];
  const diverged = firstDivergence(trace.events, events);
  if (diverged !== null) {
    out.io.stderr(`replay diverged at event ${diverged}: the trace has ${describeAt(trace.events, diverged)}, the re-run has ${describeAt(events, diverged)}`);
    return EXIT.diverged;
  }
  out.human(out.paint.ok(`replay matches the trace: ${events.length} events, hash ${report.sim.hash ?? ''}`));
  if (args.json) out.io.stdout(JSON.stringify(resultJson(h.seed, report, null, wallMs)));
  return exitCodeOf(report);
}

function firstDivergence(expected: readonly object[], actual: readonly object[]): number | null {
  const length = Math.max(expected.length, actual.length);
  for (let index = 0; index < length; index++) {
    const a = expected[index];
    const b = actual[index];
    if (a === undefined || b === undefined || JSON.stringify(a) !== JSON.stringify(b)) return index;
  }
  return null;
}

function describeAt(events: readonly object[], index: number): string {
  const event = events[index];
  return event === undefined ? 'no event (it ends earlier)' : JSON.stringify(event).slice(0, 200);
}


runMain(import.meta.url, entry, { signals: true });
