// `npm run sim -- --list`, `--scenario NAME` and the replay of a scenario's trace.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTrace } from '../../reports/trace-file.ts';
import { main } from '../cli/sim.ts';
import { runCli } from '../cli/test-io.ts';
import type { CliResult } from '../cli/test-io.ts';
import { SCENARIOS } from './index.ts';

const run = (argv: string[]): Promise<CliResult> => runCli(main, argv);

const temp = mkdtempSync(join(tmpdir(), 'raftsim-scenario-'));

describe('npm run sim: named scenarios', () => {
  it('--list prints every scenario with its purpose and exits 0', async () => {
    const result = await run(['--list']);
    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(SCENARIOS.length);
    for (const scenario of SCENARIOS) expect(result.out.some((line) => line.startsWith(scenario.name) && line.includes(scenario.purpose))).toBe(true);
  });

  it('an unknown name exits 2 with one line naming the valid ones', async () => {
    const result = await run(['--scenario', 'no-such-scenario']);
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    for (const scenario of SCENARIOS) expect(result.err[0]).toContain(scenario.name);
  });

  it.each([[['--nodes', '3']], [['--seeds', '1..3']], [['--preset', 'calm']]])('--scenario with %j exits 2', async (extra) => {
    const result = await run(['--scenario', 'split-vote', ...extra]);
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/^raftsim: --scenario/);
  });

  it('--scenario NAME prints its purpose, its own checks and the summary, and exits 0', async () => {
    const result = await run(['--scenario', 'split-vote', '--seed', '4']);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text).toContain('scenario split-vote  seed 4');
    expect(text).toContain('purpose: Two candidates');
    expect(text).toMatch(/ok +no leader in the split term/);
    expect(text).toContain('verdict pass');
  });

  it('a failing scenario exits 1, saves a trace naming the scenario, and that trace replays exactly', async () => {
    const trace = join(temp, 'figure-8.trace.jsonl');
    const result = await run(['--scenario', 'figure-8', '--bug', 'commit-prev-term-by-count', '--trace', trace]);
    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toMatch(/FAILED +index 2 is on a majority but NOT committed/);
    expect(result.err.join('\n')).toContain(`npm run sim -- --replay ${trace}`);
    const decoded = decodeTrace(readFileSync(trace, 'utf8'));
    expect(decoded.header.scenario).toBe('figure-8');
    expect(decoded.header.bugs).toEqual(['commit-prev-term-by-count']);
    expect(decoded.header.schedule.map((fault) => fault.type)).toEqual(['crash', 'crash', 'restart', 'crash', 'restart']);
    const replayed = await run(['--replay', trace]);
    expect(replayed.code).toBe(1);
    expect(replayed.out.join('\n')).toContain(`replay matches the trace: ${decoded.events.length} events`);
  });

  it('a passing scenario\'s trace replays exactly too', async () => {
    const trace = join(temp, 'rejoin.trace.jsonl');
    expect((await run(['--scenario', 'rejoin', '--trace', trace])).code).toBe(0);
    const replayed = await run(['--replay', trace]);
    expect(replayed.code).toBe(0);
    expect(replayed.out.join('\n')).toContain('replay matches the trace');
  });
});
