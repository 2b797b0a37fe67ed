// Runs scenarios/cli/edge-inputs.sh: bad and edge inputs to the real commands (closed pipes,
// unwritable, missing and full places, signals, kill -9, merges with gaps), each with its
// documented exit code, at most one line on stderr, no stack trace and no temporary file left.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('edge inputs to the real commands', () => {
  it('each ends with its documented exit code and at most one clear line', () => {
    const result = spawnSync('bash', ['scenarios/cli/edge-inputs.sh'], { encoding: 'utf8', timeout: 280_000 });
    const lines = result.stdout.trimEnd().split('\n');
    const skipped = lines.filter((line) => line.startsWith('skipped:'));
    if (skipped.length > 0) console.warn(skipped.join('\n'));
    expect(lines.filter((line) => line.startsWith('FAIL')), result.stdout + result.stderr).toEqual([]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(lines.filter((line) => line.startsWith('ok')).length).toBeGreaterThanOrEqual(30);
  }, 300_000);
});
