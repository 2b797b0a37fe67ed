// The conformance suite on the built-in core: every test passes on its CI seeds (RAFTSIM_NIGHTLY=1
// or RAFTSIM_CONFORMANCE_SEEDS=N for more), none is vacuous, and the tests can fail: the Figure 8
// tests catch commit-prev-term-by-count on most seeds, and a persistence test catches a vote kept
// only in memory, by the checkers and by its own checks alone.
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeTrace } from '../../reports/judge.ts';
import { decodeTrace } from '../../reports/trace-file.ts';
import { CONFORMANCE_TESTS, conformanceTest } from './index.ts';
import { conformanceMain } from './cli.ts';
import { runSeeds, runTest, seedsFor } from './suite.ts';
import type { ConformanceTest } from './suite.ts';
import type { BugId } from '../../core/index.ts';
import { BUILTIN } from '../impl.ts';
import { startCommand } from '../cli/test-io.ts';
import { entry } from '../cli/sim.ts';

function named(name: string): ConformanceTest {
  const test = conformanceTest(name);
  if (test === undefined) throw new Error(`no conformance test ${name}`);
  return test;
}

function failingSeeds(name: string, bug: BugId, seeds: readonly number[], checkers = true): number[] {
  return seeds.filter((seed) => runTest(named(name), seed, { bugs: [bug], checkers }).verdict === 'fail');
}

describe('the conformance suite on the built-in core', () => {
  for (const test of CONFORMANCE_TESTS) {
    it(`${test.name} passes on every seed it runs, not vacuously`, () => {
      const summary = runSeeds(test, seedsFor(test, process.env));
      expect(summary.ok, summary.line).toBe(true);
      for (const result of summary.results) {
        expect(result.verdict, `${test.name} seed ${result.seed}: ${result.message ?? ''}`).toBe('pass');
      }
    }, 60_000);
  }

  it('every test checks that it exercised what it tests, and names are unique', () => {
    const names = CONFORMANCE_TESTS.map((test) => test.name);
    expect(new Set(names).size).toBe(names.length);
    const report = runTest(named('initial-election'), 1).report;
    expect(report?.checks.some((check) => check.what.startsWith('exercised: '))).toBe(true);
  });

  it('the RPC count test reports the figures it holds to the lab\'s bounds', () => {
    const result = runTest(named('count'), 1);
    expect(result.verdict).toBe('pass');
    const bounds = Object.fromEntries(result.figures.map((figure) => [figure.name, figure.bound]));
    expect(bounds).toEqual({ 'election RPCs': 30, 'RPCs for 11 agreements': 42, 'idle RPCs in 1 s': 60 });
    for (const figure of result.figures) expect(figure.value).toBeLessThanOrEqual(figure.bound ?? Infinity);
  });
});

describe('the conformance tests can fail', () => {
  it('figure-8 catches commit-prev-term-by-count on most seeds', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    expect(failingSeeds('figure-8', 'commit-prev-term-by-count', seeds).length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('figure-8-unreliable catches commit-prev-term-by-count on most seeds', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    expect(failingSeeds('figure-8-unreliable', 'commit-prev-term-by-count', seeds).length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('figure-8 catches it by its own checks too, with the checkers off', () => {
    const failures = [1, 2, 3, 4].map((seed) => runTest(named('figure-8'), seed, { bugs: ['commit-prev-term-by-count'], checkers: false }));
    expect(failures.filter((result) => result.verdict === 'fail').length).toBeGreaterThanOrEqual(2);
    for (const result of failures.filter((one) => one.verdict === 'fail')) expect(result.checker).toBe('scenario');
  }, 60_000);

  it('persist-1 catches vote-not-persisted', () => {
    expect(failingSeeds('persist-1', 'vote-not-persisted', [1, 2])).not.toEqual([]);
  });

  it('a capability the implementation does not declare skips the tests that need it', () => {
    const noSnapshots = { ...BUILTIN, capabilities: { ...BUILTIN.capabilities, snapshots: false } };
    const result = runTest(named('snapshot-basic'), 1, { implementation: noSnapshots });
    expect(result.verdict).toBe('skipped');
    expect(result.message).toBe('needs snapshots');
  });
});

describe('the conformance command', () => {
  it('prints one line per test and exits 0 when all pass; 1 on a failure; 2 on bad usage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env: {} };
    expect(await conformanceMain(['--test', 'basic-agree', '--test', 'count', '--seeds', '1'], io)).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^basic-agree\s+pass {2}1\/1 seeds/);
    expect(out[1]).toMatch(/election RPCs max \d+\/30/);
    out.length = 0;
    expect(await conformanceMain(['--test', 'persist-1', '--seeds', '1..2', '--bug', 'vote-not-persisted'], io)).toBe(1);
    expect(out[0]).toMatch(/^persist-1\s+FAIL/);
    // The first failing seed's trace is saved, and judged offline it gives the same failure.
    const saved = err.map((line) => /trace of the first failing seed saved to (\S+);/.exec(line)?.[1]).find((path) => path !== undefined);
    expect(saved).toMatch(/conformance-persist-1-seed-1-vote-not-persisted-invariants-[0-9a-f]{8}\.trace\.jsonl$/);
    const trace = decodeTrace(readFileSync(saved as string, 'utf8'));
    rmSync(saved as string);
    expect(trace.header.scenario).toBe('conformance/persist-1');
    expect(judgeTrace(trace.header.options, trace.events).failure?.checker).toBe('invariants');
    expect(await conformanceMain(['--test', 'nope'], io)).toBe(2);
    expect(await conformanceMain(['--seeds', '0'], io)).toBe(2);
    out.length = 0;
    expect(await conformanceMain(['--help'], io)).toBe(0);
    expect(out[0]).toMatch(/^usage: npm run sim -- --suite conformance/);
  }, 60_000);

  it('npm run sim -- --suite conformance runs it', async () => {
    const out: string[] = [];
    const io = { stdout: (text: string) => out.push(text), stderr: () => undefined, stdoutIsTty: false, stderrIsTty: false, env: {} };
    expect(await entry(['--suite', 'conformance', '--test', 'basic-agree', '--seeds', '1'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/^basic-agree\s+pass/);
  });
});

describe('npm run sim -- --suite conformance: Ctrl-C on the real command', () => {
  it('ends the suite after the test it is in, with exit 130', async () => {
    const command = startCommand('scenarios/cli/sim.ts', ['--suite', 'conformance']);
    await command.printed('stdout', '\n');
    command.child.kill('SIGINT');
    expect(await command.exited).toBe(130);
    const out = command.out();
    // It stopped early: far fewer result lines than the suite's tests.
    expect(out.trimEnd().split('\n').length).toBeLessThan(CONFORMANCE_TESTS.length - 5);
  }, 60_000);
});
