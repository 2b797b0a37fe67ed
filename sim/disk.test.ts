import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Disk, EMPTY_HARD_STATE } from './disk.ts';
import type { Entry, HardState, PersistedState, Snapshot } from '../core/index.ts';
import type { RngLike } from './options.ts';
import { createRng } from './random.ts';

function entry(index: number, term: number): Entry {
  return { index, term, data: { type: 'noop' } };
}

function run(first: number, count: number, term: number): Entry[] {
  return Array.from({ length: count }, (_, offset) => entry(first + offset, term));
}

function snapshot(index: number, term: number): Snapshot {
  return { metadata: { index, term, config: { voters: [1, 2, 3], learners: [] } }, data: { at: index } };
}

function hardState(term: number, commit = 0): HardState {
  return { term, vote: null, commit };
}

function indexes(state: PersistedState): [number, number][] {
  return state.entries.map((e) => [e.index, e.term]);
}

/** A stand-in that makes `int` return a chosen value, to pick the torn prefix. */
function fixedRng(chosen: number): RngLike {
  return { next: () => 0, int: (max) => chosen % max, range: (min) => min, chance: () => false };
}

describe('Disk basics', () => {
  it('starts empty', () => {
    expect(new Disk().load()).toEqual({ hardState: EMPTY_HARD_STATE, snapshot: null, entries: [] });
  });

  it('load after sync gives back what was written, without copying entries', () => {
    const disk = new Disk();
    const written = run(1, 3, 1);
    disk.writeHardState(hardState(1, 2));
    disk.appendEntries(written);
    disk.sync();
    const loaded = disk.load();
    expect(loaded.hardState).toEqual(hardState(1, 2));
    expect(loaded.entries).toEqual(written);
    expect(loaded.entries[0]).toBe(written[0]);
  });

  it('a crash loses exactly the unsynced writes', () => {
    const disk = new Disk();
    disk.appendEntries(run(1, 3, 1));
    disk.writeHardState(hardState(1, 3));
    disk.sync();
    disk.appendEntries(run(4, 2, 1));
    disk.writeHardState(hardState(2, 5));
    expect(disk.hasPendingWrites()).toBe(true);
    expect(disk.crash(createRng(1, 'disk'), false)).toBe(2);
    expect(disk.hasPendingWrites()).toBe(false);
    const loaded = disk.load();
    expect(indexes(loaded)).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(loaded.hardState).toEqual(hardState(1, 3));
    expect(disk.stats()).toMatchObject({ crashes: 1, entriesLost: 2, syncs: 1 });
  });

  it('writes after a crash continue from the durable state', () => {
    const disk = new Disk();
    disk.appendEntries(run(1, 2, 1));
    disk.sync();
    disk.appendEntries(run(3, 3, 1));
    disk.crash(createRng(1, 'disk'), false);
    expect(() => disk.appendEntries(run(4, 1, 2))).toThrow('leaves a gap after the last index 2');
    disk.appendEntries(run(3, 1, 2));
    disk.sync();
    expect(indexes(disk.load())).toEqual([[1, 1], [2, 1], [3, 2]]);
  });

  it('a torn crash keeps a strict prefix, possibly in the middle of a batch', () => {
    const disk = new Disk();
    disk.writeHardState(hardState(1));
    disk.appendEntries(run(1, 4, 1));
    // Units: hardState, e1, e2, e3, e4. Keeping 3 keeps the hard state and two entries.
    expect(disk.crash(fixedRng(3), true)).toBe(2);
    const loaded = disk.load();
    expect(loaded.hardState).toEqual(hardState(1));
    expect(indexes(loaded)).toEqual([[1, 1], [2, 1]]);
  });

  it('rejects a batch that is not consecutive', () => {
    expect(() => new Disk().appendEntries([entry(1, 1), entry(3, 1)])).toThrow('expected 2');
  });
});

describe('Disk truncation and snapshots', () => {
  it('entries overwrite the log from their first index', () => {
    const disk = new Disk();
    disk.appendEntries(run(1, 5, 1));
    disk.appendEntries(run(3, 2, 2));
    disk.sync();
    expect(indexes(disk.load())).toEqual([[1, 1], [2, 1], [3, 2], [4, 2]]);
  });

  it('a compaction snapshot drops the entries it covers and keeps the rest', () => {
    const disk = new Disk();
    disk.appendEntries([...run(1, 3, 1), ...run(4, 3, 2)]);
    disk.writeSnapshot(snapshot(4, 2));
    disk.sync();
    const loaded = disk.load();
    expect(loaded.snapshot?.metadata.index).toBe(4);
    expect(indexes(loaded)).toEqual([[5, 2], [6, 2]]);
  });

  it('a snapshot the log disagrees with replaces the whole log', () => {
    const disk = new Disk();
    disk.appendEntries(run(1, 6, 1));
    disk.writeSnapshot(snapshot(4, 3));
    disk.sync();
    expect(disk.load().entries).toEqual([]);
    expect(disk.durableLastIndex()).toBe(4);
  });

  it('a snapshot past the end of the log replaces it, and the log continues after it', () => {
    const disk = new Disk();
    disk.appendEntries(run(1, 2, 1));
    disk.writeSnapshot(snapshot(10, 3));
    expect(() => disk.appendEntries(run(12, 1, 3))).toThrow('gap');
    disk.appendEntries(run(9, 3, 3));
    disk.sync();
    expect(indexes(disk.load())).toEqual([[11, 3]]);
  });

  it('persist orders snapshot, entries, hard state so a torn tail never keeps a commit without its entries', () => {
    for (let kept = 0; kept < 4; kept++) {
      const disk = new Disk();
      disk.persist({ hardState: hardState(1, 3), snapshot: null, entries: run(1, 3, 1) });
      disk.crash(fixedRng(kept), true);
      const loaded = disk.load();
      expect(loaded.hardState.commit).toBeLessThanOrEqual(loaded.entries.length);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The disk against a naive model: every entry, hard state and snapshot is one unit, replayed
// from scratch onto a map of index to entry.

type Unit = { type: 'hardState'; hardState: HardState } | { type: 'entry'; entry: Entry } | { type: 'snapshot'; snapshot: Snapshot };

interface ModelState { hardState: HardState; snapshot: Snapshot | null; byIndex: Map<number, Entry>; last: number }

function replay(units: readonly Unit[]): ModelState {
  const state: ModelState = { hardState: EMPTY_HARD_STATE, snapshot: null, byIndex: new Map(), last: 0 };
  for (const unit of units) {
    if (unit.type === 'hardState') state.hardState = unit.hardState;
    if (unit.type === 'entry') {
      for (const index of [...state.byIndex.keys()]) if (index >= unit.entry.index) state.byIndex.delete(index);
      state.byIndex.set(unit.entry.index, unit.entry);
      state.last = unit.entry.index;
    }
    if (unit.type === 'snapshot') {
      const { index, term } = unit.snapshot.metadata;
      const agrees = state.byIndex.get(index)?.term === term;
      for (const key of [...state.byIndex.keys()]) if (!agrees || key <= index) state.byIndex.delete(key);
      if (!agrees) state.last = index;
      state.snapshot = unit.snapshot;
    }
  }
  return state;
}

function loadModel(state: ModelState): PersistedState {
  const first = (state.snapshot?.metadata.index ?? 0) + 1;
  const entries: Entry[] = [];
  for (let index = first; index <= state.last; index++) entries.push(state.byIndex.get(index) as Entry);
  return { hardState: state.hardState, snapshot: state.snapshot, entries };
}

const operation = fc.oneof(
  fc.record({ type: fc.constant('append' as const), back: fc.nat(4), count: fc.integer({ min: 1, max: 4 }), term: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ type: fc.constant('hardState' as const), term: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ type: fc.constant('snapshot' as const), back: fc.nat(3), matching: fc.boolean() }),
  fc.record({ type: fc.constant('sync' as const) }),
  fc.record({ type: fc.constant('crash' as const), torn: fc.boolean(), keep: fc.nat(20) }),
);

describe('Disk against a naive model', () => {
  test.prop([fc.array(operation, { maxLength: 40 })])('loads what the model says survived', (operations) => {
    const disk = new Disk();
    const durable: Unit[] = [];
    let pending: Unit[] = [];
    for (const op of operations) {
      const latest = replay([...durable, ...pending]);
      const snapshotIndex = latest.snapshot?.metadata.index ?? 0;
      if (op.type === 'append') {
        const written = run(Math.max(1, latest.last + 1 - op.back), op.count, op.term);
        disk.appendEntries(written);
        pending.push(...written.filter((e) => e.index > snapshotIndex).map((e): Unit => ({ type: 'entry', entry: e })));
      } else if (op.type === 'hardState') {
        disk.writeHardState(hardState(op.term));
        pending.push({ type: 'hardState', hardState: hardState(op.term) });
      } else if (op.type === 'snapshot') {
        const index = Math.max(0, latest.last - op.back);
        const written = snapshot(index, op.matching ? latest.byIndex.get(index)?.term ?? 9 : 9);
        disk.writeSnapshot(written);
        pending.push({ type: 'snapshot', snapshot: written });
      } else if (op.type === 'sync') {
        disk.sync();
        durable.push(...pending);
        pending = [];
      } else {
        const kept = op.torn && pending.length > 0 ? op.keep % pending.length : 0;
        const lost = pending.slice(kept).filter((unit) => unit.type === 'entry').length;
        expect(disk.crash(fixedRng(op.keep), op.torn)).toBe(lost);
        durable.push(...pending.slice(0, kept));
        pending = [];
      }
      expect(disk.load()).toEqual(loadModel(replay(durable)));
    }
  });
});
