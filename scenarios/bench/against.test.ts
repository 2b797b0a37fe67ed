// `npm run bench -- sweep --against REF`: both checkouts measured in one sitting, the ratio printed,
// verdicts compared, the temporary worktree removed; bad uses are one line and exit 2.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as benchMain } from '../cli/bench.ts';
import { runCli, startCommand } from '../cli/test-io.ts';

function isGitCheckout(): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', 'HEAD^{commit}'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('bench --against', () => {
  it('refuses a missing suite, a suite it cannot compare and an unknown commit with exit 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--against', 'HEAD'], /--against needs a suite: sim or sweep/],
      [['lin', '--against', 'HEAD'], /--against compares sim and sweep, not "lin"/],
      [['sweep', '--against', 'no-such-commit-xyz'], /--against no-such-commit-xyz: not a commit of this repository/],
      [['sweep', '--against', 'HEAD', '--preset', 'stormy'], /--preset stormy: unknown preset; valid: calm, default/],
      [['sim', '--against', 'HEAD', '--preset', 'calm'], /--preset applies to the sweep suite only/],
      [['--preset', 'calm'], /--preset applies to the sweep suite only/],
    ];
    for (const [argv, pattern] of cases) {
      const result = await runCli(benchMain, argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err, argv.join(' ')).toHaveLength(1);
      expect(result.err[0]).toMatch(pattern);
    }
  });

  const sweepAgainstHead = async (extra: readonly string[]): Promise<string> => {
    process.env['RAFTSIM_BENCH_AGAINST_ROUNDS'] = '1';
    process.env['RAFTSIM_BENCH_AGAINST_SEEDS'] = '2';
    process.env['RAFTSIM_BENCH_AGAINST_WARMUP'] = '0';
    // Its temporary folder goes under one of this test's own, so other checkouts of the repository
    // adding, removing or committing in their worktrees meanwhile cannot disturb what is checked.
    const own = mkdtempSync(join(tmpdir(), 'raftsim-against-test-'));
    const savedTmp = process.env['TMPDIR'];
    process.env['TMPDIR'] = own;
    let result: Awaited<ReturnType<typeof runCli>>;
    let listed = false;
    try {
      result = await runCli(benchMain, ['sweep', '--against', 'HEAD', ...extra]);
      listed = execFileSync('git', ['worktree', 'list', '--porcelain'], { encoding: 'utf8' }).includes(own);
      // (tsx started in the children keeps its cache there too.)
      expect(readdirSync(own).filter((name) => name.startsWith('raftsim-against-'))).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = savedTmp;
      rmSync(own, { recursive: true, force: true });
    }
    expect(listed, 'a worktree under the temporary folder is still registered').toBe(false);
    expect(result.code, result.err.join('\n')).toBe(0);
    return result.out.join('\n');
  };

  it.skipIf(!isGitCheckout())('runs the same seeds on HEAD in the same sitting, prints both rates and the ratio, and removes its worktree', async () => {
    const text = await sweepAgainstHead([]);
    expect(text).toMatch(/default swarm seeds 1\.\.2/);
    expect(text).toMatch(/round 1, this checkout: [\d.]+ s/);
    expect(text).toMatch(/round 1, HEAD \([0-9a-f]{7}\): [\d.]+ s/);
    expect(text, text).toMatch(/verdicts: the same on all 2 seeds/);
    expect(text).toMatch(/^against\.sweep\.ratio +[\d.]+ ratio/m);
  }, 120_000);

  it.skipIf(!isGitCheckout())('runs a preset\'s seeds on both sides with --preset', async () => {
    const text = await sweepAgainstHead(['--preset', 'calm']);
    expect(text).toMatch(/sweep --against: preset calm seeds 1\.\.2/);
    expect(text, text).toMatch(/verdicts: the same on all 2 seeds/);
    expect(text).toMatch(/^sweep\.seeds_per_s_jobs1 +[\d.]+ seeds\/s, this checkout \(preset calm seeds 1\.\.2/m);
  }, 120_000);

  it.skipIf(!isGitCheckout())('exits 130 on Ctrl-C and leaves no worktree behind', async () => {
    const own = mkdtempSync(join(tmpdir(), 'raftsim-against-test-'));
    try {
      // Its own process group, as a terminal's Ctrl-C reaches the bench and the child it is running.
      const command = startCommand('scenarios/cli/bench.ts', ['sweep', '--against', 'HEAD'],
        { detached: true, env: { ...process.env, TMPDIR: own, RAFTSIM_BENCH_AGAINST_SEEDS: '500' } });
      await command.printed('stdout', 'sweep --against:');
      // The worktree exists once the first round has started.
      expect(readdirSync(own).filter((name) => name.startsWith('raftsim-against-'))).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      process.kill(-(command.child.pid as number), 'SIGINT');
      expect(await command.exited).toBe(130);
      expect(readdirSync(own).filter((name) => name.startsWith('raftsim-against-'))).toEqual([]);
      expect(execFileSync('git', ['worktree', 'list', '--porcelain'], { encoding: 'utf8' })).not.toContain(own);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);
});
