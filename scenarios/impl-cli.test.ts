// `--impl` through the command line: a sweep of another implementation, a bug planted in it found
// and its trace replayed to the same hash, a replay with another implementation refused, the
// reproduce lines naming the module, and an implementation that throws ending as a verdict.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTrace } from '../reports/trace-file.ts';
import { main } from './cli/sim.ts';
import { reproduceFromHeader } from './cli/reproduce.ts';
import { runCli } from './cli/test-io.ts';

const scratch = mkdtempSync(join(tmpdir(), 'raftsim-impl-cli-'));
// An ES module folder, as the example's own: a sweep's worker loads the copy through tsx, which
// would read a .ts file outside any "type": "module" package as CommonJS, and the core it imports
// would then be a second copy whose AssertionError the simulator's does not match.
writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const CORE = JSON.stringify(pathToFileURL(resolve('core/index.ts')).href);

/** A copy of examples/paper-raft with `edit` applied and the core imported by absolute URL. */
function variant(name: string, edit: (source: string) => string): string {
  // The example imports the core relative to its own folder; a copy elsewhere needs the full URL.
  const exampleImport = `'${['..', '..', 'core', 'index.ts'].join('/')}'`;
  const source = readFileSync('examples/paper-raft/raft.ts', 'utf8').replace(exampleImport, CORE);
  const edited = edit(source);
  expect(edited).not.toBe(source);
  const path = join(scratch, `${name}.ts`);
  writeFileSync(path, edited);
  return path;
}

const jsonLines = (out: readonly string[]) => out.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('npm run sim -- --impl', () => {
  it('sweeps examples/paper-raft with every seed passing and each reproduce line naming the module', async () => {
    const result = await runCli(main, ['--impl', 'examples/paper-raft/raft.ts', '--seeds', '1..8', '--time', '3s', '--json']);
    const lines = jsonLines(result.out);
    expect(lines.map((line) => line['verdict'])).toEqual(Array(8).fill('pass'));
    expect(lines[0]?.['reproduce']).toBe('npm run sim -- --seed 1 --impl examples/paper-raft/raft.ts --time 3s');
    expect(result.code).toBe(0);
  });

  it('finds a vote granted without the up-to-date check, and the failing trace replays to its hash', async () => {
    const planted = variant('no-uptodate', (source) => source.replace('request.term === this.currentTerm && upToDate', 'request.term === this.currentTerm'));
    const sweep = await runCli(main, ['--impl', planted, '--seeds', '1..10', '--time', '5s', '--json']);
    const failing = jsonLines(sweep.out).find((line) => line['verdict'] === 'fail');
    expect(failing).toBeDefined();
    const tracePath = failing?.['trace'] as string;
    const trace = decodeTrace(readFileSync(tracePath, 'utf8'));
    expect(trace.header.impl).toMatchObject({ name: 'paper-raft', version: '1.0.0' });
    expect(trace.header.impl?.module).toMatch(/no-uptodate\.ts$/);

    const replay = await runCli(main, ['--replay', tracePath]);
    expect(replay.code).toBe(1); // the failure reproduced, event for event
    expect(replay.out.join('\n')).toContain(`replay matches the trace: ${trace.events.length} events, hash ${trace.footer.hash}`);

    // The HTML report's reproduce line and the sweep's both name the module.
    expect(reproduceFromHeader(trace.header, tracePath)).toContain(`--impl ${trace.header.impl?.module}`);
    expect(failing?.['reproduce']).toContain('--impl');

    const other = await runCli(main, ['--replay', tracePath, '--impl', 'builtin']);
    expect(other.code).toBe(2);
    expect(other.err).toHaveLength(1);
    expect(other.err[0]).toMatch(/made by paper-raft 1\.0\.0 .* not the built-in core/);

    appendFileSync(planted, '\n// edited after the run\n');
    const changed = await runCli(main, ['--replay', tracePath]);
    expect(changed.code).toBe(2);
    expect(changed.err[0]).toMatch(/the trace was made by paper-raft 1\.0\.0 .*sha256 [0-9a-f]{16}\), not paper-raft/);
  });

  it('ends a seed whose node throws a TypeError as a crash verdict, and the sweep goes on', async () => {
    const throwing = variant('throws', (source) => source.replace('  tick(): void {\n',
      '  tick(): void {\n    if (this.voters.length === 5 && this.id === 2 && this.currentTerm >= 1 && this.log.length > 5) (null as unknown as number[]).push(1);\n'));
    const result = await runCli(main, ['--impl', throwing, '--seeds', '1..6', '--time', '3s', '--json']);
    const lines = jsonLines(result.out);
    expect(lines).toHaveLength(6);
    const crashed = lines.filter((line) => line['checker'] === 'crash');
    expect(crashed.length).toBeGreaterThan(0);
    expect(crashed[0]?.['message']).toMatch(/^node 2 threw TypeError: /);
    expect(lines.some((line) => line['verdict'] === 'pass')).toBe(true);
  });

  it('refuses a module that is not an implementation, and --bug with one, in one line each', async () => {
    const missing = await runCli(main, ['--impl', join(scratch, 'absent.ts'), '--seed', '1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([expect.stringMatching(/absent\.ts: no such file/)]);
    const bug = await runCli(main, ['--impl', 'examples/paper-raft/raft.ts', '--bug', 'vote-not-persisted', '--seed', '1']);
    expect(bug.code).toBe(2);
    expect(bug.err[0]).toMatch(/--bug switches on mutation points of the built-in core/);
  });
});
