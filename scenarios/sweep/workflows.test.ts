// The GitHub workflows, run here as far as a machine without GitHub can: ci.yml installs and runs
// `npm test` on Node 20; nightly.yml's shard step is run as written (its bash script, with the
// matrix and env substituted) for every shard of a small seed range, and its merge step over the
// files the shards wrote must count every seed of the range exactly once.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Record<string, unknown>;
}

interface Job {
  readonly 'runs-on': string;
  readonly 'timeout-minutes'?: number;
  readonly needs?: string;
  readonly strategy?: { readonly matrix: { readonly shard: readonly number[] } };
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly env?: Record<string, string | number>;
  readonly jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
  return parse(readFileSync(join('.github', 'workflows', name), 'utf8')) as Workflow;
}

function job(flow: Workflow, name: string): Job {
  const found = flow.jobs[name];
  if (found === undefined) throw new Error(`no job ${name}`);
  return found;
}

function stepRunning(steps: readonly Step[], text: string): Step {
  const step = steps.find((candidate) => candidate.run?.includes(text) === true);
  if (step === undefined) throw new Error(`no step runs ${text}`);
  return step;
}

/** A step's script with the GitHub expressions it uses filled in, as the runner would. */
function script(step: Step, values: Readonly<Record<string, string>>): string {
  return (step.run ?? '').replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`the test does not know \${{ ${key} }}`);
    return value;
  });
}

function nodeVersion(steps: readonly Step[]): unknown {
  return steps.find((step) => step.uses?.startsWith('actions/setup-node') === true)?.with?.['node-version'];
}

/** A checkout of the project as a runner has it (linked), where the steps write their files. */
const temp = mkdtempSync(join(tmpdir(), 'raftsim-workflows-'));
for (const entry of ['package.json', 'tsconfig.json', 'node_modules', 'core', 'sim', 'scenarios', 'reports']) {
  symlinkSync(join(process.cwd(), entry), join(temp, entry));
}
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('.github/workflows', () => {
  it('ci.yml runs npm ci and npm test on Node 20 for pull requests', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on)).toContain('pull_request');
    const test = job(ci, 'test');
    expect(nodeVersion(test.steps)).toBe(20);
    const runs = test.steps.flatMap((step) => (step.run === undefined ? [] : [step.run.trim()]));
    const install = runs.findIndex((run) => run.startsWith('npm ci'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('npm test')).toBeGreaterThan(install);
  });

  it('nightly.yml: every shard of a range, run as the workflow runs it, then merged, covers each seed once', () => {
    const nightly = workflow('nightly.yml');
    const shards = Number(nightly.env?.['SHARDS']);
    const shard = job(nightly, 'shard');
    expect(shard.strategy?.matrix.shard).toEqual(Array.from({ length: shards }, (_, index) => index + 1));
    expect(nodeVersion(shard.steps)).toBe(20);
    const sweep = stepRunning(shard.steps, '--shard');
    // A small range, so most shards hold one seed and some none: short runs of the default scenario.
    const seeds = 12;
    const env = { ...process.env, SEEDS: `1..${seeds}`, SHARDS: String(shards) };
    for (let index = 1; index <= shards; index++) {
      const text = script(sweep, { 'matrix.shard': String(index), 'env.SHARDS': String(shards) });
      const run = spawnSync('bash', ['-e', '-c', text], { cwd: temp, env, encoding: 'utf8' });
      expect(run.status, `shard ${index}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/sweep exit code [013]\b/);
    }
    // The merge job downloads every shard's results artifact into results/.
    mkdirSync(join(temp, 'results'));
    for (let index = 1; index <= shards; index++) {
      copyFileSync(join(temp, `results-${index}.ndjson`), join(temp, 'results', `results-${index}.ndjson`));
    }
    const merge = job(nightly, 'merge');
    expect(merge.needs).toBe('shard');
    const step = stepRunning(merge.steps, ' merge ');
    const summary = join(temp, 'summary.md');
    writeFileSync(summary, '');
    const shell = (step.shell ?? 'bash').replace(/ \{0\}$/, '').split(' ');
    const merged = spawnSync(shell[0] as string, [...shell.slice(1), '-c', script(step, {})], {
      cwd: temp, env: { ...env, GITHUB_STEP_SUMMARY: summary }, encoding: 'utf8',
    });
    expect(merged.status, merged.stderr).toBe(0);
    expect(readFileSync(summary, 'utf8')).toBe(merged.stdout);
    expect(merged.stdout).toContain(`seeds 1..${seeds} (${seeds} run, no gaps)`);
  }, 240_000);
});
