import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EntrySummary, TraceEvent } from '../../sim/events.ts';
import { FAILING_BUG, failingTrace } from '../../scenarios/replay-fixture.ts';
import { applyEvent, initialState, LOG_TAIL_MAX } from './fold.ts';
import type { ClusterState } from './fold.ts';
import { ReplayModel } from './model.ts';

const entries = (from: number, terms: readonly number[]): EntrySummary[] =>
  terms.map((term, offset) => ({ index: from + offset, term, digest: from + offset }));

function foldFromStart(events: readonly TraceEvent[], nodes: number, upTo: number): ClusterState {
  const state = initialState(nodes);
  for (let index = 0; index <= upTo; index++) applyEvent(state, events[index] as TraceEvent);
  return state;
}

describe('the fold', () => {
  it('replaces the log from an append index on, keeping last index and term', () => {
    const state = initialState(1);
    const events: TraceEvent[] = [
      { time: 0, type: 'restart', node: 1 },
      { time: 1, type: 'append', node: 1, from: 1, entries: entries(1, [1, 1, 2, 2]) },
      { time: 2, type: 'append', node: 1, from: 3, entries: entries(3, [3]) },
    ];
    for (const event of events) applyEvent(state, event);
    const node = state.nodes[0];
    expect(node?.lastIndex).toBe(3);
    expect(node?.lastTerm).toBe(3);
    expect(node?.tail.map((entry) => entry.term)).toEqual([1, 1, 3]);
  });

  it('keeps only a bounded tail of a long log but knows its last entry', () => {
    const state = initialState(1);
    applyEvent(state, { time: 0, type: 'append', node: 1, from: 1, entries: entries(1, Array.from({ length: 1000 }, (_, i) => 1 + Math.floor(i / 100))) });
    const node = state.nodes[0];
    expect(node?.tail.length).toBe(LOG_TAIL_MAX);
    expect(node?.tail[0]?.index).toBe(1000 - LOG_TAIL_MAX + 1);
    expect([node?.lastIndex, node?.lastTerm]).toEqual([1000, 10]);
  });

  it('a restart forgets volatile state; the restored snapshot and log come back as events', () => {
    const state = initialState(1);
    const events: TraceEvent[] = [
      { time: 0, type: 'restart', node: 1 },
      { time: 1, type: 'append', node: 1, from: 1, entries: entries(1, [1, 1, 1]) },
      { time: 2, type: 'commit', node: 1, index: 3 },
      { time: 3, type: 'crash', node: 1, lostEntries: 1, torn: false },
    ];
    for (const event of events) applyEvent(state, event);
    expect(state.nodes[0]?.liveness).toBe('down');
    applyEvent(state, { time: 4, type: 'restart', node: 1 });
    applyEvent(state, { time: 4, type: 'snapshot', node: 1, index: 2, term: 1, digest: 0 });
    applyEvent(state, { time: 4, type: 'append', node: 1, from: 3, entries: entries(3, [1]) });
    const node = state.nodes[0];
    expect([node?.liveness, node?.commit, node?.applied, node?.snapshotIndex, node?.lastIndex, node?.lastTerm]).toEqual(['up', 0, 2, 2, 3, 1]);
  });

  it('tracks messages in flight through duplicates, deliveries and drops', () => {
    const state = initialState(2);
    const message = { type: 'TimeoutNow', from: 1, to: 2, term: 4 } as const;
    applyEvent(state, { time: 0, type: 'send', id: 7, message });
    applyEvent(state, { time: 0, type: 'duplicate', id: 7, copy: 1 });
    applyEvent(state, { time: 1, type: 'deliver', id: 7, from: 1, to: 2 });
    expect(state.inFlight.get(7)?.copies).toBe(1);
    applyEvent(state, { time: 2, type: 'drop', id: 7, from: 1, to: 2, reason: 'loss' });
    expect(state.inFlight.size).toBe(0);
  });

  it('a partition replaces the cut, heal clears it; calls stay pending until they return', () => {
    const state = initialState(3);
    applyEvent(state, { time: 0, type: 'partition', kind: 'isolate', cut: [[1, 2], [2, 1]] });
    applyEvent(state, { time: 1, type: 'partition', kind: 'asymmetric', cut: [[3, 1]] });
    expect(state.cut).toEqual([[3, 1]]);
    applyEvent(state, { time: 2, type: 'heal' });
    expect(state.cut).toEqual([]);
    applyEvent(state, { time: 3, type: 'call', client: 1, op: 9, node: 2, input: { type: 'read', key: 'k' } });
    expect([...state.pending.keys()]).toEqual([9]);
    applyEvent(state, { time: 4, type: 'return', client: 1, op: 9, output: { type: 'unknown' } });
    expect(state.pending.size).toBe(0);
  });
});

describe('ReplayModel on the failing trace of a mutant', () => {
  const fixture = failingTrace();

  it('the pinned seed still fails with the mutant, and the model finds the violation', () => {
    expect(fixture.report.verdict).toBe('fail');
    expect(fixture.header.bugs).toEqual([FAILING_BUG]);
    const model = new ReplayModel(fixture.events, fixture.header.options.nodes);
    expect(model.violations.length).toBeGreaterThan(0);
    expect(fixture.events[model.violations[0] as number]?.type).toBe('violation');
  });

  it('a seek from a checkpoint equals the fold from the start, in any order and checkpoint spacing', () => {
    const events = fixture.events;
    const nodes = fixture.header.options.nodes;
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.integer({ min: -1, max: events.length - 1 }), { minLength: 1, maxLength: 5 }),
      (every, seeks) => {
        const model = new ReplayModel(events, nodes, { checkpointEvery: every });
        for (const index of seeks) {
          const frame = model.frameAt(index);
          expect(frame.index).toBe(index);
          expect(frame.state).toEqual(foldFromStart(events, nodes, index));
        }
      },
    ), { numRuns: 40 });
  });

  it('seeking does not disturb the checkpoints (a frame is a copy)', () => {
    const model = new ReplayModel(fixture.events, fixture.header.options.nodes, { checkpointEvery: 64 });
    const before = model.frameAt(200);
    model.frameAt(1000).state.nodes[0]?.tail.push({ index: -1, term: -1, digest: 0 });
    expect(model.frameAt(200)).toEqual(before);
  });

  it('the last frame agrees with the last commit event of each node', () => {
    const model = new ReplayModel(fixture.events, fixture.header.options.nodes);
    const last = model.frameAt(model.length - 1).state;
    for (let node = 1; node <= fixture.header.options.nodes; node++) {
      const commits = fixture.events.filter((event) => event.type === 'commit' && event.node === node);
      const lastCommit = commits[commits.length - 1];
      expect(last.nodes[node - 1]?.commit).toBe(lastCommit?.type === 'commit' ? lastCommit.index : 0);
    }
  });

  it('n/p stop at role changes, faults, commits and violations; find matches types and message types', () => {
    const model = new ReplayModel(fixture.events, fixture.header.options.nodes);
    const kinds = ['role', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'commit', 'violation', 'phase'];
    const naive = fixture.events.flatMap((event, index) => (kinds.includes(event.type) ? [index] : []));
    for (const from of [0, 100, 1000, fixture.events.length - 2]) {
      expect(model.nextInteresting(from, 1)).toBe(naive.find((index) => index > from) ?? null);
      expect(model.nextInteresting(from, -1)).toBe(naive.filter((index) => index < from).pop() ?? null);
    }
    const followed = model.nextInteresting(0, 1, 2);
    const event = fixture.events[followed as number];
    expect(event !== undefined && 'node' in event ? event.node : 2).toBe(2);
    const vote = model.find(0, 'requestvote');
    expect(vote === null ? null : fixture.events[vote]?.type).toBe('send');
    expect(model.find(0, 'no-such-event')).toBeNull();
  });
});

describe('saved traces under reports/runs', () => {
  it('every saved trace folds without breaking an assertion', () => {
    const directory = join('reports', 'runs');
    let files: string[] = [];
    try {
      files = readdirSync(directory).filter((name) => name.endsWith('.trace.jsonl')).slice(0, 2);
    } catch {
      files = [];
    }
    for (const file of files) {
      const lines = readFileSync(join(directory, file), 'utf8').trimEnd().split('\n');
      const header = JSON.parse(lines[0] as string) as { options: { nodes: number } };
      const events = lines.slice(1, -1).map((line) => JSON.parse(line) as TraceEvent);
      expect(() => new ReplayModel(events, header.options.nodes)).not.toThrow();
    }
  });
});
