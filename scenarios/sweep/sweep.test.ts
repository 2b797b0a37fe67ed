// Sweeps at scale: --jobs 2 prints exactly what --jobs 1 prints (seeds, verdicts, hashes, order,
// a failure included); merging the shards of a range gives the full sweep's summary; Ctrl-C on the
// real command stops cleanly with what finished and exit 130.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/sim.ts';
import { runCli } from '../cli/test-io.ts';
import type { CliResult } from '../cli/test-io.ts';
import { startCommand } from '../cli/test-io.ts';
import { formatSweepLine } from '../../reports/summary.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import { parseSimArguments } from '../cli/sim-args.ts';
import { InOrder } from './ordered.ts';
import type { SeedOutcome } from './seed.ts';
import { sweepOnPool } from './sweep.ts';

const run = (argv: string[]): Promise<CliResult> => runCli(main, argv);

/** A result line without its wall time, the one field that may differ between runs. */
function comparable(line: string): object {
  const { wallMs: _wallMs, ...rest } = JSON.parse(line) as { wallMs: number };
  return rest;
}

// client-retry-no-dedup fails seed 1 within 5 s of simulated time: the comparison covers a failure.
const sweepArgs = ['--seeds', '1..6', '--time', '5s', '--bug', 'client-retry-no-dedup', '--json'];
const temp = mkdtempSync(join(tmpdir(), 'raftsim-sweep-'));

describe('sweep --jobs', () => {
  it('gives the same results in the same order with --jobs 2 as with --jobs 1', async () => {
    const serial = await run([...sweepArgs, '--jobs', '1']);
    const parallel = await run([...sweepArgs, '--jobs', '2']);
    expect(serial.out).toHaveLength(6);
    expect(serial.out.map(comparable).some((line) => (line as { verdict: string }).verdict === 'fail')).toBe(true);
    expect((serial.out.map(comparable) as { hash: string }[]).every((line) => /^[0-9a-f]{16}$/.test(line.hash))).toBe(true);
    expect(parallel.out.map(comparable)).toEqual(serial.out.map(comparable));
    expect(parallel.code).toBe(serial.code);
    expect(serial.code).toBe(1);
    // A failing seed is shrunk as a single run is: sizes in the result line and on stderr.
    type Shrunk = { verdict: string; shrunk?: { eventsBefore: number; eventsAfter: number; trace: string } };
    const failing = serial.out.map((line) => JSON.parse(line) as Shrunk).filter((line) => line.verdict === 'fail');
    for (const line of failing) {
      expect(line.shrunk?.eventsAfter).toBeLessThanOrEqual(line.shrunk?.eventsBefore ?? -1);
      expect(line.shrunk?.trace).toMatch(/\.shrunk\.trace\.jsonl$/);
    }
    const shrinkLines = (result: CliResult): string[] => result.err.join('\n').split('\n').filter((line) => line.includes('shrunk ('));
    expect(shrinkLines(serial)).toHaveLength(failing.length);
    expect(shrinkLines(serial)[0]).toMatch(/shrunk \([a-z-]+\): \d+ -> \d+ fault events/);
    expect(shrinkLines(parallel)).toEqual(shrinkLines(serial));
  });

  it('merges shards into the summary of the whole range', async () => {
    const whole = await run(sweepArgs);
    const files: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const part = await run([...sweepArgs, '--shard', shard]);
      const file = join(temp, `shard-${shard.replace('/', '-of-')}.ndjson`);
      writeFileSync(file, part.out.map((line) => `${line}\n`).join(''));
      files.push(file);
    }
    writeFileSync(join(temp, 'whole.ndjson'), whole.out.map((line) => `${line}\n`).join(''));
    const merged = await run(['merge', ...files]);
    const single = await run(['merge', join(temp, 'whole.ndjson')]);
    expect(merged.code).toBe(1);
    expect(merged.out[0]).toMatch(/seeds 1\.\.6 \(6 run, no gaps\)/);
    expect(merged.out.slice(1)).toEqual(single.out.slice(1));
    expect(merged.out.join('\n')).toMatch(/npm run sim -- --seed 1 --time 5s --bug client-retry-no-dedup/);
    expect(merged.out.join('\n')).toMatch(/npm run sim -- --replay \S+\.trace\.jsonl/);
    const overlapping = await run(['merge', files[0] as string, files[0] as string]);
    expect(overlapping.code).toBe(2);
    expect(overlapping.err).toEqual([expect.stringMatching(/seeds given twice \(counted once\): 1\.\.2 in /)]);
  });

  it('refuses a file that is not sweep results, with exit 2 and one line', async () => {
    const bad = join(temp, 'bad.ndjson');
    writeFileSync(bad, '{"seed":"1","verdict":"pass"}\n{"hello":1}\n');
    for (const argv of [['merge', bad], ['merge'], ['merge', join(temp, 'missing.ndjson')], ['--jobs', '2'], ['--seeds', '1..4', '--shard', '5/4']]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err, argv.join(' ')).toHaveLength(1);
    }
  });
});

describe('sweepOnPool', () => {
  it('fails with the first error of a result it cannot hand on, after results before it, and stops submitting', async () => {
    const args = parseSimArguments(['--seeds', '1..40', '--time', '1s']);
    const seen: string[] = [];
    const emit = (outcome: SeedOutcome): void => {
      seen.push(outcome.result.seed);
      if (seen.length === 3) throw new Error('output closed');
    };
    await expect(sweepOnPool({ first: 1, last: 40 }, args, 2, emit, new AbortController().signal)).rejects.toThrow('output closed');
    expect(seen.slice(0, 3)).toEqual(['1', '2', '3']);
    // It stopped early: the queue holds a few seeds per worker, not the rest of the range.
    expect(seen.length).toBeLessThan(40);
  });
});

describe('InOrder', () => {
  it('releases results in position order whatever order they arrive in', () => {
    const order = new InOrder<string>(10);
    expect(order.put(12, 'c')).toEqual([]);
    expect(order.put(11, 'b')).toEqual([]);
    expect(order.put(10, 'a')).toEqual(['a', 'b', 'c']);
    expect(order.put(14, 'e')).toEqual([]);
    expect(order.rest()).toEqual(['e']);
    expect(() => order.put(10, 'again')).toThrow(/twice/);
  });
});

describe('sweep: Ctrl-C on the real command', () => {
  it('stops a --jobs 1 sweep in the middle of a long seed, at once', async () => {
    // Seed 183 at one simulated hour runs for minutes: the sweep is interrupted inside it, not after.
    const command = startCommand('scenarios/cli/sim.ts', ['--seeds', '183..184', '--time', '1h', '--json']);
    await command.printed('stderr', 'sweep: seeds 183..184');
    // The worker is running the seed once it has compiled and started (a second or two).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    command.child.kill('SIGINT');
    expect(await command.exited).toBe(130);
    expect(command.err()).toContain('interrupted: 0 of 2 seeds finished');
    expect(command.out()).toBe('');
  }, 30_000);

  it('stops, prints the finished results and exits 130', async () => {
    const command = startCommand('scenarios/cli/sim.ts', ['--seeds', '1..100000', '--time', '5s', '--jobs', '2', '--json']);
    await command.printed('stdout', '"seed":"4"');
    command.child.kill('SIGINT');
    expect(await command.exited).toBe(130);
    const [out, err] = [command.out(), command.err()];
    const lines = out.trimEnd().split('\n').map((line) => JSON.parse(line) as { seed: string });
    const finished = /interrupted: (\d+) of 100000 seeds finished/.exec(err);
    expect(finished, err).not.toBeNull();
    expect(lines).toHaveLength(Number(finished?.[1]));
    const seeds = lines.map((line) => Number(line.seed));
    expect(seeds).toEqual([...seeds].sort((a, b) => a - b));
    expect(new Set(seeds).size).toBe(seeds.length);
  });
});

describe('sweep lines', () => {
  it('say why a seed is unknown: the linearizability search ran out of its budget', () => {
    const spec = specForSeed('1', { preset: null, override: { durationMs: 2_000 }, bugs: [], record: false });
    // The search alone: the applied-log witness decides every key of a correct run without a step.
    const report = runSimulation({ ...spec, linBudgetSteps: 1, linWitness: false });
    expect(report.verdict).toBe('unknown');
    expect(formatSweepLine(report, '1')).toMatch(/^seed 1 unknown: linearizability not decided: the search used its budget of 1 steps with [1-9]\d* of \d+ keys open$/);
  });
});
