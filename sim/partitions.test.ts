import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  asymmetricCut, bridgeCut, connectedQuorum, cutBetween, generateCut, halvesCut, isolateCut, nodeIds, normalizeCut,
  reachability, ringCut,
} from './partitions.ts';
import type { Link } from './partitions.ts';
import { GENERATED_PARTITION_KINDS } from './options.ts';
import { createRng } from './random.ts';

const seedAndNodes: [fc.Arbitrary<number>, fc.Arbitrary<number>] = [fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 9 })];

function rngFor(seed: number): ReturnType<typeof createRng> {
  return createRng(seed, 'partitions');
}

/** For each node, the other nodes it can send to. */
function outNeighbours(cut: readonly Link[], nodes: number): Map<number, number[]> {
  const reaches = reachability(cut, nodes);
  return new Map(nodeIds(nodes).map((from) => [from, nodeIds(nodes).filter((to) => to !== from && reaches[from]?.[to] === true)]));
}

function isSymmetric(cut: readonly Link[]): boolean {
  const keys = new Set(cut.map(([from, to]) => `${from}>${to}`));
  return cut.every(([from, to]) => keys.has(`${to}>${from}`));
}

/** Groups of nodes connected through uncut links (the cut must be symmetric). */
function components(cut: readonly Link[], nodes: number): number[][] {
  const neighbours = outNeighbours(cut, nodes);
  const seen = new Set<number>();
  const groups: number[][] = [];
  for (const start of nodeIds(nodes)) {
    if (seen.has(start)) continue;
    const group = [start];
    seen.add(start);
    for (let index = 0; index < group.length; index++) {
      for (const next of neighbours.get(group[index] ?? 0) ?? []) {
        if (!seen.has(next)) { seen.add(next); group.push(next); }
      }
    }
    groups.push(group.sort((a, b) => a - b));
  }
  return groups;
}

/** True when every two nodes of `group` talk both ways. */
function isClique(cut: readonly Link[], nodes: number, group: readonly number[]): boolean {
  const reaches = reachability(cut, nodes);
  return group.every((a) => group.every((b) => a === b || reaches[a]?.[b] === true));
}

describe('normalizeCut and cutBetween', () => {
  it('sorts, removes duplicates and refuses self-links', () => {
    expect(normalizeCut([[3, 1], [1, 2], [3, 1], [1, 3]])).toEqual([[1, 2], [1, 3], [3, 1]]);
    expect(() => normalizeCut([[2, 2]])).toThrow('a cut link must join two nodes');
  });

  it('cuts both ways between two sides and nothing else', () => {
    expect(cutBetween([1], [2, 3])).toEqual([[1, 2], [1, 3], [2, 1], [3, 1]]);
  });
});

describe('partition generators', () => {
  test.prop(seedAndNodes)('every kind gives a sorted, in-range, deterministic cut', (seed, nodes) => {
    for (const kind of GENERATED_PARTITION_KINDS) {
      const cut = generateCut(kind, rngFor(seed), nodes);
      expect(cut).toEqual(generateCut(kind, rngFor(seed), nodes));
      expect(cut).toEqual(normalizeCut(cut));
      for (const [from, to] of cut) {
        expect(from).toBeGreaterThanOrEqual(1);
        expect(to).toBeLessThanOrEqual(nodes);
      }
    }
  });

  test.prop(seedAndNodes)('halves: two sides, no link across, all links within', (seed, nodes) => {
    const cut = halvesCut(rngFor(seed), nodes);
    expect(isSymmetric(cut)).toBe(true);
    const groups = components(cut, nodes);
    const sizes = groups.map((group) => group.length).sort((a, b) => a - b);
    expect(sizes).toEqual(nodes === 1 ? [1] : [Math.floor(nodes / 2), Math.ceil(nodes / 2)]);
    for (const group of groups) expect(isClique(cut, nodes, group)).toBe(true);
  });

  test.prop(seedAndNodes)('isolate: one node hears nobody and is heard by nobody', (seed, nodes) => {
    const cut = isolateCut(rngFor(seed), nodes);
    expect(cut.length).toBe(2 * (nodes - 1));
    const groups = components(cut, nodes);
    if (nodes > 1) {
      expect(groups.map((group) => group.length).sort((a, b) => a - b)).toEqual([1, nodes - 1]);
    }
    for (const group of groups) expect(isClique(cut, nodes, group)).toBe(true);
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 3, max: 9 })])(
    'bridge: one node reaches all, the two sides do not reach each other',
    (seed, nodes) => {
      const cut = bridgeCut(rngFor(seed), nodes);
      expect(isSymmetric(cut)).toBe(true);
      const touched = new Set(cut.flat());
      const bridges = nodeIds(nodes).filter((id) => !touched.has(id));
      expect(bridges.length).toBe(1);
      const bridge = bridges[0] ?? 0;
      // Cutting the bridge off as well must leave exactly the two sides.
      const bridgeIsolated = cut.concat(cutBetween([bridge], nodeIds(nodes).filter((id) => id !== bridge)));
      const sides = components(bridgeIsolated, nodes).filter((group) => !group.includes(bridge));
      expect(sides.length).toBe(2);
      for (const side of sides) expect(isClique(cut, nodes, side)).toBe(true);
      expect(outNeighbours(cut, nodes).get(bridge)?.length).toBe(nodes - 1);
    },
  );

  test.prop([fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 3, max: 9 })])(
    'ring: each node reaches exactly its two neighbours, in one cycle',
    (seed, nodes) => {
      const cut = ringCut(rngFor(seed), nodes);
      expect(isSymmetric(cut)).toBe(true);
      const neighbours = outNeighbours(cut, nodes);
      for (const id of nodeIds(nodes)) expect(neighbours.get(id)?.length).toBe(2);
      expect(components(cut, nodes).length).toBe(1);
    },
  );

  it('ring of 5: every node sees a majority but no majority sees each other', () => {
    for (let seed = 0; seed < 50; seed++) {
      const cut = ringCut(rngFor(seed), 5);
      const ids = nodeIds(5);
      for (const id of ids) expect((outNeighbours(cut, 5).get(id)?.length ?? 0) + 1).toBeGreaterThanOrEqual(3);
      const triples = ids.flatMap((a) => ids.flatMap((b) => ids.map((c) => [a, b, c]))).filter(([a, b, c]) => (a ?? 0) < (b ?? 0) && (b ?? 0) < (c ?? 0));
      expect(triples.some((triple) => isClique(cut, 5, triple))).toBe(false);
    }
  });

  test.prop([fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 2, max: 9 })])(
    'asymmetric: one node loses one direction to everyone, the other direction stays',
    (seed, nodes) => {
      const cut = asymmetricCut(rngFor(seed), nodes);
      expect(cut.length).toBe(nodes - 1);
      const reaches = reachability(cut, nodes);
      const senders = new Set(cut.map(([from]) => from));
      const receivers = new Set(cut.map(([, to]) => to));
      const outgoing = senders.size === 1;
      expect(outgoing || receivers.size === 1).toBe(true);
      for (const [from, to] of cut) expect(reaches[to]?.[from]).toBe(true);
    },
  );

  it('asymmetric: both directions occur over seeds', () => {
    const outgoing = Array.from({ length: 40 }, (_, seed) => asymmetricCut(rngFor(seed), 5))
      .map((cut) => new Set(cut.map(([from]) => from)).size === 1);
    expect(outgoing).toContain(true);
    expect(outgoing).toContain(false);
  });

  it('a single node has nothing to cut', () => {
    for (const kind of GENERATED_PARTITION_KINDS) expect(generateCut(kind, rngFor(1), 1)).toEqual([]);
  });
});

describe('connectedQuorum', () => {
  it('finds the majority side of halves, a side plus the bridge, and none in a 5-ring', () => {
    expect(connectedQuorum(cutBetween([1, 2], [3, 4, 5]), 5)).toEqual([3, 4, 5]);
    expect(connectedQuorum(cutBetween([1, 2], [3, 4]), 4)).toBeNull();
    for (let seed = 0; seed < 10; seed++) expect(connectedQuorum(ringCut(rngFor(seed), 5), 5)).toBeNull();
    expect(connectedQuorum(cutBetween([1, 2], [4, 5]), 5)).toEqual([1, 2, 3]);
  });

  it('keeps the quorum around a one-way cut to a minority node', () => {
    expect(connectedQuorum([[1, 2], [1, 3], [1, 4], [1, 5]], 5)).toEqual([2, 3, 4, 5]);
    expect(connectedQuorum([], 3)).toEqual([1, 2, 3]);
  });

  test.prop(seedAndNodes)('returns a majority clique, and nothing larger exists', (seed, nodes) => {
    const cut = GENERATED_PARTITION_KINDS.map((kind) => generateCut(kind, rngFor(seed), nodes))[seed % 5] ?? [];
    const quorum = connectedQuorum(cut, nodes);
    if (quorum !== null) {
      expect(quorum.length).toBeGreaterThan(nodes / 2);
      expect(isClique(cut, nodes, quorum)).toBe(true);
    }
    // The naive check: no subset larger than the answer (and a majority) is a clique.
    const size = quorum?.length ?? 0;
    for (let mask = 1; mask < 1 << nodes; mask++) {
      const members = nodeIds(nodes).filter((id) => (mask >> (id - 1)) % 2 === 1);
      if (members.length > Math.max(size, nodes / 2)) expect(isClique(cut, nodes, members)).toBe(false);
    }
  });
});
