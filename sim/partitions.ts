// Partition generators: pure functions from a random stream and the node count to the set of
// directed links to cut. Node ids are 1..nodes. A cut set is sorted by (from, to) and holds no
// self-links and no duplicates, so the same draw always prints and hashes the same way.
import { assert, assertNever } from '../core/index.ts';
import type { NodeId } from '../core/index.ts';
import type { GeneratedPartitionKind, RngLike } from './options.ts';

/** A directed link: messages from [0] to [1]. */
export type Link = readonly [NodeId, NodeId];

export function nodeIds(nodes: number): NodeId[] {
  assert(Number.isInteger(nodes) && nodes >= 1, `nodes must be a positive integer, got ${nodes}`);
  return Array.from({ length: nodes }, (_, index) => index + 1);
}

/** The items in a uniformly random order (Fisher-Yates). */
export function shuffled(rng: RngLike, items: readonly NodeId[]): NodeId[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = rng.int(index + 1);
    const held = result[index] as NodeId;
    result[index] = result[other] as NodeId;
    result[other] = held;
  }
  return result;
}

/** Sorts by (from, to) and removes duplicates; asserts no self-link. */
export function normalizeCut(links: readonly Link[]): Link[] {
  const sorted = [...links].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const result: Link[] = [];
  for (const link of sorted) {
    assert(link[0] !== link[1], `a cut link must join two nodes, got ${link[0]}->${link[1]}`);
    const last = result[result.length - 1];
    if (last === undefined || last[0] !== link[0] || last[1] !== link[1]) result.push([link[0], link[1]]);
  }
  return result;
}

/** Every link between the two sides, both ways. */
export function cutBetween(sideA: readonly NodeId[], sideB: readonly NodeId[]): Link[] {
  const links: Link[] = [];
  for (const a of sideA) {
    for (const b of sideB) {
      links.push([a, b], [b, a]);
    }
  }
  return normalizeCut(links);
}

/** Two halves (the larger one a majority when the count is odd), no link across. */
export function halvesCut(rng: RngLike, nodes: number): Link[] {
  const order = shuffled(rng, nodeIds(nodes));
  const half = Math.floor(nodes / 2);
  return cutBetween(order.slice(0, half), order.slice(half));
}

/** One node alone, both directions. */
export function isolateCut(rng: RngLike, nodes: number): Link[] {
  const ids = nodeIds(nodes);
  const alone = ids[rng.int(nodes)] as NodeId;
  return cutBetween([alone], ids.filter((id) => id !== alone));
}

/**
 * Two sides that cannot talk, plus one bridge node that talks to both: with 5 nodes, each side of
 * 2 sees a majority through the bridge, the classic setup for a leader ping-pong. Needs 3 nodes;
 * with fewer it is the same as halves.
 */
export function bridgeCut(rng: RngLike, nodes: number): Link[] {
  if (nodes < 3) return halvesCut(rng, nodes);
  const order = shuffled(rng, nodeIds(nodes));
  const others = order.slice(1);
  const sideSize = rng.range(1, others.length - 1);
  return cutBetween(others.slice(0, sideSize), others.slice(sideSize));
}

/**
 * Nodes in a ring (random order), each talking only to its two neighbours. In a 5-ring every node
 * sees a majority (itself and two neighbours), yet no majority sees the same nodes.
 */
export function ringCut(rng: RngLike, nodes: number): Link[] {
  const order = shuffled(rng, nodeIds(nodes));
  const links: Link[] = [];
  for (let position = 0; position < nodes; position++) {
    for (let other = 0; other < nodes; other++) {
      const distance = Math.abs(position - other);
      const neighbours = distance === 1 || distance === nodes - 1;
      if (other !== position && !neighbours) links.push([order[position] as NodeId, order[other] as NodeId]);
    }
  }
  return normalizeCut(links);
}

/**
 * One node loses one direction only: it cannot send but still receives (Cloudflare 2020: a
 * follower that hears the leader but is never heard), or the reverse.
 */
export function asymmetricCut(rng: RngLike, nodes: number): Link[] {
  const ids = nodeIds(nodes);
  const node = ids[rng.int(nodes)] as NodeId;
  const outgoing = rng.chance(0.5);
  const others = ids.filter((id) => id !== node);
  return normalizeCut(others.map((other): Link => (outgoing ? [node, other] : [other, node])));
}

export function generateCut(kind: GeneratedPartitionKind, rng: RngLike, nodes: number): Link[] {
  switch (kind) {
    case 'halves': return halvesCut(rng, nodes);
    case 'isolate': return isolateCut(rng, nodes);
    case 'bridge': return bridgeCut(rng, nodes);
    case 'ring': return ringCut(rng, nodes);
    case 'asymmetric': return asymmetricCut(rng, nodes);
    default: return assertNever(kind);
  }
}

/** reaches[from][to]: can `from` send to `to` under this cut (index 0 unused). For tests and views. */
export function reachability(cut: readonly Link[], nodes: number): boolean[][] {
  const reaches = Array.from({ length: nodes + 1 }, () => Array.from({ length: nodes + 1 }, () => true));
  for (const [from, to] of cut) {
    const row = reaches[from];
    assert(row !== undefined && to >= 1 && to <= nodes, `link ${from}->${to} is outside 1..${nodes}`);
    row[to] = false;
  }
  return reaches;
}

/**
 * The largest set of nodes that all talk to each other both ways under `cut`, if it is a majority
 * (smallest ids first among equals); null when no majority is fully connected. A leader can be
 * expected under a partial partition only when this is not null (the Cloudflare 2020 case: a
 * quorum was connected, yet the cluster stayed leaderless without PreVote and CheckQuorum).
 */
export function connectedQuorum(cut: readonly Link[], nodes: number): NodeId[] | null {
  assert(nodes <= 16, `connectedQuorum: at most 16 nodes (2^nodes subsets), got ${nodes}`);
  const reaches = reachability(cut, nodes);
  let best: NodeId[] | null = null;
  for (let mask = 1; mask < 1 << nodes; mask++) {
    const members = nodeIds(nodes).filter((id) => (mask & (1 << (id - 1))) !== 0);
    if (members.length <= nodes / 2 || (best !== null && members.length <= best.length)) continue;
    const clique = members.every((a) => members.every((b) => a === b || reaches[a]?.[b] === true));
    if (clique) best = members;
  }
  return best;
}
