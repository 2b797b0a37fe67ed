// The order a pool sweep hands seeds to its workers. A worker that finishes while the other still
// runs a long seed idles until the sweep ends, so the sweep's last seeds go heaviest first (longest
// processing time first): the tail is then one short seed instead of whichever long seed its
// number put last. Seeds 1..100 of the swarm cost 0.02 to 0.9 s each; in seed order two workers
// finished 10% later than an even split of the work, heaviest first 0.6% later. Results are still
// printed in seed order (ordered.ts holds those that finish early), so the order is invisible in
// the output. A seed's cost is not known before it runs; its drawn options estimate it.
import type { SimOptions } from '../../sim/options.ts';
import type { SeedRange } from './shard.ts';

/**
 * How many of a sweep's last seeds go heaviest first. The seeds before them go in seed order, so
 * a long sweep prints its results as they come; this many seeds are far more work than the
 * heaviest seed (about 13 s per worker at the swarm's mean), so a long seed dispatched just
 * before them still finishes in time.
 */
export const HEAVIEST_FIRST_SEEDS = 256;

/**
 * A seed's relative cost from its options, in message deliveries: every node sends a heartbeat to
 * every other per heartbeat interval, and every client operation goes to every node, a client
 * waiting about half a tick between operations and a round trip for each. It ranks seeds, not
 * seconds: over swarm seeds 1..1000 its rank correlation with a seed's run time was 0.61, enough
 * to put the heavy seeds first (a crude estimate of the few heaviest is all the order needs).
 */
export function estimatedCost(options: SimOptions): number {
  const { nodes, clients, durationMs, tickMs, raft, network } = options;
  const ticks = durationMs / tickMs;
  const heartbeats = nodes * ticks / Math.max(1, raft.heartbeatTicks);
  const delayMs = Math.max(1, (network.delayMsMin + network.delayMsMax) / 2);
  const operations = clients * durationMs / (tickMs / 2 + 2 * delayMs + 1);
  return nodes * (heartbeats + operations);
}

/**
 * The seeds of `range` in dispatch order: seed order, but the last HEAVIEST_FIRST_SEEDS (or
 * `window`) by decreasing `cost`, ties in seed order. Lazy, so a range of millions costs nothing
 * until its end; `cost` is asked only of the last window's seeds.
 */
export function* dispatchOrder(range: SeedRange, cost: (seed: number) => number, window = HEAVIEST_FIRST_SEEDS): Generator<number> {
  const tail = Math.max(range.first, range.last - window + 1);
  for (let seed = range.first; seed < tail; seed++) yield seed;
  const last = Array.from({ length: range.last - tail + 1 }, (_, index) => tail + index).map((seed) => ({ seed, cost: cost(seed) }));
  last.sort((a, b) => b.cost - a.cost || a.seed - b.seed);
  for (const { seed } of last) yield seed;
}
