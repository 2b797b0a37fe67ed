// What the tests of every swarm regime check the same way: a regime draws from its own stream, and
// a seed it does not select keeps its options as they were (the same object); a seed it selects
// differs only in the regime's own fault fields. Imported by tests only.
import { expect } from 'vitest';
import type { FaultOptions, RngLike, SimOptions } from './options.ts';
import { createRng } from './random.ts';

export type Regime = (rng: RngLike, options: SimOptions) => SimOptions;

/** The records a regime selected among `seeds`, each drawn from `stream` of its seed on top of `base(seed)`. */
export function selectedBy(regime: Regime, seeds: readonly number[], base: (seed: number) => SimOptions, stream = 'regime')
  : { readonly before: SimOptions; readonly after: SimOptions }[] {
  const selected: { before: SimOptions; after: SimOptions }[] = [];
  for (const seed of seeds) {
    const before = base(seed);
    const after = regime(createRng(seed, stream), before);
    if (after !== before) selected.push({ before, after });
  }
  return selected;
}

/**
 * Checks that `after` is `before` with only `fields` of its faults added, each of them on (above 0),
 * and perhaps `optional` ones (which may be 0); returns the added values, for the caller's own bounds.
 */
export function expectAddsOnly<K extends keyof FaultOptions>(before: SimOptions, after: SimOptions, fields: readonly K[],
  optional: readonly K[] = []): Pick<FaultOptions, K> {
  const rest: Record<string, unknown> = { ...after.faults };
  const added: Record<string, unknown> = {};
  for (const field of [...fields, ...optional]) {
    added[field] = rest[field];
    if (fields.includes(field)) expect(Number(rest[field] ?? 0), String(field)).toBeGreaterThan(0);
    delete rest[field];
  }
  expect({ ...after, faults: rest }).toEqual(before);
  return added as Pick<FaultOptions, K>;
}
