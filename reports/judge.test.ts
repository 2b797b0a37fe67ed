import { describe, expect, it } from 'vitest';
import { Judge } from './judge.ts';
import { entry, TraceBuilder } from './checkers/test-trace.ts';
import type { TraceEvent } from '../sim/events.ts';

function judged(events: readonly TraceEvent[], checkers: boolean, history = true): Judge {
  const judge = new Judge(checkers ? {} : null, history);
  events.forEach((event, index) => judge.observe(event, index));
  return judge;
}

describe('judge', () => {
  it('counts the client calls it saw, with checkers on or off, and none after the run halted', () => {
    const trace = new TraceBuilder().leader(1, 1).write(1, 1, 1).get(2, 2, 1).apply(1, entry(1, 1)).returnOk(1, 1).write(1, 3, 2);
    for (const checkers of [true, false]) expect(judged(trace.events, checkers).operations).toBe(3);
    const halted = [...trace.events, { time: 9, type: 'assertion', node: 1, message: 'broken' } as const, ...new TraceBuilder().write(3, 4, 1).events];
    expect(judged(halted, true).operations).toBe(3);
  });

  it('without a history counts the same calls and halts the same, and refuses to check linearizability', () => {
    const trace = new TraceBuilder().leader(1, 1).write(1, 1, 1).get(2, 2, 1).apply(1, entry(1, 1)).returnOk(1, 1).write(1, 3, 2);
    const halted = [...trace.events, { time: 9, type: 'assertion', node: 1, message: 'broken' } as const, ...new TraceBuilder().write(3, 4, 1).events];
    for (const checkers of [true, false]) {
      expect(judged(trace.events, checkers, false).operations).toBe(3);
      const judgement = judged(halted, checkers, false).finish({ linearizability: false });
      expect(judgement.verdict).toBe('fail');
      expect(judgement.failure?.checker).toBe('invariants');
    }
    expect(judged(trace.events, false, false).finish({ linearizability: false }).verdict).toBe('pass');
    expect(() => judged(trace.events, false, false).finish({ linearizability: true })).toThrow(/no history/);
    expect(judged(trace.events, false, true).finish({ linearizability: true }).lin?.verdict).toBe('pass');
  });
});
