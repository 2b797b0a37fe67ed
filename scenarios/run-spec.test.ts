// A RunSpec is plain data: what a trace header saves, a worker thread receives and a shrinker
// compares. The callbacks of a run (another implementation's factory, a trace sink) travel beside
// it in RunHooks, and never end up in a report's spec.
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { RunHooks, RunSpec } from '../reports/run-report.ts';
import type { NodeFactory } from '../sim/host.ts';
import { implementationHooks, specFor, timed } from './cli/runs.ts';
import { parseSimArguments } from './cli/sim-args.ts';
import { useImplementation } from './impl.ts';
import { runSimulation } from './run.ts';

/** True when a value of T may hold a function: in a field, an element, or one member of a union. */
type HoldsFunction<T> = T extends (...args: never[]) => unknown ? true
  : T extends readonly (infer Element)[] ? HoldsFunction<Element>
  : T extends object ? true extends { [K in keyof T]-?: HoldsFunction<T[K]> }[keyof T] ? true : false
  : false;
type PlainData<T> = true extends HoldsFunction<T> ? false : true;

afterAll(async () => {
  await useImplementation(null);
});

describe('RunSpec', () => {
  it('has no function field, anywhere in it (checked by the typecheck)', () => {
    expectTypeOf<PlainData<RunSpec>>().toEqualTypeOf<true>();
    // The check sees a callback put back, at the top or nested.
    expectTypeOf<PlainData<RunSpec & { readonly factory?: NodeFactory }>>().toEqualTypeOf<false>();
    expectTypeOf<PlainData<RunSpec & { readonly budgets?: { readonly sink: RunHooks['sink'] } }>>().toEqualTypeOf<false>();
    expectTypeOf<PlainData<RunHooks>>().toEqualTypeOf<false>();
  });

  it('of a run with --impl and a sink round-trips through JSON and structuredClone unchanged', async () => {
    const argv = ['--seed', '7', '--time', '5s', '--impl', 'examples/paper-raft/raft.ts'];
    await useImplementation('examples/paper-raft/raft.ts');
    const hooks = implementationHooks();
    expect(typeof hooks.factory).toBe('function');
    const spec = { ...specFor('7', parseSimArguments(argv), false), hash: true };
    const lines: string[] = [];
    const { report } = timed(spec, { ...hooks, sink: (_event, line) => lines.push(line) });
    expect(report.verdict).toBe('pass');
    expect(lines).toHaveLength(report.sim.traceEvents);
    expect(report.spec).toEqual(spec);
    expect(JSON.parse(JSON.stringify(report.spec)) as unknown).toEqual(report.spec);
    expect(structuredClone(report.spec)).toEqual(report.spec);
    // The implementation ran: the built-in core, from the same spec, writes another trace.
    expect(runSimulation(spec).sim.hash).not.toBe(report.sim.hash);
  });
});
