// A streamed trace is byte for byte the trace encodeTrace writes from a recorded run, and a run
// that throws leaves no file behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTrace, encodeTrace } from '../../reports/trace-file.ts';
import { headerOf } from '../cli/runs.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import { TraceStreamWriter } from './trace-stream.ts';

const temp = mkdtempSync(join(tmpdir(), 'raftsim-stream-'));

describe('TraceStreamWriter', () => {
  it('writes the same bytes as the in-memory trace, with the run hash in its footer', () => {
    const spec = specForSeed('11', { preset: null, override: { durationMs: 20_000 }, bugs: [], record: true });
    const recorded = runSimulation(spec);
    const header = headerOf('11', spec);
    const path = join(temp, 'streamed.trace.jsonl');
    const writer = new TraceStreamWriter(path, header);
    const streamed = runSimulation({ ...spec, record: false, hash: true }, { sink: writer.write });
    const footer = writer.finish();
    const expected = [...encodeTrace(header, recorded.sim.events ?? [])].join('\n') + '\n';
    expect(readFileSync(path, 'utf8')).toBe(expected);
    expect(footer.hash).toBe(streamed.sim.hash);
    expect(footer.events).toBeGreaterThan(100);
    expect(decodeTrace(expected).footer).toEqual(footer);
    expect(streamed.sim.events).toBeNull();
  });

  it('refuses lines after finish, so a later run cannot pile them up in memory', () => {
    const spec = specForSeed('13', { preset: null, override: {}, bugs: [], record: false });
    const writer = new TraceStreamWriter(join(temp, 'finished.trace.jsonl'), headerOf('13', spec));
    writer.write({ time: 0, type: 'phase', phase: 'safety' } as never, '{"time":0}');
    expect(writer.finish().events).toBe(1);
    expect(() => writer.write({ time: 1, type: 'heal' } as never, '{"time":1}')).toThrow(/already closed/);
  });

  it('removes its temporary file when the run is abandoned', () => {
    const spec = specForSeed('12', { preset: null, override: {}, bugs: [], record: false });
    const path = join(temp, 'abandoned.trace.jsonl');
    const writer = new TraceStreamWriter(path, headerOf('12', spec));
    writer.write({ time: 0, type: 'phase', phase: 'liveness' } as never, '{"time":0}');
    writer.abort();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(temp).filter((name) => name.startsWith('abandoned'))).toEqual([]);
  });
});
