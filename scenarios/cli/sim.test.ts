// `npm run sim`: bad input is one line and exit 2; a run prints its options, summary and hash;
// traces and histories are written and replay bit for bit; broken trace files are refused.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRaftsimHistory } from '../../reports/history.ts';
import { decodeTrace } from '../../reports/trace-file.ts';
import { main } from './sim.ts';
import { runCli } from './test-io.ts';
import type { CliResult } from './test-io.ts';

const run = (argv: string[]): Promise<CliResult> => runCli(main, argv);

const temp = mkdtempSync(join(tmpdir(), 'raftsim-cli-'));
const short = ['--time', '10s'];

describe('npm run sim: bad input', () => {
  it.each([
    [['--seed', 'banana']],
    [['--seed', '0xZZ']],
    [['--nodes', '0']],
    [['--nodes', 'three']],
    [['--clients', '-1']],
    [['--time', '90']],
    [['--time', '5 minutes']],
    [['--seeds', '10..1']],
    [['--seeds', '1-10']],
    [['--bug', 'no-such-bug']],
    [['--preset', 'nope']],
    [['--frobnicate']],
    [['--seed']],
    [['--seed', '1', '--seeds', '1..2']],
    [['--replay', join(temp, 'missing.trace.jsonl')]],
  ])('%j exits 2 with one line', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^raftsim: /);
    expect(result.err[0]).not.toMatch(/\n| {4}at /);
  });

  it('names the valid ids for an unknown bug', async () => {
    const result = await run(['--bug', 'nope']);
    expect(result.err[0]).toContain('--list-bugs');
  });
});

describe('npm run sim: a run', () => {
  it('prints options, the summary, verdicts and the trace hash, and exits 0', async () => {
    const result = await run(['--seed', '7', ...short]);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text).toMatch(/options \(swarm mode/);
    expect(text).toMatch(/nodes=\d/);
    expect(text).toMatch(/messages +\d+ sent/);
    expect(text).toMatch(/linearizability +pass/);
    expect(text).toMatch(/trace hash [0-9a-f]{16}/);
  });

  it('writes a trace that replays to the same hash, and a history that parses', async () => {
    const trace = join(temp, 'seven.trace.jsonl');
    const history = join(temp, 'seven.history.jsonl');
    const first = await run(['--seed', '7', ...short, '--trace', trace, '--history-out', history]);
    expect(first.code).toBe(0);
    const decoded = decodeTrace(readFileSync(trace, 'utf8'));
    expect(decoded.header.seed).toBe('7');
    expect(first.out.join('\n')).toContain(`trace hash ${decoded.footer.hash}`);
    const parsed = parseRaftsimHistory(readFileSync(history, 'utf8'));
    expect(parsed.operations.length).toBeGreaterThan(0);
    const replay = await run(['--replay', trace]);
    expect(replay.code).toBe(0);
    expect(replay.out.join('\n')).toContain('replay matches the trace');
  });

  it('reports the first diverging event when a trace does not replay', async () => {
    const trace = join(temp, 'diverge.trace.jsonl');
    await run(['--seed', '8', ...short, '--trace', trace]);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0] as string) as { seed: string };
    header.seed = '9'; // same file, other seed: the events no longer match
    writeFileSync(trace, [JSON.stringify(header), ...lines.slice(1)].join('\n') + '\n');
    const result = await run(['--replay', trace]);
    expect(result.code).toBe(5);
    expect(result.err.join('\n')).toMatch(/replay diverged at event \d+/);
  });

  it('refuses truncated, corrupted, older- and newer-format traces with exit 2', async () => {
    const trace = join(temp, 'good.trace.jsonl');
    await run(['--seed', '3', ...short, '--trace', trace]);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    const variants: [string, string[], RegExp][] = [
      ['truncated', lines.slice(0, lines.length - 5), /truncated/],
      ['corrupted', [...lines.slice(0, 10), lines[10]!.replace(/"time":\d+/, '"time":999999999'), ...lines.slice(11)], /corrupted/],
      ['garbage', [...lines.slice(0, 10), '{not json', ...lines.slice(11)], /not valid JSON/],
      ['newer', [lines[0]!.replace('raftsim-trace/2', 'raftsim-trace/3'), ...lines.slice(1)], /newer/],
      ['older', [lines[0]!.replace('raftsim-trace/2', 'raftsim-trace/1'), ...lines.slice(1)], /raftsim-trace\/1 is older than this raftsim reads \(raftsim-trace\/2\)/],
      ['other', ['{"hello":"world"}'], /not a raftsim trace/],
    ];
    for (const [name, content, message] of variants) {
      const path = join(temp, `${name}.trace.jsonl`);
      writeFileSync(path, content.join('\n') + '\n');
      const result = await run(['--replay', path]);
      expect(result.code, name).toBe(2);
      expect(result.err, name).toHaveLength(1);
      expect(result.err[0], name).toMatch(message);
    }
  });

  it('runs a sweep with a total and NDJSON results', async () => {
    const result = await run(['--seeds', '1..3', ...short, '--json']);
    expect(result.code).toBe(0);
    const lines = result.out.map((line) => JSON.parse(line) as { seed: string; verdict: string });
    expect(lines.map((line) => line.seed)).toEqual(['1', '2', '3']);
    expect(result.err.join('\n')).toMatch(/3 seeds in .*3 passed, 0 failed/);
  });

  it('runs an explicit fault schedule from a file, and refuses a bad one with exit 2', async () => {
    const schedule = join(temp, 'schedule.json');
    writeFileSync(schedule, JSON.stringify([
      { at: 2000, type: 'crash', node: 1, torn: false }, { at: 4000, type: 'restart', node: 1 },
    ]));
    const trace = join(temp, 'scheduled.trace.jsonl');
    const result = await run(['--seed', '4', '--preset', 'calm', ...short, '--schedule', schedule, '--trace', trace]);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toMatch(/crash 1, restart 1 \(schedule of 2 events\)/);
    expect(decodeTrace(readFileSync(trace, 'utf8')).header.schedule).toHaveLength(2);
    writeFileSync(schedule, JSON.stringify([{ at: 2000, type: 'crash', node: 99, torn: false }]));
    const bad = await run(['--seed', '4', '--preset', 'calm', ...short, '--schedule', schedule]);
    expect(bad.code).toBe(2);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/schedule file .*node/);
  });

  it('streams a failing run to --trace and shrinks it without writing to the finished trace', async () => {
    const trace = join(temp, 'failing.trace.jsonl');
    const result = await run(['--seed', '1', '--bug', 'client-retry-no-dedup', '--time', '20s', '--trace', trace]);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/shrunk \(linearizability\): \d+ -> \d+ fault events/);
    const decoded = decodeTrace(readFileSync(trace, 'utf8'));
    expect(decoded.events.at(-1)).toMatchObject({ type: 'violation', checker: 'linearizability' });
    expect(result.out.join('\n')).toContain(`trace hash ${decoded.footer.hash}`);
  });

  it('lists the bugs, one line each', async () => {
    const result = await run(['--list-bugs']);
    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(20);
    expect(result.out[0]).toMatch(/^vote-skip-uptodate-check +\S/);
  });
});

describe('npm run sim: the real command', () => {
  it('exits 2 with one line and no stack trace for a bad flag', () => {
    const child = spawnSync('npx', ['tsx', 'scenarios/cli/sim.ts', '--nodes', 'x'], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    const lines = child.stderr.split('\n').filter((line) => line.startsWith('raftsim'));
    expect(lines).toEqual(['raftsim: --nodes must be an integer, got "x"']);
    expect(child.stderr).not.toMatch(/ {4}at /);
  });

  it('runs seed 42 and prints a verdict', () => {
    const stdout = execFileSync('npx', ['tsx', 'scenarios/cli/sim.ts', '--seed', '42', '--time', '10s'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/verdict pass/);
  });
});
