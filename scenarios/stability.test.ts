// The stability checker on real runs: a calm cluster of the correct core is judged most of its
// run and passes; the same trace with one follower's campaign written into the middle of it fails
// when judged offline (reports/judge.ts judgeTrace, what `npm run check -- --judge` runs).
import { describe, expect, it } from 'vitest';
import { ClusterView } from '../reports/checkers/cluster-view.ts';
import { Stability, stabilityOptions } from '../reports/checkers/stability.ts';
import { judgeTrace } from '../reports/judge.ts';
import type { TraceEvent } from '../sim/events.ts';
import { runSimulation } from './run.ts';
import { specForSeed } from './spec.ts';

function calmRun(seed: string): { events: TraceEvent[]; spec: ReturnType<typeof specForSeed> } {
  const spec = specForSeed(seed, { preset: 'calm', override: { durationMs: 20_000 }, bugs: [], record: true });
  return { events: [...(runSimulation(spec).sim.events ?? [])], spec };
}

describe('stability on real runs', () => {
  it('judges most of a calm run of the correct core, and passes it', () => {
    const { events, spec } = calmRun('1');
    const options = stabilityOptions(spec.options);
    expect(options).not.toBeNull();
    const view = new ClusterView();
    const checker = new Stability(view, options);
    events.forEach((event, index) => {
      view.observe(event, index);
      expect(checker.observe(event, index)).toBeNull();
    });
    checker.finish();
    expect(checker.judgedMs).toBeGreaterThan(0.8 * view.lastTime);
  });

  it('fails the same trace, judged offline, with a follower campaigning in the middle of it', () => {
    const { events, spec } = calmRun('1');
    const middle = events.findIndex((event) => event.time >= 10_000);
    const at = events[middle] as TraceEvent;
    const view = new ClusterView();
    for (const [index, event] of events.slice(0, middle).entries()) view.observe(event, index);
    const leader = view.roles.findIndex((role) => role === 'leader');
    const follower = leader === 1 ? 2 : 1;
    const term = (view.terms[follower] ?? 0) + 1;
    const edited: TraceEvent[] = [...events.slice(0, middle),
      { type: 'term', node: follower, term, vote: follower, time: at.time },
      { type: 'role', node: follower, role: 'candidate', term, time: at.time }, ...events.slice(middle)];
    const judged = judgeTrace(spec.options, edited);
    const found = judged.failures.find((failure) => failure.checker === 'stability');
    expect(found?.message).toContain(`Node ${follower} moved to term ${term} at time ${at.time} while leader ${leader} of term ${term - 1}`);
    expect(found?.witnesses.at(-1)).toBe(middle);
  });
});
