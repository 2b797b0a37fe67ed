// `npm run check`: exit codes 0/1/3/2 on small files, output on the right stream, one line for
// bad input, and one real run through tsx as `npm run check` does it.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/events.ts';
import { historyFromTrace, serializeHistory } from '../../reports/history.ts';
import { decodeTrace, encodeTrace, TRACE_FORMAT } from '../../reports/trace-file.ts';
import type { TraceHeader } from '../../reports/trace-file.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import type { CheckIo } from './check.ts';
import { main } from './check.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const directory = mkdtempSync(join(tmpdir(), 'raftsim-check-'));

function file(name: string, lines: readonly unknown[]): string {
  const path = join(directory, name);
  writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return path;
}

const header = { format: 'raftsim-history/1', model: 'register', init: null };
const write = (id: number, value: number) => [
  { type: 'call', id, client: id, input: { f: 'write', value } },
  { type: 'return', id, output: {} },
];
const read = (id: number, value: number | null) => [
  { type: 'call', id, client: id, input: { f: 'read' } },
  { type: 'return', id, output: { value } },
];

const good = file('good.jsonl', [header, ...write(1, 1), ...read(2, 1)]);
const stale = file('stale.jsonl', [header, ...write(1, 1), ...read(2, null)]);
// Ten concurrent writes of distinct values, then reads: many orders to search.
const hard = file('hard.jsonl', [
  header,
  ...Array.from({ length: 10 }, (_, id) => ({ type: 'call', id, client: id, input: { f: 'write', value: id } })),
  ...Array.from({ length: 10 }, (_, id) => ({ type: 'return', id, output: {} })),
  ...read(10, 3),
]);

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CheckIo = {
    readFile: (path) => readFileSync(path, 'utf8'),
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
  };
  return { code: main(argv, io), stdout, stderr };
}

describe('check main', () => {
  it('exits 0 for a linearizable history', () => {
    const result = run([good]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^linearizable/);
  });

  it('exits 1 and explains a history that is not linearizable', () => {
    const result = run([stale]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^not linearizable/);
    expect(result.stdout).toContain('write(1) -> ok');
    expect(result.stdout).toMatch(/cannot place: #2 .*read\(\) -> null/);
  });

  it('exits 3 when the budget runs out, and decides with a larger one', () => {
    expect(run([hard, '--budget', '5']).code).toBe(3);
    expect(run([hard, '--budget', '5']).stdout).toMatch(/^unknown/);
    expect(run([hard]).code).toBe(0);
  });

  it('prints JSON with --json', () => {
    const result = run([stale, '--json']);
    const json = JSON.parse(result.stdout) as { verdict: string; explanation: { blocked: { id: number }; prefix: { id: number }[] } };
    expect(json.verdict).toBe('fail');
    expect(json.explanation.blocked.id).toBe(2);
    expect(json.explanation.prefix.map((op) => op.id)).toEqual([1]);
  });

  it('honours --model and --format', () => {
    const kvFile = file('kv.log', ['{:process 0, :type :invoke, :f :put, :key "a", :value "x"}', '{:process 0, :type :ok, :f :put, :key "a", :value "x"}']);
    expect(run([kvFile]).code).toBe(0);
    expect(run([kvFile, '--format', 'porcupine-kv', '--model', 'kv']).code).toBe(0);
    expect(run([kvFile, '--format', 'raftsim']).code).toBe(2);
    expect(run([kvFile, '--model', 'register']).stderr).toMatch(/register model has no "put"/);
  });

  it.each([
    [['/no/such/file.jsonl'], /no such file/],
    [[], /expected a history or trace file/],
    [[good, '--bogus'], /Unknown option/],
    [[good, '--model', 'queue'], /--model must be one of/],
    [[good, '--budget', '-3'], /--budget/],
    [[file('bad.jsonl', [header, '{"type":"call"']), '--model', 'kv'], /line 2: not valid JSON/],
    [[file('new.jsonl', [{ format: 'raftsim-history/9', model: 'kv' }])], /newer/],
  ])('exits 2 with one line for bad input %j', (argv, message) => {
    const result = run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

/** A short swarm run's trace, as `--trace` writes it; `edit` may change its events first. */
function traceFile(name: string, seed: string, edit: (events: TraceEvent[]) => TraceEvent[] = (events) => events): string {
  const spec = specForSeed(seed, { preset: null, override: { durationMs: 5_000 }, bugs: [], record: true });
  const report = runSimulation(spec);
  const events = edit([...(report.sim.events ?? [])]);
  const header: TraceHeader = {
    format: TRACE_FORMAT, raftsim: '0.1.0', seed, scenario: null, options: spec.options, schedule: spec.schedule, bugs: [],
  };
  const path = join(directory, name);
  writeFileSync(path, [...encodeTrace(header, events)].join('\n') + '\n');
  return path;
}

/** The last read that returned a value, made to return one nobody wrote: a violation. */
function staleRead(events: TraceEvent[]): TraceEvent[] {
  const index = events.findLastIndex((event) => event.type === 'return' && event.output.type === 'result' && event.output.result.type === 'value');
  const event = events[index];
  if (event?.type !== 'return') throw new Error('the run has no read');
  events[index] = { ...event, output: { type: 'result', result: { type: 'value', value: 'never written' } } };
  return events;
}

describe('check several files and traces', () => {
  const trace = traceFile('run.trace.jsonl', '42');
  const badTrace = traceFile('bad.trace.jsonl', '42', staleRead);

  it('reads a trace as its clients\' history, with the applied log for the witness', () => {
    const result = run([trace]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^linearizable \(\d+ operations, \d+ keys, model kv, 0 steps, applied-log witness (\d+) of \1 keys\)/);
    const plain = run([trace, '--plain']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(/witness/);
    expect(run([trace, '--format', 'raftsim']).code).toBe(2);
  });

  it('uses the applied log of a history written as --history-out writes it', () => {
    const history = join(directory, 'run.history.jsonl');
    writeFileSync(history, serializeHistory(historyFromTrace(decodeTrace(readFileSync(trace, 'utf8')).events)));
    expect(readFileSync(history, 'utf8').split('\n')[0]).toContain('"appliedLog":true');
    const result = run([history]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(run([trace]).stdout);
  });

  it('explains a trace that is not linearizable: what the witness placed, where the search took over', () => {
    const result = run([badTrace]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/applied-log witness: placed \d+ operations in log order.*then stuck at #\d+/);
    expect(result.stdout).toMatch(/the search took over there, on \d+ operations/);
    expect(result.stdout).toMatch(/cannot place: #\d+ .*get\("k\d+"\) -> "never written"/);
  });

  it('prints a line per file and a total; the exit code is the most telling verdict', () => {
    const result = run([good, trace, hard, '--budget', '5']);
    expect(result.code).toBe(3);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^${good}: linearizable`));
    expect(lines[1]).toMatch(new RegExp(`^${trace}: linearizable`));
    expect(lines[2]).toMatch(new RegExp(`^${hard}: unknown`));
    expect(lines[3]).toBe('total: 3 files: 2 linearizable, 0 not linearizable, 1 unknown, 0 bad input');
    const broken = run([good, '/no/such/file.jsonl', stale]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/\/no\/such\/file.jsonl: bad input: cannot read/);
    expect(broken.stdout).toMatch(/total: 3 files: 1 linearizable, 1 not linearizable, 0 unknown, 1 bad input/);
    expect(run([good, '/no/such/file.jsonl']).code).toBe(2);
    expect(run([good, trace]).code).toBe(0);
  });

  it('prints NDJSON for several files with --json', () => {
    const result = run([good, badTrace, '--json']);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['file'] ?? 'total')).toEqual([good, badTrace, 'total']);
    expect(lines.map((line) => line['verdict'])).toEqual(['pass', 'fail', undefined]);
    expect(lines[1]).toMatchObject({ explanation: { witness: { reason: expect.any(String) as unknown } } });
    expect(lines[2]).toEqual({ total: { files: 2, linearizable: 1, notLinearizable: 1, unknown: 0, badInput: 0 } });
  });
});

describe('check --judge', () => {
  const trace = traceFile('judged.trace.jsonl', '42');
  const badTrace = traceFile('judged-bad.trace.jsonl', '42', staleRead);

  it('prints every checker\'s verdict on a saved trace, as the live run does', () => {
    const passing = run(['--judge', trace]);
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/^.*judged\.trace\.jsonl: seed 42, \d+ events\nchecks\n( {2}[\w-]+ +pass\n){11}verdict pass\n$/);
    const failing = run(['--judge', badTrace]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/ {2}election-safety +pass\n/);
    expect(failing.stdout).toMatch(/ {2}linearizability +FAIL\nviolation: linearizability at [\d.]+ s: key /);
    const missing = run(['--judge', join(directory, 'absent.trace.jsonl')]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('check as a process', () => {
  it('sets the exit code and writes one line to stderr, with no stack trace', async () => {
    const tsx = join(repositoryRoot, 'node_modules/.bin/tsx');
    const runProcess = (argv: string[]) => promisify(execFile)(tsx, ['scenarios/cli/check.ts', ...argv], { cwd: repositoryRoot })
      .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
      .catch((error: { code: number; stdout: string; stderr: string }) => error);
    const failing = await runProcess([stale]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^not linearizable/);
    const missing = await runProcess(['/no/such/file']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trimEnd().split('\n')).toEqual(['check: cannot read /no/such/file: no such file']);
    const help = await runProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run check -- \[--judge\] FILE/);
  });

  it('ends quietly with exit 0 when its stdout closes early', () => {
    const etcd = join(repositoryRoot, 'reports/lin/testdata/porcupine/jepsen');
    // 102 files, one line each: head takes one and closes the pipe.
    const script = `node --import tsx scenarios/cli/check.ts ${etcd}/etcd_0*.log --format porcupine-etcd --model register | head -1; echo "exit \${PIPESTATUS[0]}"`;
    const result = spawnSync('bash', ['-c', script], { cwd: repositoryRoot, encoding: 'utf8' });
    expect(result.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/etcd_000\.log: not linearizable/), 'exit 0']);
    expect(result.stderr).toBe('');
  });
});
