import { describe, expect, it } from 'vitest';
import type { Entry } from './types.ts';
import { RaftLog, estimateEntryBytes } from './log.ts';
import { putCommand } from './test-network.ts';

const entry = (index: number, term: number): Entry => ({ index, term, data: { type: 'noop' } });
const logOf = (terms: number[]): Entry[] => terms.map((term, offset) => entry(offset + 1, term));

describe('RaftLog', () => {
  it('finds the first conflict and truncates only there', () => {
    const log = new RaftLog(null, logOf([1, 1, 2, 2]));
    expect(log.findConflict([entry(2, 1), entry(3, 2)])).toBe(0);
    expect(log.findConflict([entry(3, 2), entry(4, 3), entry(5, 3)])).toBe(4);
    expect(log.findConflict([entry(4, 2), entry(5, 2)])).toBe(5);
    log.append([entry(4, 3)]);
    expect([log.lastIndex(), log.lastTerm()]).toEqual([4, 3]);
    expect(log.takeUnstable().map((e) => e.index)).toEqual([4]);
  });

  it('answers backtracking questions', () => {
    const log = new RaftLog(null, logOf([1, 1, 1, 4, 4, 5, 5, 6, 6, 6]));
    expect(log.firstIndexOfTermAt(10, 1)).toBe(8);
    expect(log.firstIndexOfTermAt(5, 1)).toBe(4);
    expect(log.firstIndexOfTermAt(5, 5)).toBe(5);
    expect(log.lastIndexOfTerm(4, 10)).toBe(5);
    expect(log.lastIndexOfTerm(2, 10)).toBe(0);
  });

  it('compacts, keeps the term at the snapshot index and refuses compacted ranges', () => {
    const log = new RaftLog(null, logOf([1, 1, 2, 2]));
    log.takeUnstable();
    log.compact({ metadata: { index: 3, term: 2, config: { voters: [1], learners: [] } }, data: null });
    expect([log.firstIndex(), log.lastIndex(), log.term(3), log.term(2)]).toEqual([4, 4, 2, undefined]);
    expect(() => log.slice(2, 4)).toThrow(/compacted/);
  });

  it('limits message size by count and bytes, but always sends one entry', () => {
    const big = 'x'.repeat(1000);
    const entries = [1, 2, 3, 4].map((index): Entry => ({ index, term: 1, data: { type: 'command', command: putCommand(index, big) } }));
    const log = new RaftLog(null, entries);
    const size = estimateEntryBytes(entries[0] as Entry);
    expect(size).toBeGreaterThan(1000);
    expect(log.sliceForMessage(1, 10, 10).length).toBe(1);
    expect(log.sliceForMessage(1, 10, 2 * size).length).toBe(2);
    expect(log.sliceForMessage(1, 3, 1_000_000).length).toBe(3);
  });
});
