// Every reproduce line (the CLI's, a run's JSON, the HTML report's) carries every option that
// differs from the defaults: the reproduce lines of 21 failing traces (mutants with various flags)
// run again give back their trace hashes, and the line inferred from a trace header is the line
// the command line printed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportData } from '../../reports/html/model.ts';
import { decodeTrace, encodeTrace } from '../../reports/trace-file.ts';
import { runSimulation } from '../run.ts';
import { main as reportMain } from './report.ts';
import { formatDuration, reproduceFromArgs, reproduceFromHeader, shellWord, shellWords } from './reproduce.ts';
import { parseSimArguments } from './sim-args.ts';
import { headerOf, specFor } from './runs.ts';
import { runCli } from './test-io.ts';

const temp = mkdtempSync(join(tmpdir(), 'raftsim-reproduce-'));

// Failing mutant seeds, each in well under a second of wall time, with presets, cluster sizes,
// client counts and safety phases that differ from the defaults.
const FAILING: readonly string[][] = [
  ['--seed', '5', '--bug', 'vote-not-persisted', '--time', '1s'],
  ['--seed', '2', '--bug', 'vote-not-persisted', '--time', '2s', '--nodes', '5'],
  ['--seed', '2', '--bug', 'vote-not-persisted', '--time', '2s', '--clients', '6'],
  ['--seed', '2', '--bug', 'vote-not-persisted', '--time', '1500ms', '--nodes', '3', '--clients', '2'],
  ['--seed', '52', '--bug', 'no-prevote-no-checkquorum', '--time', '2s', '--nodes', '5'],
  ['--seed', '4', '--bug', 'no-prevote-no-checkquorum', '--preset', 'chaos', '--time', '1s'],
  ['--seed', '8', '--bug', 'ae-truncate-without-conflict', '--time', '1s'],
  ['--seed', '2', '--bug', 'ae-append-nonidempotent', '--time', '1s'],
  ['--seed', '2', '--bug', 'ae-append-nonidempotent', '--time', '2s', '--nodes', '5'],
  ['--seed', '2', '--bug', 'ae-append-nonidempotent', '--time', '2s', '--clients', '6'],
  ['--seed', '1', '--bug', 'ae-append-nonidempotent', '--time', '1s', '--preset', 'chaos', '--nodes', '5'],
  ['--seed', '3', '--bug', 'ae-append-nonidempotent', '--time', '1s', '--preset', 'crashes'],
  ['--seed', '4', '--bug', 'matchindex-from-leader-state', '--time', '1s'],
  ['--seed', '3', '--bug', 'matchindex-from-leader-state', '--time', '2s', '--nodes', '5'],
  ['--seed', '2', '--bug', 'commitindex-regress', '--time', '1s'],
  ['--seed', '1', '--bug', 'commitindex-regress', '--time', '1s', '--preset', 'chaos', '--nodes', '5'],
  ['--seed', '3', '--bug', 'commitindex-regress', '--time', '1500ms', '--nodes', '3', '--clients', '2'],
  ['--seed', '3', '--bug', 'commitindex-regress', '--time', '1s', '--preset', 'crashes'],
  ['--seed', '2', '--bug', 'ae-append-nonidempotent', '--time', '1500ms', '--nodes', '3', '--clients', '2'],
  ['--seed', '2', '--bug', 'ack-before-durable', '--time', '1500ms', '--clients', '3'],
  ['--seed', '2', '--bug', 'ack-before-durable', '--time', '2s', '--clients', '6'],
];

/** Runs a reproduce line as `npm run sim` would: its words after `npm run sim --`. */
function runLine(line: string): { hash: string | null; verdict: string } {
  const words = shellWords(line);
  expect(words.slice(0, 4)).toEqual(['npm', 'run', 'sim', '--']);
  const args = parseSimArguments(words.slice(4));
  const report = runSimulation(specFor(args.seedText, args, true));
  return { hash: report.sim.hash, verdict: report.verdict };
}

describe('reproduce lines', () => {
  it(`give back the trace hash of ${FAILING.length} failing traces (CLI, JSON and HTML lines alike)`, () => {
    for (const [index, argv] of FAILING.entries()) {
      const args = parseSimArguments(argv);
      const spec = specFor(args.seedText, args, true);
      const report = runSimulation(spec);
      expect(report.verdict, argv.join(' ')).toBe('fail');
      const header = headerOf(args.seedText, spec);
      const path = join(temp, `failing-${index}.trace.jsonl`);
      writeFileSync(path, [...encodeTrace(header, report.sim.events ?? [])].join('\n') + '\n');
      const trace = decodeTrace(readFileSync(path, 'utf8'), path);
      const fromArgs = reproduceFromArgs(args.seedText, args);
      const fromHeader = reproduceFromHeader(trace.header, path);
      // The same flags, but for one the preset already sets (chaos has 5 nodes): the header cannot tell.
      if (!(args.preset === 'chaos' && args.nodes === 5)) expect(fromHeader, argv.join(' ')).toBe(fromArgs);
      for (const line of [fromArgs, fromHeader ?? '']) expect(line).toContain(`--time ${formatDuration(args.durationMs ?? 0)}`);
      const html = buildReportData(trace, { source: path, reproduce: fromHeader ?? '' }).commands;
      expect(html).toContain(`${fromHeader}   (the same run from scratch)`);
      for (const line of new Set([fromArgs, fromHeader ?? ''])) expect(runLine(line), line).toEqual({ hash: trace.footer.hash, verdict: 'fail' });
    }
  });

  it('name an explicit or shrunk schedule by the trace that holds it, and negative seeds as they are', () => {
    const schedulePath = join(temp, 'schedule.json');
    writeFileSync(schedulePath, JSON.stringify([{ at: 300, type: 'crash', node: 2, torn: false }, { at: 700, type: 'restart', node: 2 }]));
    const args = parseSimArguments(['--seed', '-7', '--preset', 'calm', '--time', '1s', '--schedule', schedulePath]);
    expect(reproduceFromArgs('-7', args)).toBe(`npm run sim -- --seed -7 --preset calm --time 1s --schedule ${schedulePath}`);
    const spec = specFor('-7', args, true);
    const report = runSimulation(spec);
    const path = join(temp, 'scheduled.trace.jsonl');
    writeFileSync(path, [...encodeTrace(headerOf('-7', spec), report.sim.events ?? [])].join('\n') + '\n');
    const line = reproduceFromHeader(decodeTrace(readFileSync(path, 'utf8')).header, path);
    expect(line).toBe(`npm run sim -- --seed -7 --preset calm --time 1s --schedule ${path}`);
    expect(runLine(line ?? '').hash).toBe(report.sim.hash);
  });

  it('the HTML report carries the line with --time (it was left out)', async () => {
    const argv = FAILING[1] as string[];
    const path = join(temp, 'failing-1.trace.jsonl');
    const out = join(temp, 'failing-1.html');
    expect((await runCli(reportMain, [path, '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(reproduceFromArgs('2', parseSimArguments(argv)));
    expect(readFileSync(out, 'utf8')).toContain('--seed 2 --nodes 5 --time 2s --bug vote-not-persisted');
  });

  it('quote what a shell would split, and split it back', () => {
    expect(shellWord("a b'c")).toBe(`'a b'\\''c'`);
    expect(shellWords(`npm run sim -- --schedule 'a b'\\''c' --seed 1`)).toEqual(['npm', 'run', 'sim', '--', '--schedule', "a b'c", '--seed', '1']);
    expect([500, 1500, 8000, 120_000, 3_600_000].map(formatDuration)).toEqual(['500ms', '1500ms', '8s', '2m', '1h']);
  });
});
