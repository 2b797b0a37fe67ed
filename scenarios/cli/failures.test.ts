// Issue 17, "every failure ends as a verdict or one clear line", in-process: output paths are
// checked before a run, temporary files never stay behind, saved traces are named by a digest of
// their spec, JSON names the checker of an unknown verdict, --replay refuses flags it would ignore,
// merge refuses gaps, repeats and empty input, negative values reach their range checks, bench
// has --help. The real processes (pipes, signals, a full disk) are in edge-inputs.test.ts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import { AtomicFile, checkOutputPath, UsageError, writeLinesAtomic } from '../files.ts';
import { main as benchMain } from './bench.ts';
import { main as reportMain } from './report.ts';
import { parseSimArguments } from './sim-args.ts';
import { main } from './sim.ts';
import { headerOf, resultJson, savedTracePath } from './runs.ts';
import { runCli } from './test-io.ts';
import type { CliResult } from './test-io.ts';

const run = (argv: string[]): Promise<CliResult> => runCli(main, argv);
const temp = mkdtempSync(join(tmpdir(), 'raftsim-failures-'));

function expectOneLine(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.err.join('\n')).toBe(code);
  expect(result.err).toHaveLength(1);
  expect(result.err[0]).toMatch(pattern);
  expect(result.err[0]).not.toMatch(/ {4}at |internal error/);
}

const temporaries = (folder: string): string[] => readdirSync(folder).filter((name) => /raftsim-\d+-\d+\.tmp$|\.\d+\.tmp$/.test(name));

describe('output paths are checked before the run starts', () => {
  it.each([
    [['--history-out', '/proc/h.jsonl'], /--history-out \/proc\/h\.jsonl: cannot write there: no such file or directory \(ENOENT\)/],
    [['--trace', '/proc/x/t.trace.jsonl'], /--trace \/proc\/x\/t\.trace\.jsonl: cannot make its folder/],
    [['--trace', tmpdir()], /--trace .*: is a directory, not a file/],
    [['--history-out', '/dev/null'], /--history-out \/dev\/null: not a regular file/],
    [['--trace', join(temp, 'same.jsonl'), '--history-out', join(temp, 'same.jsonl')], /name the same file/],
  ])('%j: exit 2, one line, nothing run', async (flags, pattern) => {
    const result = await run(['--seed', '3', '--time', '1s', ...flags]);
    expectOneLine(result, 2, pattern);
    expect(result.out).toEqual([]);
  });

  it('report --out: a folder or an unwritable place is exit 2 with one line', async () => {
    const trace = join(temp, 'for-report.trace.jsonl');
    expect((await run(['--seed', '3', '--time', '1s', '--trace', trace])).code).toBe(0);
    expectOneLine(await runCli(reportMain, [trace, '--out', tmpdir()]), 2, /--out .*: is a directory/);
    expectOneLine(await runCli(reportMain, [trace, '--out', '/proc/r.html']), 2, /--out \/proc\/r\.html: cannot write there/);
    expectOneLine(await runCli(reportMain, [trace, '--out', trace]), 2, /would overwrite the trace/);
  });

  it('checkOutputPath makes a missing folder and leaves nothing in it', () => {
    const path = join(temp, 'new', 'deeper', 'run.trace.jsonl');
    checkOutputPath(path, '--trace');
    expect(readdirSync(join(temp, 'new', 'deeper'))).toEqual([]);
  });
});

describe('temporary files', () => {
  it('live beside the target and go when a write fails', () => {
    const folder = join(temp, 'failing-write');
    function* lines(): Generator<string> {
      yield 'one';
      yield 'x'.repeat(1 << 20);
      throw new Error('the run broke');
    }
    expect(() => writeLinesAtomic(join(folder, 'out.jsonl'), lines())).toThrow(/the run broke/);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('are named recognisably, and a dead process\'s are removed by the next write there', () => {
    const folder = join(temp, 'stale');
    mkdirSync(folder, { recursive: true });
    const file = new AtomicFile(join(folder, 'a.trace.jsonl'));
    expect(file.temporary).toMatch(new RegExp(`/\\.a\\.trace\\.jsonl\\.raftsim-${process.pid}-\\d+\\.tmp$`));
    file.abort();
    // PID 2^22 + 1 is above Linux's pid_max: no process has it.
    const stale = join(folder, `.b.trace.jsonl.raftsim-${(1 << 22) + 1}-0.tmp`);
    writeFileSync(stale, 'left by kill -9');
    // The name older raftsim gave its temporary files, from a process that is gone.
    const old = join(folder, `d.trace.jsonl.${(1 << 22) + 2}.tmp`);
    writeFileSync(old, 'left by an older raftsim');
    writeLinesAtomic(join(folder, 'c.jsonl'), ['x']);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(old)).toBe(false);
    expect(readdirSync(folder)).toEqual(['c.jsonl']);
  });

  it('a write to a place that fails is a UsageError naming the file and the reason', () => {
    expect(() => writeLinesAtomic('/proc/nope/x.jsonl', ['x'], 'trace')).toThrow(UsageError);
    expect(() => writeLinesAtomic('/proc/nope/x.jsonl', ['x'], 'trace')).toThrow(/cannot write trace \/proc\/nope\/x\.jsonl: /);
  });
});

describe('saved traces are never overwritten by a different run', () => {
  it('the name carries a digest of seed, options, schedule and bugs', () => {
    const args = (time: string | null): ReturnType<typeof parseSimArguments> =>
      parseSimArguments(['--seed', '11', '--bug', 'client-retry-no-dedup', ...(time === null ? [] : ['--time', time])]);
    const spec = (time: string | null): ReturnType<typeof specForSeed> =>
      specForSeed('11', { preset: null, override: args(time).durationMs === null ? {} : { durationMs: args(time).durationMs as number }, bugs: ['client-retry-no-dedup'], record: false });
    const eight = savedTracePath('11', headerOf('11', spec('8s')), 'linearizability');
    const plain = savedTracePath('11', headerOf('11', spec(null)), 'linearizability');
    expect(eight).toMatch(/^reports\/runs\/seed-11-client-retry-no-dedup-linearizability-[0-9a-f]{8}\.trace\.jsonl$/);
    expect(plain).not.toBe(eight);
    expect(savedTracePath('11', headerOf('11', spec('8s')), 'linearizability')).toBe(eight);
    const shrunk = { ...headerOf('11', spec('8s')), schedule: [] };
    expect(savedTracePath('11', shrunk, 'linearizability', '', '.shrunk')).toMatch(/-[0-9a-f]{8}\.shrunk\.trace\.jsonl$/);
  });
});

describe('scripts can tell outcomes apart', () => {
  it('an unknown verdict in JSON names the checker and why', () => {
    const spec = specForSeed('1', { preset: null, override: { durationMs: 2_000 }, bugs: [], record: false });
    const ran = runSimulation(spec);
    // An unknown verdict as the search reports one when its step budget runs out.
    const lin = { verdict: 'unknown', exhausted: 'steps', budgetSteps: 0, steps: 0, maxCacheEntries: 0, keys: [{ key: 'k1', outcome: 'undecided' }] };
    const verdicts = ran.verdicts.map((entry) => (entry.checker === 'linearizability' ? { ...entry, verdict: 'unknown' as const } : entry));
    const report = { ...ran, verdict: 'unknown' as const, failure: null, lin: lin as never, verdicts };
    const json = resultJson('1', report, null, 0) as { checker: string | null; message: string | null };
    expect(json.checker).toBe('linearizability');
    expect(json.message).toBe('linearizability not decided: the search used its budget of 0 steps with 1 of 1 keys open');
  });

  it('a single run\'s JSON carries its reproduce command', async () => {
    const result = await run(['--seed', '-5', '--time', '1s', '--clients', '2', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out.at(-1) as string) as { seed: string; reproduce: string };
    expect(json.seed).toBe('-5');
    expect(json.reproduce).toBe('npm run sim -- --seed -5 --clients 2 --time 1s');
  });

  it.each([['--schedule'], ['--time'], ['--preset'], ['--trace']])('--replay with %s is exit 2 with one line', async (flag) => {
    const value = { '--schedule': 's.json', '--time': '2s', '--preset': 'calm', '--trace': 'x.jsonl' }[flag] as string;
    expectOneLine(await run(['--replay', 'some.trace.jsonl', flag, value]), 2, new RegExp(`--replay re-runs the trace .*; drop ${flag}`));
  });

  it('--trace with --seeds is exit 2: a sweep saves failing seeds itself', async () => {
    expectOneLine(await run(['--seeds', '1..2', '--trace', join(temp, 't.jsonl')]), 2, /a sweep saves each failing seed/);
  });
});

describe('merge refuses input that is not one complete sweep', () => {
  const line = (seed: number, verdict = 'pass'): string => `${JSON.stringify({ seed: String(seed), verdict, checker: null, message: null, trace: null, reproduce: null, sometimes: { splitVotes: 1 } })}\n`;
  const file = (name: string, seeds: number[]): string => {
    const path = join(temp, name);
    writeFileSync(path, seeds.map((seed) => line(seed)).join(''));
    return path;
  };
  const merge = (argv: string[]): Promise<CliResult> => run(['merge', ...argv]);

  it('passes shards that cover a range once, an empty shard included', async () => {
    const result = await merge([file('m1.ndjson', [1, 2, 3]), file('m2.ndjson', [4, 5]), file('m3.ndjson', [])]);
    expect(result.code).toBe(0);
    expect(result.out[0]).toBe('merged 3 files: seeds 1..5 (5 run, no gaps)');
    expect((await merge(['--seeds', '1..5', join(temp, 'm1.ndjson'), join(temp, 'm2.ndjson')])).code).toBe(0);
  });

  it.each([
    ['an empty file', [['e.ndjson', []]], [], /no results in .*e\.ndjson/],
    ['a gap', [['g1.ndjson', [1, 2]], ['g2.ndjson', [5, 6]]], [], /seeds missing: 3\.\.4$/],
    ['a file given twice', [['d1.ndjson', [1, 2, 3]], ['d1.ndjson', [1, 2, 3]]], [], /seeds given twice \(counted once\): 1\.\.3 in .*d1\.ndjson/],
    ['overlapping shards', [['o1.ndjson', [1, 2, 3]], ['o2.ndjson', [3, 4]]], [], /seeds given twice \(counted once\): 3 in .*o2\.ndjson/],
    ['seeds missing from the range', [['r1.ndjson', [2, 3]]], ['--seeds', '1..5'], /seeds missing: 1, 4\.\.5$/],
  ] as [string, [string, number[]][], string[], RegExp][])('%s: exit 2 naming the seeds', async (_name, files, flags, pattern) => {
    const paths = files.map(([name, seeds]) => file(name, seeds));
    const result = await merge([...flags, ...paths]);
    expectOneLine(result, 2, pattern);
  });

  it('counts a repeated seed once', async () => {
    const result = await merge([file('c1.ndjson', [1, 2]), join(temp, 'c1.ndjson')]);
    expect(result.out[0]).toMatch(/seeds 1\.\.2 \(2 run, no gaps\)/);
    expect(result.out.join('\n')).toMatch(/splitVotes +in 2 of 2 seeds \(total 2\)/);
  });
});

describe('negative values and --help', () => {
  it('--seed -5 is the seed -5, as --seed=-5 is', () => {
    expect(parseSimArguments(['--seed', '-5']).seedText).toBe('-5');
    expect(parseSimArguments(['--seed', '-0x2a']).seedText).toBe('-0x2a');
  });

  it.each([
    [['--time', '-1s'], /--time must be between 1s and 24h, got "-1s"/],
    [['--clients', '-1'], /--clients must be in 0\.\.64, got -1/],
    [['--nodes', '-3'], /--nodes must be in 1\.\.9, got -3/],
    [['--seed', '--json'], /--seed needs a value/],
  ])('%j is a range error: exit 2, one line', async (argv, pattern) => {
    expectOneLine(await run(argv), 2, pattern);
  });

  it('bench --help prints the usage and exits 0', async () => {
    const result = await runCli(benchMain, ['--help']);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^usage: npm run bench -- \[--json\] \[sim\|lin\|sweep\|replay\|bugs/);
  });

  it('merge --help prints the usage and exits 0', async () => {
    const result = await run(['merge', '--help']);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^usage: npm run sim -- merge/);
  });
});

describe('nothing left behind', () => {
  it('no temporary file stays in the folders these tests wrote to', () => {
    for (const folder of [temp, join(temp, 'stale'), join(temp, 'failing-write'), 'reports/runs']) {
      if (existsSync(folder)) expect(temporaries(folder).filter((name) => name.includes(`raftsim-${process.pid}-`)), folder).toEqual([]);
    }
  });
});
