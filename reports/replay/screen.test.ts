// The screen at sizes the planned layout does not fit, the log window at a violation that names an
// earlier index, and the header's fault fragments (issue 17, item 11).
import { describe, expect, it } from 'vitest';
import { failingTrace } from '../../scenarios/replay-fixture.ts';
import { specForSeed } from '../../scenarios/spec.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { PRESETS } from '../../sim/options.ts';
import { optionsBrief, replayInfo } from './info.ts';
import { initialView } from './keys.ts';
import { ReplayModel } from './model.ts';
import { plainText, screenLines } from './screen.ts';
import type { ScreenSize } from './screen.ts';

const fixture = failingTrace();
const model = new ReplayModel(fixture.events, fixture.header.options.nodes);
const info = replayInfo(fixture.header);
const violation = model.violations[0] as number;

function screen(size: ScreenSize, cursor = violation, on: ReplayModel = model): string[] {
  return plainText(screenLines({ model: on, info, view: initialView(cursor), frame: on.frameAt(cursor), size })).split('\n');
}

describe('small screens', () => {
  it('at 60x15 the verdict and the position are the first lines, and the screen is 15 lines of at most 60', () => {
    const lines = screen({ columns: 60, rows: 15 });
    expect(lines).toHaveLength(15);
    expect(lines[0]).toMatch(/^raftsim replay {2}FAIL invariants/);
    expect(lines[1]).toMatch(new RegExp(`^event ${violation + 1}/${model.length} `));
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60);
    // The event at the cursor is on the screen.
    expect(lines.some((line) => line.startsWith(`▶${String(violation + 1).padStart(8)}`))).toBe(true);
  });

  it.each([1, 2, 3, 5, 8, 12])('prints at most the rows asked for (--rows %i), verdict first', (rows) => {
    const lines = screen({ columns: 80, rows });
    expect(lines).toHaveLength(rows);
    expect(lines[0]).toMatch(/FAIL invariants/);
    if (rows >= 2) expect(lines[1]).toMatch(/^event \d+\//);
  });

  it('cuts every line to a narrow width', () => {
    const lines = screen({ columns: 20, rows: 24 });
    expect(lines).toHaveLength(24);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(20);
  });

  it('keeps the planned 80x24 layout when it fits', () => {
    const lines = screen({ columns: 80, rows: 24 });
    expect(lines[2]).toMatch(/^nodes \d+ · clients/);
    expect(lines[3]).toMatch(/^node role/);
    expect(lines[23]).toMatch(/^←→↑↓ PgUp\/Dn/);
  });
});

describe('the log window', () => {
  it('shows the index a violation names, however far behind the last index', () => {
    const entries = Array.from({ length: 100 }, (_, offset) => ({ index: offset + 1, term: 1, digest: offset }));
    const events: TraceEvent[] = [
      { time: 0, type: 'restart', node: 1 }, { time: 0, type: 'restart', node: 2 },
      { time: 1, type: 'append', node: 1, from: 1, entries }, { time: 1, type: 'append', node: 2, from: 1, entries },
      { time: 2, type: 'violation', checker: 'state-machine-safety', message: 'Nodes 1 and 2 applied different entries at index 20: ...' },
    ];
    const small = new ReplayModel(events, 2);
    const lines = screen({ columns: 120, rows: 40 }, 4, small);
    const title = lines.find((line) => line.startsWith('log ')) ?? '';
    expect(title).toMatch(/^log 19\.\.71 \(violation: index 20\)/);
    // Before the violation the window shows the latest entries, as it always did.
    expect(screen({ columns: 120, rows: 40 }, 3, small).find((line) => line.startsWith('log '))).toMatch(/^log 48\.\.100 /);
  });
});

describe('the header\'s fault fragments', () => {
  it('says leader crashes happen when only leader-aimed crashes are on (seed 49)', () => {
    const options = specForSeed('49', { preset: null, override: {}, bugs: [], record: false }).options;
    expect(options.faults.crashIntervalMsMean).toBe(0);
    const brief = optionsBrief(options);
    expect(brief).toContain(`crash leader ~${options.faults.leaderCrashIntervalMsMean}ms`);
    expect(brief).not.toContain('crash off');
  });

  it('counts the crashes and partitions of an explicit schedule when the options draw none', () => {
    const options = { ...PRESETS.calm, faults: { ...PRESETS.calm.faults, crashIntervalMsMean: 0, partitionIntervalMsMean: 0 } };
    const brief = optionsBrief(options, [{ at: 10, type: 'crash', node: 1, torn: false }, { at: 20, type: 'restart', node: 1 }]);
    expect(brief).toContain('crash 1 scheduled');
    expect(brief).toContain('partition off');
  });
});
