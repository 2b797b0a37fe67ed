import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { hasQuorum, majority, quorumValue, voteResult } from './quorum.ts';

/** The naive definition: the largest index that at least a majority of voters has reached. */
function naiveCommitIndex(voters: readonly number[], match: readonly number[]): number {
  let best = 0;
  for (let candidate = 0; candidate <= 100; candidate++) {
    const reached = voters.filter((id) => (match[id] ?? 0) >= candidate).length;
    if (reached * 2 > voters.length) best = candidate;
  }
  return best;
}

const cluster = fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 9 }).chain((members) =>
  fc.record({
    voterCount: fc.integer({ min: 1, max: members.length }),
    members: fc.constant(members),
    match: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 10, maxLength: 10 }),
  }));

describe('quorum', () => {
  test.prop([cluster])('the commit index equals the naive computation; learners never count', ({ voterCount, members, match }) => {
    const voters = members.slice(0, voterCount).sort((a, b) => a - b);
    const learners = members.slice(voterCount);
    const expected = naiveCommitIndex(voters, match);
    expect(quorumValue(voters, (id) => match[id] ?? 0)).toBe(expected);
    // Whatever the learners reached, the result does not move.
    const boosted = match.map((value, id) => (learners.includes(id) ? 100 : value));
    expect(quorumValue(voters, (id) => boosted[id] ?? 0)).toBe(expected);
  });

  it('majority sizes', () => {
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });

  it('vote results count distinct voters only', () => {
    const answers: (boolean | undefined)[] = [];
    answers[1] = true;
    answers[9] = true;
    expect(voteResult([1, 2, 3], (id) => answers[id])).toBe('pending');
    answers[2] = false;
    answers[3] = false;
    expect(voteResult([1, 2, 3], (id) => answers[id])).toBe('lost');
    answers[3] = true;
    expect(voteResult([1, 2, 3], (id) => answers[id])).toBe('won');
    expect(hasQuorum([1, 2, 3, 4], (id) => id <= 2)).toBe(false);
    expect(hasQuorum([1, 2, 3, 4], (id) => id <= 3)).toBe(true);
  });
});
