// `npm run bench -- sweep --against REF` and `sim --against REF`: the same figures for this
// checkout and for another commit's, measured in one sitting, in rounds that alternate the two, so
// a figure is never compared with one taken on another day of this noisy machine. REF is checked
// out into a temporary git worktree (this checkout's node_modules linked in) and removed after.
// Each side runs in its own child process (scenarios/bench/against-child.ts), started the way
// `npm run sim` starts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitIfSignalled, withExitCleanup } from '../cli/common.ts';
import { UsageError } from '../files.ts';
import type { Metric } from './metric.ts';
import type { PresetName } from '../../sim/options.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./against-child.ts', import.meta.url));
/** Rounds per side; the order within a round alternates (this first, then REF first). */
const rounds = (): number => Number(process.env['RAFTSIM_BENCH_AGAINST_ROUNDS'] ?? 3);
/** The sweep's seeds: default swarm seeds 1..N, one thread, as `sweep.seeds_per_s_jobs1`. */
const sweepSeeds = (): number => Number(process.env['RAFTSIM_BENCH_AGAINST_SEEDS'] ?? 100);
/** Warm-up seeds per child before the clock starts. The environment can change all three. */
const warmupSeeds = (): number => Number(process.env['RAFTSIM_BENCH_AGAINST_WARMUP'] ?? 4);

interface Side {
  readonly name: string;
  readonly root: string;
}

function git(args: readonly string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Checks REF out into a temporary worktree for the duration of `body`. */
async function withCheckout<T>(ref: string, body: (side: Side) => Promise<T>): Promise<T> {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`--against ${ref}: not a commit of this repository`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'raftsim-against-'));
  const root = join(folder, 'checkout');
  // Removed after the body, and on Ctrl-C too (a second time does nothing).
  const remove = (): void => {
    try {
      if (existsSync(root)) git(['worktree', 'remove', '--force', root]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
  return withExitCleanup(remove, async () => {
    git(['worktree', 'add', '--detach', '--quiet', root, commit]);
    const modules = join(ROOT, 'node_modules');
    if (existsSync(modules)) symlinkSync(modules, join(root, 'node_modules'));
    return body({ name: commit.startsWith(ref) ? commit.slice(0, 7) : `${ref} (${commit.slice(0, 7)})`, root });
  });
}

function runChild(side: Side, args: readonly string[]): unknown {
  const child = spawnSync(process.execPath, ['--single-threaded-gc', '--import', 'tsx', CHILD, side.root, ...args],
    { cwd: side.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  exitIfSignalled(child.signal);
  const last = child.stdout.trimEnd().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    throw new Error(`bench --against: ${side.name} failed (exit ${child.status}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(last) as unknown;
}

/** Rounds that alternate the two sides: this, REF; REF, this; ... */
function alternate<T>(sides: readonly [Side, Side], round: (side: Side) => T, print: (line: string) => void, show: (value: T) => string): [T[], T[]] {
  const results: [T[], T[]] = [[], []];
  for (let index = 0; index < rounds(); index++) {
    const order = index % 2 === 0 ? [0, 1] as const : [1, 0] as const;
    for (const which of order) {
      const value = round(sides[which]);
      results[which].push(value);
      print(`round ${index + 1}, ${sides[which].name}: ${show(value)}`);
    }
  }
  return results;
}

interface SweepRound {
  readonly seconds: number;
  readonly seeds: number;
  readonly verdicts: readonly string[];
}

/**
 * `preset`: that preset's seeds instead of the default swarm's. The swarm's draws change from
 * commit to commit (new regimes, the time scale), so the same swarm seeds are not the same runs on
 * two commits; a preset whose options did not change is the same options on both.
 */
export async function benchSweepAgainst(ref: string, print: (line: string) => void, preset: PresetName | null = null): Promise<Metric[]> {
  return withCheckout(ref, async (other) => {
    const sides: [Side, Side] = [{ name: 'this checkout', root: ROOT }, other];
    const SWEEP_SEEDS = sweepSeeds();
    const WARMUP_SEEDS = warmupSeeds();
    const ROUNDS = rounds();
    const which = preset === null ? 'default swarm' : `preset ${preset}`;
    print(`sweep --against: ${which} seeds 1..${SWEEP_SEEDS} as the sweep runs them (hash on, every checker), one thread, `
      + `after ${WARMUP_SEEDS} warm-up seeds, ${ROUNDS} rounds each`);
    const [mine, theirs] = alternate(sides, (side) => runChild(side, ['sweep', String(SWEEP_SEEDS), String(WARMUP_SEEDS), ...(preset === null ? [] : [preset])]) as SweepRound,
      print, (value) => `${value.seconds.toFixed(2)} s (${(value.seeds / value.seconds).toFixed(2)} seeds/s)`);
    const best = (timed: readonly SweepRound[]): number => SWEEP_SEEDS / Math.min(...timed.map((one) => one.seconds));
    const changed = (mine[0]?.verdicts ?? []).flatMap((verdict, index) =>
      verdict === theirs[0]?.verdicts[index] ? [] : [`seed ${index + 1}: ${theirs[0]?.verdicts[index] ?? '?'} -> ${verdict}`]);
    print(changed.length === 0 ? `verdicts: the same on all ${SWEEP_SEEDS} seeds` : `verdicts that differ: ${changed.join('; ')}`);
    const here = best(mine);
    const there = best(theirs);
    return [
      { metric: 'sweep.seeds_per_s_jobs1', value: round(here, 2), unit: `seeds/s, this checkout (${which} seeds 1..${SWEEP_SEEDS}, best of ${ROUNDS})` },
      { metric: 'against.sweep.seeds_per_s_jobs1', value: round(there, 2), unit: `seeds/s, ${other.name}, same sitting` },
      { metric: 'against.sweep.ratio', value: round(here / there, 3), unit: 'ratio (this / REF)' },
      { metric: 'against.sweep.verdicts_changed', value: changed.length, unit: `of ${SWEEP_SEEDS} seeds` },
    ];
  });
}

interface SimRound {
  readonly metrics: readonly Metric[];
}

export async function benchSimulatorAgainst(ref: string, print: (line: string) => void): Promise<Metric[]> {
  return withCheckout(ref, async (other) => {
    const sides: [Side, Side] = [{ name: 'this checkout', root: ROOT }, other];
    const ROUNDS = rounds();
    print(`sim --against: npm run bench -- sim on each checkout, ${ROUNDS} rounds each, the median of each figure`);
    const [mine, theirs] = alternate(sides, (side) => runChild(side, ['sim']) as SimRound, print,
      (value) => value.metrics.map((metric) => `${metric.metric} ${metric.value}`).join(', '));
    const median = (rounds: readonly SimRound[], name: string): number => {
      const values = rounds.flatMap((one) => one.metrics.filter((metric) => metric.metric === name).map((metric) => metric.value)).sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)] ?? Number.NaN;
    };
    const metrics: Metric[] = [];
    for (const metric of mine[0]?.metrics ?? []) {
      const here = median(mine, metric.metric);
      const there = median(theirs, metric.metric);
      metrics.push({ metric: metric.metric, value: here, unit: `${metric.unit}, this checkout (median of ${ROUNDS})` });
      metrics.push({ metric: `against.${metric.metric}`, value: there, unit: `${metric.unit}, ${other.name}, same sitting` });
      if (Number.isFinite(there) && there !== 0) metrics.push({ metric: `against.${metric.metric}.ratio`, value: round(here / there, 3), unit: 'ratio (this / REF)' });
    }
    return metrics;
  });
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
