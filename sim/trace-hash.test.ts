// The trace hash (raftsim-trace/2): a structural walk over each event's fields. What it must do:
// equal the hash of the same events decoded from their JSON lines (the footer is checked offline),
// change with every field of every event, and tell values apart exactly as JSON writes them.
import { describe, expect, it } from 'vitest';
import { decodeTrace, encodeTrace, TRACE_FORMAT, traceHash } from '../reports/trace-file.ts';
import type { TraceHeader } from '../reports/trace-file.ts';
import { runSimulation } from '../scenarios/run.ts';
import { specForSeed } from '../scenarios/spec.ts';
import type { TraceEvent } from './events.ts';
import { TraceHasher } from './hash.ts';

function recorded(seed: string, durationMs = 20_000): { events: readonly TraceEvent[]; hash: string; header: TraceHeader } {
  const spec = specForSeed(seed, { preset: null, override: { durationMs }, bugs: [], record: true });
  const report = runSimulation(spec);
  const header: TraceHeader = { format: TRACE_FORMAT, raftsim: '0.1.0', seed, scenario: null, options: spec.options, schedule: spec.schedule, bugs: [] };
  return { events: report.sim.events ?? [], hash: report.sim.hash ?? '', header };
}

function hashOne(event: unknown): string {
  const hasher = new TraceHasher();
  hasher.event(event as TraceEvent);
  return hasher.digest();
}

/** Every leaf of a JSON value, as a path and a changed copy of the whole value. */
function mutations(value: unknown): { path: string; changed: unknown }[] {
  const found: { path: string; changed: unknown }[] = [];
  const visit = (node: unknown, path: string, replace: (next: unknown) => unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${path}[${index}]`, (next) => replace(node.map((old, at) => (at === index ? next : old)))));
      if (node.length > 0) found.push({ path: `${path}.length`, changed: replace(node.slice(0, -1)) });
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) {
        visit((node as Record<string, unknown>)[key], `${path}.${key}`, (next) => replace({ ...node, [key]: next }));
      }
    } else if (typeof node === 'number') {
      found.push({ path, changed: replace(node + 1) });
    } else if (typeof node === 'string') {
      if (!path.endsWith('.type')) found.push({ path, changed: replace(`${node}x`) });
    } else if (typeof node === 'boolean') {
      found.push({ path, changed: replace(!node) });
    } else if (node === null) {
      found.push({ path, changed: replace(0) });
    }
  };
  visit(value, 'event', (next) => next);
  return found;
}

describe('the trace hash', () => {
  it('is 16 hex digits, the same live, over the recorded events and over the decoded trace', () => {
    for (const seed of ['1', '7', '42', '311']) {
      const run = recorded(seed);
      expect(run.hash).toMatch(/^[0-9a-f]{16}$/);
      expect(traceHash(run.events)).toBe(run.hash);
      const text = [...encodeTrace(run.header, run.events)].join('\n');
      const decoded = decodeTrace(text);
      expect(decoded.footer.hash).toBe(run.hash);
      expect(traceHash(decoded.events)).toBe(run.hash);
      // A hash of decoded events does not depend on the key order of the lines.
      const reordered = decoded.events.map((event) => Object.fromEntries(Object.entries(event).reverse()) as unknown as TraceEvent);
      expect(traceHash(reordered)).toBe(run.hash);
    }
  });

  it('changes with every field of every kind of event and message', () => {
    const samples = new Map<string, TraceEvent>();
    for (const seed of ['1', '2', '3', '7', '42', '311']) {
      for (const event of recorded(seed).events) {
        const kind = event.type === 'send' ? `send ${event.message.type}` : event.type === 'call' || event.type === 'return'
          ? `${event.type} ${JSON.stringify(event).replace(/[^a-z]+/g, ' ').slice(0, 60)}` : event.type === 'append' && event.entries.length > 0
            ? 'append nonempty' : event.type;
        if (!samples.has(kind)) samples.set(kind, event);
      }
    }
    // Two kinds these seeds do not make: a leadership transfer and a failing run.
    samples.set('send TimeoutNow', { time: 5, type: 'send', id: 9, message: { type: 'TimeoutNow', from: 1, to: 2, term: 3 } });
    samples.set('violation', { time: 5, type: 'violation', checker: 'log-matching', message: 'nodes 1 and 2 differ' });
    // And the facts a run writes for the checkers: the liveness phase's checkpoint, a node's own assertion.
    samples.set('checkpoint', { time: 5, type: 'checkpoint', leader: 2, term: 3, commit: 9, heldMs: 700, idle: true, members: [[1, 3, 9, 0], [3, 4, 5, 900]] });
    samples.set('checkpoint without a leader', { time: 5, type: 'checkpoint', leader: null, term: 0, commit: 0, heldMs: 0, idle: false, members: [] });
    samples.set('assertion', { time: 5, type: 'assertion', node: 2, message: 'commit went back from 2 to 1' });
    expect(samples.size).toBeGreaterThan(24);
    for (const event of samples.values()) {
      const base = hashOne(event);
      for (const { path, changed } of mutations(event)) expect(hashOne(changed), path).not.toBe(base);
    }
  });

  it('tells numbers apart as JSON writes them, -0 as 0 and non-finite numbers as null', () => {
    const numbers = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, -(2 ** 32), Number.MAX_SAFE_INTEGER, 0.5, 1e300, -0.5];
    const digests = numbers.map((time) => hashOne({ time, type: 'heal' }));
    expect(new Set(digests).size).toBe(numbers.length);
    expect(hashOne({ time: -0, type: 'heal' })).toBe(hashOne({ time: 0, type: 'heal' }));
    const vote = (value: number | null): string => hashOne({ time: 1, type: 'term', node: 1, term: 1, vote: value });
    expect(vote(Number.NaN)).toBe(vote(null));
    expect(vote(0)).not.toBe(vote(null));
  });

  it('is sensitive to order and to string boundaries', () => {
    const a: TraceEvent = { time: 1, type: 'violation', checker: 'ab', message: 'c' };
    const b: TraceEvent = { time: 1, type: 'violation', checker: 'a', message: 'bc' };
    expect(hashOne(a)).not.toBe(hashOne(b));
    const first = new TraceHasher();
    first.event(a);
    first.event(b);
    const second = new TraceHasher();
    second.event(b);
    second.event(a);
    expect(first.digest()).not.toBe(second.digest());
    expect(new TraceHasher().digest()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same value whether a string was cached or not', () => {
    const event: TraceEvent = { time: 3, type: 'violation', checker: 'x'.repeat(10), message: 'y'.repeat(100) };
    const before = hashOne(event);
    for (let index = 0; index < 20_000; index++) hashOne({ time: 1, type: 'violation', checker: `c${index}`, message: '' });
    expect(hashOne(event)).toBe(before);
  });

  it('walks a message it does not know generically: every key and value, in JSON order', () => {
    const send = (message: unknown): string => hashOne({ time: 1, type: 'send', id: 1, message });
    const base = send({ type: 'Custom', from: 1, to: 2, term: 3, extra: 'a' });
    expect(send({ type: 'Custom', from: 1, to: 2, term: 3, extra: 'b' })).not.toBe(base);
    expect(send({ type: 'Custom', from: 1, to: 2, term: 3, other: 'a' })).not.toBe(base);
    expect(send({ type: 'Custom', from: 1, to: 2, term: 3, extra: 'a', gone: undefined })).toBe(base);
    expect(send(JSON.parse(JSON.stringify({ type: 'Custom', from: 1, to: 2, term: 3, extra: 'a' })))).toBe(base);
  });
});
