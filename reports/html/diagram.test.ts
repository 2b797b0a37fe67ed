import { describe, expect, it } from 'vitest';
import type { Message } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { BAND_ROLES, buildArrows, buildBands, buildDiagram, buildSpans, OUTCOMES, SPAN_KINDS } from './diagram.ts';
import { failingTrace } from './test-fixtures.test-helper.ts';

function vote(from: number, to: number): Message {
  return { type: 'RequestVote', from, to, term: 2, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: false };
}

describe('buildArrows', () => {
  it('draws one arrow per copy: delivered, duplicated, dropped with its reason, and still in flight', () => {
    const events: TraceEvent[] = [
      { time: 10, type: 'send', id: 1, message: vote(1, 2) },
      { time: 10, type: 'duplicate', id: 1, copy: 1 },
      { time: 12, type: 'send', id: 2, message: vote(1, 3) },
      { time: 15, type: 'drop', id: 2, from: 1, to: 3, reason: 'partition' },
      { time: 20, type: 'deliver', id: 1, from: 1, to: 2 },
      { time: 25, type: 'send', id: 3, message: vote(2, 1) },
      { time: 30, type: 'deliver', id: 1, from: 1, to: 2 },
    ];
    const { arrows, longestArrowMs } = buildArrows(events, 40);
    expect(arrows.map((arrow) => [arrow[0], arrow[1], arrow[2], arrow[3], OUTCOMES[arrow[4]], arrow[5], arrow[7]])).toEqual([
      [10, 20, 1, 2, 'deliver', 0, 1],
      [10, 30, 1, 2, 'deliver', 1, 1],
      [12, 15, 1, 3, 'partition', 0, 2],
      [25, 40, 2, 1, 'in-flight', 0, 3],
    ]);
    expect(longestArrowMs).toBe(20);
    expect(arrows.map((arrow) => [arrow[8], arrow[9]])).toEqual([[0, 4], [0, 6], [2, 3], [5, -1]]);
  });

  it('on a real run: every delivery and drop is an arrow, sorted by send time, none longer than the longest', () => {
    const { trace } = failingTrace('vote');
    const events = trace.events;
    const endMs = events.reduce((latest, event) => Math.max(latest, event.time), 0);
    const { arrows, longestArrowMs } = buildArrows(events, endMs);
    const ended = events.filter((event) => event.type === 'deliver' || event.type === 'drop').length;
    const inFlight = arrows.filter((arrow) => OUTCOMES[arrow[4]] === 'in-flight').length;
    expect(arrows.length).toBe(ended + inFlight);
    const sent = new Set(events.flatMap((event) => (event.type === 'send' ? [event.id] : [])));
    expect(new Set(arrows.map((arrow) => arrow[7]))).toEqual(sent);
    const sentTimes = arrows.map((arrow) => arrow[0]);
    expect(sentTimes).toEqual([...sentTimes].sort((a, b) => a - b));
    for (const arrow of arrows) expect(arrow[1] - arrow[0]).toBeLessThanOrEqual(longestArrowMs);
  });
});

describe('buildBands', () => {
  it('tiles each lane from 0 to the end, and gives the role and term of the latest event at every instant', () => {
    const { trace } = failingTrace('vote');
    const events = trace.events;
    const nodes = trace.header.options.nodes;
    const endMs = events.reduce((latest, event) => Math.max(latest, event.time), 0);
    const bands = buildBands(events, nodes, endMs);
    for (let node = 1; node <= nodes; node++) {
      const lane = bands.filter((band) => band[0] === node);
      expect(lane[0]?.[1]).toBe(0);
      expect(lane[lane.length - 1]?.[2]).toBe(endMs);
      for (let index = 1; index < lane.length; index++) expect(lane[index]?.[1]).toBe(lane[index - 1]?.[2]);
    }
    // Naive reference: replay the events up to a sample instant.
    for (const sample of [endMs / 7, endMs / 3, endMs / 2, (endMs * 5) / 6]) {
      for (let node = 1; node <= nodes; node++) {
        let role = 'follower';
        let term = 0;
        for (const event of events) {
          if (event.time > sample) break;
          if (event.type === 'role' && event.node === node) [role, term] = [event.role, event.term];
          if (event.type === 'term' && event.node === node) term = event.term;
          if (event.type === 'crash' && event.node === node) role = 'down';
          if (event.type === 'restart' && event.node === node) role = 'follower';
        }
        const band = bands.find((candidate) => candidate[0] === node && candidate[1] <= sample && sample < candidate[2]);
        expect(band && [BAND_ROLES[band[3]], band[4]]).toEqual([role, term]);
      }
    }
  });
});

describe('buildSpans', () => {
  it('pairs crash with restart and pause with resume, shades every node a partition cuts, closes open spans at the end', () => {
    const events: TraceEvent[] = [
      { time: 5, type: 'crash', node: 2, lostEntries: 0, torn: false },
      { time: 8, type: 'pause', node: 3 },
      { time: 9, type: 'partition', kind: 'isolate', cut: [[1, 2], [2, 1], [1, 3], [3, 1]] },
      { time: 12, type: 'restart', node: 2 },
      { time: 14, type: 'heal' },
    ];
    const { spans, partitions } = buildSpans(events, 50);
    expect(spans.map((span) => [span[0], span[1], span[2], SPAN_KINDS[span[3]]])).toEqual([
      [2, 5, 12, 'crash'], [3, 8, 50, 'pause'], [1, 9, 14, 'partition'], [2, 9, 14, 'partition'], [3, 9, 14, 'partition'],
    ]);
    expect(partitions).toEqual([{ from: 9, to: 14, kind: 'isolate', cut: [[1, 2], [2, 1], [1, 3], [3, 1]] }]);
  });

  it('buildDiagram keeps one commit mark per commit event', () => {
    const { trace } = failingTrace('vote');
    const diagram = buildDiagram(trace.events, trace.header.options.nodes);
    expect(diagram.commits.length).toBe(trace.events.filter((event) => event.type === 'commit').length);
    expect(diagram.nodes).toBe(trace.header.options.nodes);
  });
});
