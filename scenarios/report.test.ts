// The HTML report (no browser here; the browser test is still to come): values from a trace are
// escaped, the page is self-contained, and a failing trace's violation is named.
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderReport } from '../reports/html/index.ts';
import { decodeTrace } from '../reports/trace-file.ts';
import { failingTrace } from './replay-fixture.ts';

describe('HTML report', () => {
  it('escapes markup in text and in embedded JSON', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    const json = jsonForScript({ value: '</script><script>alert(1)</script>' });
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual({ value: '</script><script>alert(1)</script>' });
  });

  it('renders a self-contained page that names the violation of a failing trace', () => {
    const trace = decodeTrace(failingTrace().lines.join('\n') + '\n');
    expect(trace.events.some((event) => event.type === 'violation')).toBe(true);
    const html = renderReport(trace, { source: 'seed-1.trace.jsonl' });
    expect(html).toMatch(/^<!doctype html>/i);
    // Nothing is fetched: no external scripts, styles or addresses (the SVG namespace is a name, not a fetch).
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html).toContain('invariants');
  });
});
