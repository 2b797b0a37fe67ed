// The HTML report in a real headless browser (Debian's chromium through playwright-core): a
// failing trace draws its lanes, arrows and highlighted witnesses without console errors, zoom
// works, the linearizability view marks the operation that cannot be placed, and a crafted trace
// full of markup runs none of it. Skipped, with the package to install, when chromium is absent,
// unless RAFTSIM_REQUIRE_E2E=1 (CI), where a missing browser fails the test instead.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftedTrace, failingTrace } from '../reports/html/test-fixtures.test-helper.ts';
import type { TraceEvent } from '../sim/events.ts';
import { main as reportMain } from './cli/report.ts';
import { captureIo } from './cli/test-io.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env['RAFTSIM_REQUIRE_E2E'] === '1';
const MAX_ARROWS = 1500;

if (!available && !required) {
  console.warn(`report e2e tests skipped: no browser at ${CHROMIUM} (install it with: apt-get install chromium)`);
}

/** Runs an expression in the page (as text: this project's TypeScript has no DOM types). */
function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/**
 * Polls an expression until it is true. Not page.waitForFunction: that evaluates strings inside the
 * page, which the report's Content-Security-Policy (rightly) refuses as 'unsafe-eval'.
 */
async function waitInPage(page: Page, expression: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await inPage<boolean>(page, expression)) return;
    await page.waitForTimeout(25);
  }
  throw new Error(`timed out waiting in the page for: ${expression}`);
}

/** Arrows the page must draw for a window, counted from the raw events (not from the report's model). */
function expectedArrows(events: readonly TraceEvent[], from: number, to: number): number {
  const sentAt = new Map<number, number>();
  const open = new Map<number, number>();
  let count = 0;
  for (const event of events) {
    if (event.type === 'send') {
      sentAt.set(event.id, event.time);
      open.set(event.id, 1);
    } else if (event.type === 'duplicate') open.set(event.id, (open.get(event.id) ?? 0) + 1);
    else if (event.type === 'deliver' || event.type === 'drop') {
      const sent = sentAt.get(event.id);
      if (sent === undefined) continue;
      open.set(event.id, (open.get(event.id) ?? 1) - 1);
      if (sent <= to && event.time >= from) count++;
    }
  }
  for (const [id, copies] of open) if (copies > 0 && (sentAt.get(id) ?? Infinity) <= to) count += copies;
  return Math.min(count, MAX_ARROWS);
}

describe.skipIf(!available && !required)('HTML report in headless chromium', () => {
  let context: BrowserContext;
  let directory: string;
  const requests: string[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`RAFTSIM_REQUIRE_E2E=1 but there is no browser at ${CHROMIUM}: apt-get install chromium`);
    directory = mkdtempSync(join(tmpdir(), 'raftsim-report-e2e-'));
    context = await chromium.launchPersistentContext(join(directory, 'profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1300, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    context.on('request', (request) => void requests.push(request.url()));
  });

  afterAll(async () => {
    await context?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  /** Writes the trace, runs `npm run report` on it, and opens the page; collects every console error. */
  async function open(name: string, text: string): Promise<{ page: Page; errors: string[]; dialogs: string[]; file: string }> {
    const trace = join(directory, `${name}.trace.jsonl`);
    writeFileSync(trace, text);
    const io = captureIo();
    expect(reportMain([trace], io)).toBe(0);
    const file = join(directory, `${name}.html`);
    expect(io.out.join('\n')).toContain(file);
    const page = await context.newPage();
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text()); });
    page.on('pageerror', (error) => void errors.push(error.message));
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#diagram .lane');
    return { page, errors, dialogs, file };
  }

  it('draws a failing run: one lane per node, the arrows of the window, the witnesses ringed, no console errors', async () => {
    const { trace, text, report } = failingTrace('vote');
    expect(report.verdict).toBe('fail');
    const { page, errors, file } = await open('vote', text);
    const counts = await inPage<{ lanes: number; arrows: number; witnesses: number; from: number; to: number; verdict: string; verdictClass: string }>(page, `(() => {
      const diagram = document.getElementById('diagram');
      return {
        lanes: diagram.querySelectorAll('.lane').length,
        arrows: diagram.querySelectorAll('.arrow').length,
        witnesses: diagram.querySelectorAll('.witness-mark').length,
        from: Number(diagram.getAttribute('data-from')),
        to: Number(diagram.getAttribute('data-to')),
        verdict: document.getElementById('verdict').textContent,
        verdictClass: document.getElementById('verdict').className,
      };
    })()`);
    expect(counts.lanes).toBe(trace.header.options.nodes);
    expect(counts.arrows).toBeGreaterThan(0);
    expect(counts.arrows).toBe(expectedArrows(trace.events, counts.from, counts.to));
    const witnesses = (report.failure?.witnesses ?? []).filter((index) => {
      const time = trace.events[index]?.time ?? -1;
      return time >= counts.from && time <= counts.to;
    });
    expect(witnesses.length).toBeGreaterThan(0);
    expect(counts.witnesses).toBe(witnesses.length);
    expect(counts.verdict).toContain(`FAIL: ${report.failure?.checker}`);
    expect(counts.verdictClass).toContain('verdict-fail');
    mkdirSync(join('reports', 'runs'), { recursive: true });
    const shot = await page.screenshot({ fullPage: true, path: join('reports', 'runs', 'report-e2e.png') });
    expect([...shot.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join('')).toBe('PNG');
    expect(errors).toEqual([]);
    expect(requests.every((url) => url === pathToFileURL(file).href || url.startsWith('file:'))).toBe(true);
    await page.close();
  });

  it('zooms out to the whole run and back, drawing only a bounded window', async () => {
    const { trace, text } = failingTrace('vote');
    const { page, errors } = await open('zoom', text);
    const endMs = trace.events.reduce((latest, event) => Math.max(latest, event.time), 0);
    const read = (): Promise<{ from: number; to: number; arrows: number }> => inPage(page, `(() => {
      const diagram = document.getElementById('diagram');
      return { from: Number(diagram.getAttribute('data-from')), to: Number(diagram.getAttribute('data-to')), arrows: diagram.querySelectorAll('.arrow').length };
    })()`);
    const first = await read();
    await page.click('#whole-run');
    await waitInPage(page, "document.getElementById('diagram').getAttribute('data-from') === '0'");
    const whole = await read();
    expect(whole.to).toBe(endMs);
    expect(whole.arrows).toBe(expectedArrows(trace.events, 0, endMs));
    expect(whole.arrows).toBeLessThanOrEqual(MAX_ARROWS);
    const box = await page.locator('#diagram').boundingBox();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + 60);
    await page.mouse.wheel(0, -300);
    await waitInPage(page, `(() => {
      const diagram = document.getElementById('diagram');
      return Number(diagram.getAttribute('data-to')) - Number(diagram.getAttribute('data-from')) < ${endMs};
    })()`);
    const zoomed = await read();
    expect(zoomed.to - zoomed.from).toBeLessThan(endMs);
    await page.click('#to-violation');
    await waitInPage(page, `Number(document.getElementById('diagram').getAttribute('data-from')) === ${first.from}`);
    expect(await read()).toEqual(first);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a linearizability failure like Porcupine: the failing key, the prefix, the operation that cannot be placed', async () => {
    const { text, report } = failingTrace('lin');
    expect(report.failure?.checker).toBe('linearizability');
    const explanation = report.lin?.verdict === 'fail' ? report.lin.explanation : null;
    const { page, errors } = await open('lin', text);
    const view = await inPage<{ blocked: number; prefix: number; selected: string; explanation: string; verdict: string }>(page, `({
      blocked: document.querySelectorAll('#lin-view .op-blocked').length,
      prefix: document.querySelectorAll('#lin-view .op-prefix').length,
      selected: document.getElementById('lin-key').selectedOptions[0].textContent,
      explanation: document.getElementById('lin-explanation').textContent,
      verdict: document.getElementById('verdict').textContent,
    })`);
    expect(view.blocked).toBe(1);
    expect(view.prefix).toBeGreaterThan(0);
    expect(view.prefix).toBeLessThanOrEqual(explanation?.prefix.length ?? 0);
    expect(view.selected).toContain(`key ${explanation?.key} `);
    expect(view.explanation).toContain(`Cannot place #${explanation?.blocked.id}`);
    expect(view.verdict).toContain('FAIL: linearizability');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs nothing from a crafted trace: <script> and <img onerror> stay text', async () => {
    const { text } = craftedTrace();
    const { page, errors, dialogs, file } = await open('crafted', text);
    const state = await inPage<{ pwned: unknown; images: number; scripts: number; handlers: number; summary: string; keys: string; verdict: string }>(page, `({
      pwned: window.__pwned === undefined ? null : window.__pwned,
      images: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
      handlers: document.querySelectorAll('[onload], [onerror]').length,
      summary: document.getElementById('summary').textContent,
      keys: document.getElementById('lin-key').textContent,
      verdict: document.getElementById('verdict').textContent,
    })`);
    expect(state.pwned).toBeNull();
    expect(dialogs).toEqual([]);
    expect(state.images).toBe(0);
    expect(state.scripts).toBe(2);
    expect(state.handlers).toBe(0);
    expect(state.summary).toContain('</script><script>window.__pwned = 1');
    expect(state.keys).toContain('</script><script>');
    expect(state.verdict).toContain('FAIL: linearizability');
    expect(errors).toEqual([]);
    expect(readFileSync(file, 'utf8')).not.toContain('<img');
    await page.close();
  });
});
