import { createHash } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from './escape.ts';
import { buildReportData, focusWindow } from './model.ts';
import type { ReportData } from './model.ts';
import { CLIENT_SCRIPT, DATA_ELEMENT_ID, renderReport } from './render.ts';
import { craftedTrace, failingTrace, FIXTURES, PAYLOADS } from './test-fixtures.test-helper.ts';

function dataBlock(page: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">([^<]*)</script>`).exec(page);
  expect(match).not.toBeNull();
  return JSON.parse(match?.[1] ?? 'null') as unknown;
}

describe('escaping', () => {
  test.prop([fc.jsonValue()])('jsonForScript has no <, >, & or line separators and parses back to the same value', (value) => {
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  test.prop([fc.string({ unit: 'binary' })])('escapeHtml leaves no markup characters and decodes back', (text) => {
    const escaped = escapeHtml(text);
    expect(escaped).not.toMatch(/[<>"']/);
    const decoded = escaped.replace(/&lt;|&gt;|&quot;|&#39;|&amp;/g, (entity) =>
      ({ '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' })[entity] ?? entity);
    expect(decoded).toBe(text);
  });
});

describe('renderReport on a crafted trace', () => {
  const { trace } = craftedTrace();
  const page = renderReport(trace, { source: 'reports/runs/crafted.trace.jsonl' });

  it('keeps every payload inside the JSON block: two script elements, no tag from the trace', () => {
    expect(page.match(/<script/gi)?.length).toBe(2);
    expect(page.match(/<\/script/gi)?.length).toBe(2);
    expect(page).not.toMatch(/<img|<svg onload|<b>|<!-- -->/i);
    for (const payload of Object.values(PAYLOADS)) expect(page).not.toContain(payload);
  });

  it('carries the payloads intact as data, equal to the model', () => {
    const data = dataBlock(page);
    expect(data).toEqual(JSON.parse(JSON.stringify(buildReportData(trace, { source: 'reports/runs/crafted.trace.jsonl' }))));
    const report = data as ReportData;
    expect(report.scenario).toBe(PAYLOADS.script);
    expect(report.lin.keys.map((key) => key.key)).toEqual([PAYLOADS.script]);
    expect(report.lin.keys[0]?.operations[0]?.text).toContain('<img src=x onerror=');
    expect(report.lin.keys[0]?.operations[1]?.text).toContain('<svg onload=');
  });

  it('allows exactly its own script by hash and nothing from the network', () => {
    const policy = (/http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(page)?.[1] ?? '').replace(/&#39;/g, "'");
    const hash = createHash('sha256').update(CLIENT_SCRIPT, 'utf8').digest('base64');
    expect(policy).toContain(`script-src 'sha256-${hash}'`);
    expect(policy).toContain("default-src 'none'");
    expect(page).toContain(`<script>${CLIENT_SCRIPT}</script>`);
    const urls = page.match(/\b(?:https?|ftp):\/\/[^\s'"`)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    const withoutData = page.replace(/<script type="application\/json"[^>]*>[^<]*<\/script>/, '');
    expect(withoutData).not.toMatch(/<link|<iframe|<img|@import|\bsrc=/i);
  });

  it('ships a client script that parses', () => {
    expect(() => new Function(CLIENT_SCRIPT)).not.toThrow();
  });

  it('finds the crafted history not linearizable on the crafted key', () => {
    const data = buildReportData(trace, { source: 'x' });
    expect(data.violation?.checker).toBe('linearizability');
    expect(data.lin.failingKey).toBe(PAYLOADS.script);
    expect(data.lin.keys[0]?.operations.filter((operation) => operation.blocked).length).toBe(1);
  });
});

describe('buildReportData on failing runs', () => {
  it('a safety failure: the run\'s checker, its witness events, and a first window around them', () => {
    const { trace, report } = failingTrace('vote');
    expect(report.failure?.checker).toBe(FIXTURES.vote.checker);
    const data = buildReportData(trace, { source: 'a.trace.jsonl' });
    expect(data.verdict).toBe('fail');
    expect(data.violation?.checker).toBe(report.failure?.checker);
    expect(data.violation?.witnesses.map((mark) => mark.index)).toEqual(report.failure?.witnesses);
    for (const mark of data.violation?.witnesses ?? []) expect(mark.time).toBe(trace.events[mark.index]?.time);
    const last = Math.max(...(data.violation?.witnesses ?? []).map((mark) => mark.time));
    expect(data.focus.from).toBeLessThanOrEqual(last);
    expect(data.focus.to).toBeGreaterThanOrEqual(last);
    expect(data.verdicts.find((entry) => entry.checker === FIXTURES.vote.checker)?.verdict).toBe('fail');
    // The run went on after the failure: the history was checked as the live run checked it.
    expect(data.lin.verdict).toBe(report.lin === null ? 'not-checked' : report.lin.verdict);
    expect(data.commands).toContain('npm run sim -- --replay a.trace.jsonl');
  });

  it('a linearizability failure: the failing key, its prefix in order, the blocked operation and its call and return as witnesses', () => {
    const { trace, report } = failingTrace('lin');
    expect(report.failure?.checker).toBe(FIXTURES.lin.checker);
    const data = buildReportData(trace, { source: 'b.trace.jsonl' });
    expect(data.violation?.checker).toBe('linearizability');
    const explanation = report.lin?.verdict === 'fail' ? report.lin.explanation : null;
    expect(data.lin.failingKey).toBe(explanation?.key);
    const key = data.lin.keys.find((view) => view.key === data.lin.failingKey);
    const blocked = key?.operations.filter((operation) => operation.blocked) ?? [];
    expect(blocked.map((operation) => operation.id)).toEqual([explanation?.blocked.id]);
    const orders = (key?.operations ?? []).flatMap((operation) => (operation.order === null ? [] : [operation.order])).sort((a, b) => a - b);
    expect(orders).toEqual(explanation?.prefix.map((_, position) => position));
    const kinds = data.violation?.witnesses.map((mark) => trace.events[mark.index]?.type);
    expect(kinds).toEqual(['call', 'return']);
  });
});

describe('focusWindow', () => {
  it('starts the run when nothing failed, frames close witnesses, and frames the last of far-apart ones', () => {
    expect(focusWindow(null, [], 60_000)).toEqual({ from: 0, to: 3_000 });
    const violation = { checker: 'x', time: 10_000, message: '', witnesses: [] };
    const close = focusWindow(violation, [9_000, 10_000], 60_000);
    expect(close.from).toBeLessThanOrEqual(9_000);
    expect(close.to).toBeGreaterThanOrEqual(10_000);
    const far = focusWindow(violation, [100, 10_000], 60_000);
    expect(far.from).toBeGreaterThan(100);
    expect(far.to).toBeGreaterThanOrEqual(10_000);
    const early = focusWindow({ ...violation, time: 50 }, [], 60_000);
    expect(early.from).toBe(0);
    expect(early.to - early.from).toBeGreaterThanOrEqual(300);
  });
});
