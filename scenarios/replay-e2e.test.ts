// End to end: the real `npm run replay` command in a tmux pane of 80x24, on a mutant's failing
// trace. Keys go in with send-keys and the screen comes back with capture-pane. The child runs
// with CI=false, since Ink draws only on exit when CI is set. Without tmux the test is skipped
// (install it with `apt-get install tmux`), unless RAFTSIM_REQUIRE_E2E=1, as in .ci/run.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFailingTrace } from './replay-fixture.ts';

const SOCKET = `raftsim-replay-e2e-${process.pid}`;
const SESSION = 'replay';
const WAIT_MS_MAX = 30_000;
const POLL_MS = 100;

function tmux(...args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  return { ok: result.status === 0, out: result.stdout ?? '' };
}

function tmuxInstalled(): boolean {
  const result = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return result.error === undefined && result.status === 0;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function screen(): string {
  return tmux('capture-pane', '-p', '-t', SESSION).out;
}

/** Polls the pane until `predicate` holds; fails with the last screen after WAIT_MS_MAX. */
async function waitFor(predicate: (text: string) => boolean, what: string): Promise<string> {
  let text = '';
  for (let waited = 0; waited < WAIT_MS_MAX; waited += POLL_MS) {
    text = screen();
    if (predicate(text)) return text;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${text}`);
}

const available = tmuxInstalled();
const required = process.env['RAFTSIM_REQUIRE_E2E'] === '1';
const skipMessage = 'skipped: tmux is not installed (apt-get install tmux); set RAFTSIM_REQUIRE_E2E=1 to make this a failure';

describe('npm run replay in a terminal (tmux)', () => {
  afterAll(() => {
    if (available) tmux('kill-server');
  });

  if (!available && !required) {
    console.warn(`npm run replay end-to-end test ${skipMessage}`);
    it.skip(skipMessage, () => undefined);
    return;
  }

  it('opens the trace, finds the violation after v, and quits on q', async () => {
    expect(available, 'RAFTSIM_REQUIRE_E2E=1 but tmux is not installed (apt-get install tmux)').toBe(true);
    const file = writeFailingTrace();
    const tsx = resolve('node_modules', '.bin', 'tsx');
    const command = `cd ${JSON.stringify(process.cwd())} && CI=false NO_COLOR=1 exec ${JSON.stringify(tsx)} scenarios/cli/replay.ts ${JSON.stringify(file)}`;
    expect(tmux('new-session', '-d', '-s', SESSION, '-x', '80', '-y', '24', command).ok).toBe(true);
    const first = await waitFor((text) => text.includes('raftsim replay') && text.includes('event 1/'), 'the first frame');
    expect(first.split('\n')[0]).toMatch(/^raftsim replay {2}FAIL [a-z-]+ {2}seed 14 /);
    expect(first).toContain('node role');
    expect(first).not.toContain('VIOLATION');
    tmux('send-keys', '-t', SESSION, 'v');
    const atViolation = await waitFor((text) => text.includes('VIOLATION'), 'the violation after v');
    expect(atViolation).toMatch(/▶\s+\d+\s+\d+\.\d{3}s\s+VIOLATION/);
    expect(atViolation.split('\n').every((line) => line.length <= 80)).toBe(true);
    expect(atViolation.split('\n')[0]).toMatch(/^raftsim replay .*FAIL/);
    tmux('send-keys', '-t', SESSION, 'q');
    for (let waited = 0; waited < WAIT_MS_MAX && tmux('has-session', '-t', SESSION).ok; waited += POLL_MS) await sleep(POLL_MS);
    expect(tmux('has-session', '-t', SESSION).ok).toBe(false);
  });
});
