import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { craftedTrace } from '../../reports/html/test-fixtures.test-helper.ts';
import { UsageError } from '../files.ts';
import { EXIT, reportError } from './common.ts';
import { defaultReportPath, main, parseReportArguments } from './report.ts';
import { captureIo } from './test-io.ts';

const directory = mkdtempSync(join(tmpdir(), 'raftsim-report-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm run report', () => {
  it('writes the page beside the trace by default, or where --out says', () => {
    const trace = join(directory, 'seed-7-crafted.trace.jsonl');
    writeFileSync(trace, craftedTrace().text);
    const io = captureIo();
    expect(main([trace], io)).toBe(EXIT.pass);
    const page = readFileSync(join(directory, 'seed-7-crafted.html'), 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(io.out.join('\n')).toContain('seed-7-crafted.html');
    const out = join(directory, 'elsewhere.html');
    expect(main([trace, '--out', out], captureIo())).toBe(EXIT.pass);
    expect(readFileSync(out, 'utf8')).toBe(page);
  });

  it('names the default output', () => {
    expect(defaultReportPath('reports/runs/seed-3-durability.trace.jsonl')).toBe('reports/runs/seed-3-durability.html');
    expect(defaultReportPath('run.jsonl')).toBe('run.html');
    expect(defaultReportPath('trace.txt')).toBe('trace.txt.html');
  });

  it('refuses bad usage and broken traces with one line and exit 2', () => {
    expect(() => parseReportArguments([])).toThrow(UsageError);
    expect(() => parseReportArguments(['a', 'b'])).toThrow(/one trace file/);
    expect(() => parseReportArguments(['a', '--out'])).toThrow(/--out needs/);
    expect(() => parseReportArguments(['a', '--colour'])).toThrow(/unknown flag/);
    const broken = join(directory, 'broken.trace.jsonl');
    writeFileSync(broken, craftedTrace().text.split('\n').slice(0, 4).join('\n'));
    const io = captureIo();
    let code: number;
    try {
      code = main([broken], io);
    } catch (error) {
      code = reportError(error, io);
    }
    expect(code).toBe(EXIT.usage);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(/truncated trace/);
    const missing = captureIo();
    expect(reportError(captureError(() => main([join(directory, 'none.trace.jsonl')], missing)), missing)).toBe(EXIT.usage);
    expect(missing.err[0]).toMatch(/does not exist/);
  });
});

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
