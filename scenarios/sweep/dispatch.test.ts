// The pool sweep's dispatch order: seed order, then its last seeds heaviest first by an estimate
// from their options. The estimate is judged on a deterministic cost (trace events of each run):
// two workers fed in its order finish close to an even split, seed order does not.
import type { Tinypool } from 'tinypool';
import { describe, expect, it } from 'vitest';
import { parseSimArguments } from '../cli/sim-args.ts';
import { optionsFor } from '../cli/runs.ts';
import { runSimulation } from '../run.ts';
import { specForSeed } from '../spec.ts';
import { dispatchOrder, estimatedCost, HEAVIEST_FIRST_SEEDS } from './dispatch.ts';
import type { SeedOutcome } from './seed.ts';
import { sweepOn } from './sweep.ts';
import type { SeedTask } from './worker.ts';

/** When two workers, each taking the next seed as it comes free, finish `costs` in `order`. */
function makespan(costs: readonly number[], order: readonly number[]): number {
  let first = 0;
  let second = 0;
  for (const index of order) {
    if (first <= second) first += costs[index] as number;
    else second += costs[index] as number;
  }
  return Math.max(first, second);
}

function ranks(values: readonly number[]): number[] {
  const result = new Array<number>(values.length);
  values.map((value, index) => [value, index] as const).sort((a, b) => a[0] - b[0]).forEach(([, index], rank) => { result[index] = rank; });
  return result;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (xs: readonly number[]): number => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  a.forEach((x, index) => {
    const y = b[index] as number;
    both += (x - ma) * (y - mb);
    onlyA += (x - ma) ** 2;
    onlyB += (y - mb) ** 2;
  });
  return both / Math.sqrt(onlyA * onlyB);
}

describe('dispatchOrder', () => {
  it('keeps seed order, then sends the last window heaviest first, ties in seed order', () => {
    const cost = new Map([[7, 1], [8, 5], [9, 1], [10, 3]]);
    const asked: number[] = [];
    const order = [...dispatchOrder({ first: 1, last: 10 }, (seed) => { asked.push(seed); return cost.get(seed) ?? 0; }, 4)];
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 8, 10, 7, 9]);
    expect(asked.sort((a, b) => a - b)).toEqual([7, 8, 9, 10]);
  });

  it('orders the whole of a range shorter than the window, and a single seed', () => {
    expect([...dispatchOrder({ first: 5, last: 8 }, (seed) => seed % 3)]).toEqual([5, 8, 7, 6]);
    expect([...dispatchOrder({ first: 3, last: 3 }, () => 1)]).toEqual([3]);
    expect(HEAVIEST_FIRST_SEEDS).toBeGreaterThanOrEqual(100);
  });

  it('asks nothing of a long range until its last window', () => {
    const asked: number[] = [];
    const order = dispatchOrder({ first: 1, last: 5_000_000 }, (seed) => { asked.push(seed); return 0; });
    for (let index = 0; index < 1000; index++) order.next();
    expect(asked).toEqual([]);
  });
});

describe('estimatedCost', () => {
  // Swarm seeds 1..100 at 20 s: every seed's trace events, a cost that does not depend on the machine.
  const seeds = Array.from({ length: 100 }, (_, index) => index + 1);
  const specs = seeds.map((seed) => specForSeed(String(seed), { preset: null, override: { durationMs: 20_000 }, bugs: [], record: false }));
  const costs = specs.map((spec) => runSimulation({ ...spec, linearizability: false }).sim.traceEvents);
  const estimates = specs.map((spec) => estimatedCost(spec.options));

  it('ranks seeds roughly as their runs cost', () => {
    // Measured 0.78; a constant or inverted estimate gives 0 or below.
    expect(correlation(ranks(estimates), ranks(costs))).toBeGreaterThan(0.6);
  });

  it('lets two workers fed heaviest first finish within 1% of an even split, where seed order does not', () => {
    const even = costs.reduce((sum, cost) => sum + cost, 0) / 2;
    const indices = seeds.map((_, index) => index);
    const heaviestFirst = [...indices].sort((a, b) => (estimates[b] as number) - (estimates[a] as number) || a - b);
    // Measured: seed order 8.4% over the even split, heaviest first by the estimate 0.01%.
    expect(makespan(costs, indices) / even).toBeGreaterThan(1.02);
    expect(makespan(costs, heaviestFirst) / even).toBeLessThan(1.01);
  });
});

describe('sweepOn', () => {
  it('hands seeds to the pool in dispatch order and emits them in seed order', async () => {
    const args = parseSimArguments(['--seeds', '1..30']);
    const dispatched: number[] = [];
    // A stand-in pool: answers each seed after a delay that differs from seed to seed.
    const pool = {
      run: async (task: SeedTask): Promise<SeedOutcome> => {
        const seed = Number(task.seedText);
        dispatched.push(seed);
        await new Promise((resolve) => setTimeout(resolve, (seed * 7) % 5));
        return { result: { seed: task.seedText } as SeedOutcome['result'], problem: null };
      },
    } as unknown as Tinypool;
    const emitted: string[] = [];
    await sweepOn(pool, { first: 1, last: 30 }, args, 2, (outcome) => emitted.push(outcome.result.seed), new AbortController().signal);
    const expected = [...dispatchOrder({ first: 1, last: 30 }, (seed) => estimatedCost(optionsFor(String(seed), args)))];
    expect(dispatched).toEqual(expected);
    expect(dispatched).not.toEqual(dispatched.toSorted((a, b) => a - b));
    expect(emitted).toEqual(Array.from({ length: 30 }, (_, index) => String(index + 1)));
  });
});
