// Failing traces for the HTML report's tests, made by mutants over pinned seeds (the tests assert
// that they still fail). Test-only: reports/ never drives a simulation, its tests may.
import type { BugId, Message } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { DEFAULT_OPTIONS, validateOptions } from '../../sim/options.ts';
// eslint-disable-next-line no-restricted-imports -- test helper: builds fixtures, not part of reports/
import { runSimulation } from '../../scenarios/run.ts';
// eslint-disable-next-line no-restricted-imports -- test helper, as above
import { specForSeed } from '../../scenarios/spec.ts';
import type { RunReport } from '../run-report.ts';
import { decodeTrace, encodeTrace, TRACE_FORMAT } from '../trace-file.ts';
import type { Trace, TraceHeader } from '../trace-file.ts';

export const FIXTURES = {
  /** A safety failure (invariants: a node's term goes down) with two witness events, 5 nodes. */
  vote: { bug: 'vote-not-persisted', seed: '9', checker: 'invariants' },
  /** A linearizability failure (a retried cas applied twice), 5 nodes. */
  lin: { bug: 'client-retry-no-dedup', seed: '20', checker: 'linearizability' },
} as const satisfies Record<string, { bug: BugId; seed: string; checker: string }>;

export type FixtureName = keyof typeof FIXTURES;

const cache = new Map<FixtureName, { trace: Trace; text: string; report: RunReport }>();

/** The run, and its trace as the CLI writes it and as decodeTrace reads it back. */
export function failingTrace(name: FixtureName): { trace: Trace; text: string; report: RunReport } {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const fixture = FIXTURES[name];
  const spec = specForSeed(fixture.seed, { preset: null, override: { durationMs: 8000 }, bugs: [fixture.bug], record: true });
  const report = runSimulation(spec);
  const header: TraceHeader = {
    format: TRACE_FORMAT, raftsim: '0.1.0', seed: fixture.seed, scenario: null,
    options: spec.options, schedule: spec.schedule, bugs: spec.bugs,
  };
  const text = [...encodeTrace(header, report.sim.events ?? [])].join('\n') + '\n';
  const made = { trace: decodeTrace(text), text, report };
  cache.set(name, made);
  return made;
}

/** Strings that would run script if a page ever parsed them as HTML. */
export const PAYLOADS = {
  script: '</script><script>window.__pwned = 1; alert(1)</script>',
  image: '<img src=x onerror="window.__pwned = 2; alert(2)">',
  svg: '<svg onload="window.__pwned = 3; alert(3)"></svg>',
  quotes: '"\'><b>bold</b>&amp; \u2028 <!-- -->',
} as const;

/** A small, valid trace whose header, keys, values and violation carry the payloads. */
export function craftedTrace(): { trace: Trace; text: string } {
  const options = validateOptions({ ...DEFAULT_OPTIONS, nodes: 3 });
  const header: TraceHeader = {
    format: TRACE_FORMAT, raftsim: '0.1.0', seed: '7', scenario: PAYLOADS.script, options, schedule: [], bugs: [],
  };
  const append: Message = { type: 'AppendEntries', from: 1, to: 2, term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, round: 1 };
  const entry = { index: 1, term: 1, digest: 7, clientId: 0, sequence: 1 };
  const events: TraceEvent[] = [
    { time: 0, type: 'phase', phase: 'safety' },
    { time: 1, type: 'term', node: 1, term: 1, vote: 1 },
    { time: 1, type: 'role', node: 1, role: 'candidate', term: 1 },
    { time: 2, type: 'role', node: 1, role: 'leader', term: 1 },
    { time: 3, type: 'send', id: 0, message: append },
    { time: 5, type: 'deliver', id: 0, from: 1, to: 2 },
    { time: 10, type: 'call', client: 0, op: 0, node: 1, input: { type: 'command', command: { clientId: 0, sequence: 1, op: { type: 'put', key: PAYLOADS.script, value: PAYLOADS.image } } } },
    { time: 12, type: 'append', node: 1, from: 1, entries: [entry] },
    { time: 14, type: 'append', node: 2, from: 1, entries: [entry] },
    { time: 15, type: 'commit', node: 1, index: 1 },
    { time: 16, type: 'apply', node: 1, entry },
    { time: 20, type: 'return', client: 0, op: 0, output: { type: 'result', result: { type: 'ok' } } },
    { time: 30, type: 'call', client: 1, op: 0, node: 1, input: { type: 'read', key: PAYLOADS.script } },
    { time: 40, type: 'return', client: 1, op: 0, output: { type: 'result', result: { type: 'value', value: PAYLOADS.svg } } },
    { time: 50, type: 'violation', checker: PAYLOADS.quotes, message: `${PAYLOADS.script} ${PAYLOADS.image}` },
  ];
  const text = [...encodeTrace(header, events)].join('\n') + '\n';
  return { trace: decodeTrace(text), text };
}
