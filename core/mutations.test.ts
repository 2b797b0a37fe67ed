import { describe, expect, it } from 'vitest';
import { BUG_IDS } from './bugs.ts';
import { CORRECT, mutationPointOf, mutationsOf } from './mutations.ts';

describe('mutation points', () => {
  it('name one point per bug id, and the correct core has every point off', () => {
    const points = BUG_IDS.map(mutationPointOf);
    expect(new Set(points).size).toBe(BUG_IDS.length);
    expect(Object.keys(CORRECT).sort()).toEqual([...points].sort());
    expect(Object.values(CORRECT).every((on) => !on)).toBe(true);
    expect(mutationPointOf('vote-skip-uptodate-check')).toBe('voteSkipUptodateCheck');
  });

  it.each(BUG_IDS)('%s turns on its own point and no other', (bug) => {
    const mutations = mutationsOf(new Set([bug]));
    const on = Object.entries(mutations).filter(([, flag]) => flag).map(([point]) => point);
    expect(on).toEqual([mutationPointOf(bug)]);
  });

  it('several bug ids turn on their points together', () => {
    const mutations = mutationsOf(new Set(['ack-before-durable', 'vote-not-persisted'] as const));
    expect(mutations).toMatchObject({ ackBeforeDurable: true, voteNotPersisted: true, clientRetryNoDedup: false });
  });
});
