// The Ink view and its keys, with ink-testing-library. Ink reads input asynchronously: each test
// waits a tick after rendering and after writing, before it looks at the frame.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { failingTrace } from '../../scenarios/replay-fixture.ts';
import { App } from './App.tsx';
import { replayInfo } from './info.ts';
import { initialView, reduceKeys, SPEEDS } from './keys.ts';
import type { KeyPress } from './keys.ts';
import { ReplayModel } from './model.ts';
import { plainText, screenLines } from './screen.ts';

const fixture = failingTrace();
const model = new ReplayModel(fixture.events, fixture.header.options.nodes);
const info = replayInfo(fixture.header);
const violation = model.violations[0] as number;

const tick = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the last frame passes `check` (or 5 s pass), so a loaded machine that renders late
 * does not fail a test, and the next key is written only once the previous one has been drawn.
 */
async function settled(frame: () => string | undefined, check: (text: string) => boolean): Promise<string> {
  for (let waited = 0; waited < 5_000; waited += 10) {
    const text = frame() ?? '';
    if (check(text)) return text;
    await tick(10);
  }
  return frame() ?? '';
}
const ARROW_RIGHT = '\u001B[C';
const ARROW_DOWN = '\u001B[B';
const PAGE_DOWN = '\u001B[6~';
const END = '\u001B[F';

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

async function start(cursor = 0): Promise<ReturnType<typeof render>> {
  const instance = render(<App model={model} info={info} initialCursor={cursor} color={false} size={{ columns: 80, rows: 24 }} />);
  cleanup = instance.unmount;
  await tick();
  return instance;
}

function position(frame: string | undefined): number {
  const match = /event (\d+)\/\d+/.exec(frame ?? '');
  return Number(match?.[1] ?? Number.NaN);
}

describe('the Ink replay', () => {
  it('draws an 80x24 screen with header, cluster, log, network, clients and events', async () => {
    const { lastFrame } = await start();
    const frame = lastFrame() ?? '';
    const lines = frame.split('\n');
    expect(lines.length).toBe(24);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
    for (const part of [`seed ${fixture.header.seed}`, 'event 1/', 'node role', 'log ', 'network ', 'in flight', 'clients pending']) {
      expect(frame).toContain(part);
    }
  });

  it('moves with arrows and page keys, and several keys in one input chunk each count', async () => {
    const { lastFrame, stdin } = await start();
    const at = (expected: number) => settled(lastFrame, (text) => position(text) === expected);
    stdin.write(ARROW_RIGHT);
    expect(position(await at(2))).toBe(2);
    stdin.write(ARROW_DOWN);
    expect(position(await at(12))).toBe(12);
    stdin.write(PAGE_DOWN);
    expect(position(await at(112))).toBe(112);
    const expected = reduceKeys(initialView(111), [{ type: 'char', char: 'n' }, { type: 'char', char: 'n' }, { type: 'char', char: 'n' }], model).cursor;
    stdin.write('nnn');
    expect(position(await at(expected + 1))).toBe(expected + 1);
    expect(expected).toBeGreaterThan(111);
    stdin.write(END);
    expect(position(await at(model.length))).toBe(model.length);
  });

  it('v jumps to the violation and shows the checker and its explanation', async () => {
    const { lastFrame, stdin } = await start();
    stdin.write('v');
    const frame = await settled(lastFrame, (text) => position(text) === violation + 1);
    expect(position(frame)).toBe(violation + 1);
    const event = fixture.events[violation];
    expect(event?.type).toBe('violation');
    if (event?.type !== 'violation') return;
    expect(frame).toContain(`VIOLATION ${event.checker}`);
    expect(frame).toContain(event.message.slice(0, 30));
  });

  it('? shows the help, / finds an event type, f follows a node, space plays', async () => {
    const { lastFrame, stdin } = await start();
    const HELP = 'next / previous interesting event';
    stdin.write('?');
    expect(await settled(lastFrame, (text) => text.includes(HELP))).toContain(HELP);
    stdin.write('x');
    expect(await settled(lastFrame, (text) => !text.includes(HELP))).not.toContain(HELP);
    stdin.write('/');
    await settled(lastFrame, (text) => text.includes('find: '));
    stdin.write('crash');
    expect(await settled(lastFrame, (text) => text.includes('find: crash_'))).toContain('find: crash_');
    stdin.write('\r');
    const found = model.find(0, 'crash');
    const foundAt = found === null ? 1 : found + 1;
    expect(position(await settled(lastFrame, (text) => position(text) === foundAt))).toBe(foundAt);
    stdin.write('f');
    expect(await settled(lastFrame, (text) => text.includes('following n1'))).toContain('following n1');
    stdin.write(' ');
    expect(position(await settled(lastFrame, (text) => position(text) > foundAt))).toBeGreaterThan(foundAt);
    stdin.write(' ');
  });
});

describe('keys', () => {
  const press = (...keys: KeyPress[]) => reduceKeys(initialView(500), keys, model);

  it('clamp at both ends of the trace', () => {
    expect(reduceKeys(initialView(0), [{ type: 'left' }, { type: 'pageUp' }], model).cursor).toBe(0);
    expect(reduceKeys(initialView(model.length - 1), [{ type: 'right' }], model).cursor).toBe(model.length - 1);
  });

  it('+ and - change the speed within bounds; q quits and ignores what follows', () => {
    const fast = press(...Array.from({ length: 30 }, (): KeyPress => ({ type: 'char', char: '+' })));
    expect(SPEEDS[fast.speedLevel]).toBe(SPEEDS[SPEEDS.length - 1]);
    expect(press({ type: 'char', char: '-' }).speedLevel).toBe(initialView().speedLevel - 1);
    const quit = press({ type: 'char', char: 'q' }, { type: 'right' });
    expect([quit.quit, quit.cursor]).toEqual([true, 500]);
  });

  it('f cycles through the nodes and back to nobody; Esc leaves a search without moving', () => {
    const nodes = fixture.header.options.nodes;
    const cycled = press(...Array.from({ length: nodes + 1 }, (): KeyPress => ({ type: 'char', char: 'f' })));
    expect(cycled.follow).toBeNull();
    const searched = press({ type: 'char', char: '/' }, { type: 'char', char: 'x' }, { type: 'escape' });
    expect([searched.mode, searched.cursor]).toEqual(['normal', 500]);
  });
});

describe('the screen layout', () => {
  it('fits any size from 80x24 up and shows more events on a taller screen', () => {
    const frame = model.frameAt(violation);
    const small = screenLines({ model, info, view: initialView(violation), frame, size: { columns: 80, rows: 24 } });
    const large = screenLines({ model, info, view: initialView(violation), frame, size: { columns: 140, rows: 50 } });
    expect(small.length).toBe(24);
    expect(large.length).toBe(50);
    const width = (lines: typeof small): number => Math.max(...plainText(lines).split('\n').map((line) => line.length));
    expect(width(small)).toBeLessThanOrEqual(80);
    expect(width(large)).toBeLessThanOrEqual(140);
    const eventRows = (lines: typeof small): number => plainText(lines).split('\n').filter((line) => /^[ ▶]\s+\d+\s+\d+\.\d{3}s/.test(line)).length;
    expect(eventRows(large)).toBeGreaterThan(eventRows(small));
  });

  it('marks log entries that differ from the leader', () => {
    // A hand-made cluster: n1 leads in term 3, n2 still holds an entry of term 2 at index 2.
    const events = [
      { time: 0, type: 'restart', node: 1 }, { time: 0, type: 'restart', node: 2 },
      { time: 1, type: 'append', node: 1, from: 1, entries: [{ index: 1, term: 1, digest: 1 }, { index: 2, term: 3, digest: 2 }] },
      { time: 1, type: 'append', node: 2, from: 1, entries: [{ index: 1, term: 1, digest: 1 }, { index: 2, term: 2, digest: 3 }] },
      { time: 2, type: 'role', node: 1, role: 'leader', term: 3 },
    ] as const;
    const small = new ReplayModel(events, 2);
    const lines = screenLines({ model: small, info: { ...info, nodeCount: 2, drifts: [0, 0] }, view: initialView(4), frame: small.frameAt(4), size: { columns: 80, rows: 24 } });
    const logRow = (node: number) => lines.find((line) => line[0]?.text.startsWith(` n${node} c`)) ?? [];
    expect(logRow(2).filter((segment) => segment.inverse === true).map((segment) => segment.text.trim())).toEqual(['2']);
    expect(logRow(1).some((segment) => segment.inverse === true)).toBe(false);
  });
});

describe('rendering only reads (docs/style.md, rule 10)', () => {
  it('no replay module imports the event loop, the hosts or the Raft core', () => {
    const directory = join('reports', 'replay');
    const sources = readdirSync(directory).filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name));
    expect(sources.length).toBeGreaterThan(3);
    for (const name of sources) {
      const source = readFileSync(join(directory, name), 'utf8');
      expect(source, name).not.toMatch(/from '[./]*sim\/(simulation|host|clients|network|disk)\.ts'/);
      expect(source, name).not.toMatch(/RaftNode\b(?!Api)/);
    }
  });
});
