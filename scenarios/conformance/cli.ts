// The conformance suite from the command line: `npm run sim -- --suite conformance [flags]` (or
// `npm run conformance -- [flags]`, which is this file). One line per test; exit 0 when every test
// passed on every seed it ran (or was skipped), 1 when one failed, 2 on bad usage.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBugId } from '../../core/index.ts';
import type { BugId } from '../../core/index.ts';
import { headerOf, RUNS_DIR, savedTracePath, writeTrace } from '../cli/runs.ts';
import { UsageError as FileError, checkOutputPath } from '../files.ts';
import { ImplementationError, describeImplementation, implementationModule, implementationRecord, loadImplementation } from '../impl.ts';
import type { Implementation } from '../impl.ts';
import type { ScenarioReport } from '../vocabulary.ts';
import { CONFORMANCE_TESTS } from './index.ts';
import { runSeeds, seedsFor } from './suite.ts';
import type { ConformanceTest, TestResult } from './suite.ts';

export const CONFORMANCE_USAGE = `usage: npm run sim -- --suite conformance [--impl MODULE] [--test NAME]... [--seeds N | A..B] [--bug ID]... [--no-checkers] [--json]
  --test NAME     run only these tests (repeatable; --list names them)
  --seeds N       seeds 1..N per test (default: each test's CI count; RAFTSIM_NIGHTLY=1 runs 10)
  --bug ID        switch on a mutation point of the built-in core (repeatable)
  --no-checkers   the checkers off: only each test's own checks decide
  --list          the tests, what each needs, and their purposes
  a test's first failing seed saves its trace in reports/runs/ (npm run replay -- FILE, npm run report -- FILE)`;

export interface ConformanceIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface Parsed {
  readonly impl: string | null;
  readonly tests: readonly ConformanceTest[];
  readonly seeds: { readonly from: number; readonly to: number } | null;
  readonly bugs: readonly BugId[];
  readonly checkers: boolean;
  readonly json: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): Parsed {
  let impl: string | null = null;
  const names: string[] = [];
  let seeds: Parsed['seeds'] = null;
  const bugs: BugId[] = [];
  let checkers = true;
  let json = false;
  let list = false;
  let help = false;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] as string;
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--suite': if (value() !== 'conformance') throw new UsageError('--suite: the only suite is conformance'); break;
      case '--impl': impl = value(); break;
      case '--test': names.push(value()); break;
      case '--seeds': seeds = parseSeeds(value()); break;
      case '--bug': {
        const bug = value();
        if (!isBugId(bug)) throw new UsageError(`--bug ${bug}: unknown (npm run sim -- --list-bugs)`);
        bugs.push(bug);
        break;
      }
      case '--no-checkers': checkers = false; break;
      case '--json': json = true; break;
      case '--list': list = true; break;
      case '--help': case '-h': help = true; break;
      default: throw new UsageError(`unknown flag ${flag}`);
    }
  }
  const tests = names.length === 0 ? CONFORMANCE_TESTS : names.map((name) => {
    const test = CONFORMANCE_TESTS.find((candidate) => candidate.name === name);
    if (test === undefined) throw new UsageError(`--test ${name}: unknown; one of ${CONFORMANCE_TESTS.map((t) => t.name).join(', ')}`);
    return test;
  });
  return { impl, tests, seeds, bugs, checkers, json, list, help };
}

function parseSeeds(text: string): { from: number; to: number } {
  const range = /^(\d+)\.\.(\d+)$/.exec(text);
  const from = range === null ? 1 : Number(range[1]);
  const to = range === null ? Number(text) : Number(range[2]);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from || to > 100_000) {
    throw new UsageError(`--seeds ${text}: give N (1..N) or A..B with 1 <= A <= B`);
  }
  return { from, to };
}

/** Runs the suite as the command line asks; returns the exit code. */
export async function conformanceMain(argv: readonly string[], io: ConformanceIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`conformance: ${error.message}`);
    io.err(CONFORMANCE_USAGE);
    return 2;
  }
  if (parsed.help) {
    io.out(CONFORMANCE_USAGE);
    return 0;
  }
  if (parsed.list) {
    for (const test of parsed.tests) {
      io.out(`${test.name.padEnd(28)} ${String(test.nodes)} nodes  needs ${test.needs.length === 0 ? '-' : test.needs.join(', ')}  ${test.purpose}`);
    }
    return 0;
  }
  let implementation;
  try {
    implementation = await loadImplementation(implementationModule(parsed.impl));
  } catch (error) {
    if (!(error instanceof ImplementationError)) throw error;
    io.err(`conformance: ${error.message}`);
    return 2;
  }
  io.err(`conformance suite: ${parsed.tests.length} tests against ${describeImplementation(implementation.info)}`
    + `${parsed.bugs.length === 0 ? '' : `, bugs ${parsed.bugs.join(' ')}`}${parsed.checkers ? '' : ', checkers off'}`);
  try {
    checkOutputPath(join(RUNS_DIR, 'failing.trace.jsonl'), 'the folder for failing traces,');
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    io.err(`conformance: ${error.message}`);
    return 2;
  }
  let failed = 0;
  let skipped = 0;
  for (const test of parsed.tests) {
    // Between tests the event loop turns: Ctrl-C (SIGINT) and SIGTERM end the suite there, with
    // the usual exit codes, instead of after its last test.
    await new Promise((resolve) => setImmediate(resolve));
    const seeds = parsed.seeds ?? { from: 1, to: seedsFor(test, io.env) };
    let trace: string | null = null;
    const save = (result: TestResult, report: ScenarioReport): void => {
      if (trace === null) trace = saveTestTrace(test, result, report, implementation);
    };
    const summary = runSeeds(test, seeds, { implementation, bugs: parsed.bugs, checkers: parsed.checkers }, save);
    if (!summary.ok) failed++;
    else if (summary.results.every((result) => result.verdict === 'skipped')) skipped++;
    if (parsed.json) io.out(JSON.stringify({ test: test.name, ok: summary.ok, trace, results: summary.results }));
    else io.out(summary.line);
    if (trace !== null) io.err(`  trace of the first failing seed saved to ${trace}; view it with npm run replay -- ${trace} or npm run report -- ${trace}`);
  }
  io.err(`${parsed.tests.length - failed - skipped} of ${parsed.tests.length} tests passed${skipped === 0 ? '' : `, ${skipped} skipped`}`
    + `${failed === 0 ? '' : `, ${failed} failed`}`);
  return failed === 0 ? 0 : 1;
}

/** Saves a failing seed's trace: reports/runs/conformance-TEST-seed-S[-BUGS]-CHECKER-DIGEST.trace.jsonl. */
function saveTestTrace(test: ConformanceTest, result: TestResult, report: ScenarioReport, implementation: Implementation): string {
  const impl = implementationRecord(implementation);
  const header = { ...headerOf(String(result.seed), report.spec), ...(impl === null ? {} : { impl }) };
  const path = savedTracePath(String(result.seed), header, result.checker ?? 'scenario', `conformance-${test.name}-`);
  writeTrace(path, header, report);
  return path;
}

function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const code = await conformanceMain(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  });
  process.exitCode = code;
}
