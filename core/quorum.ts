// Majority arithmetic over the voters of a configuration. Learners never appear here: callers
// pass config.voters only, which is how learners are kept from counting.
import type { NodeId } from './types.ts';
import { assert } from './assert.ts';

export type VoteResult = 'won' | 'lost' | 'pending';

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

const scratch: number[] = [];

/**
 * The largest value that a majority of voters has reached: with values sorted in descending
 * order, the one at position majority - 1. Used for the commit index (values are match indexes)
 * and for the heartbeat round a quorum acknowledged (values are rounds). 0 with no voters.
 */
export function quorumValue(voters: readonly NodeId[], valueOf: (id: NodeId) => number): number {
  const count = voters.length;
  if (count === 0) return 0;
  if (count > 1024) assert(false, `too many voters (${count})`);
  // Setting an array's length is a slow call even when it does not change: only when it does.
  if (scratch.length !== count) scratch.length = count;
  // Insertion sort, descending: clusters are small and this allocates nothing.
  for (let i = 0; i < count; i++) {
    const value = valueOf(voters[i] as NodeId);
    let j = i;
    while (j > 0 && (scratch[j - 1] as number) < value) {
      scratch[j] = scratch[j - 1] as number;
      j--;
    }
    scratch[j] = value;
  }
  return scratch[majority(count) - 1] as number;
}

/** Counts distinct voters' answers (undefined: no answer yet). Non-voters are ignored. */
export function voteResult(voters: readonly NodeId[], answerOf: (id: NodeId) => boolean | undefined): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const voter of voters) {
    const answer = answerOf(voter);
    if (answer === true) granted++;
    else if (answer === false) rejected++;
  }
  const needed = majority(voters.length);
  if (granted >= needed) return 'won';
  if (voters.length - rejected < needed) return 'lost';
  return 'pending';
}

/** Whether a majority of voters satisfies the predicate. */
export function hasQuorum(voters: readonly NodeId[], predicate: (id: NodeId) => boolean): boolean {
  let count = 0;
  for (const voter of voters) if (predicate(voter)) count++;
  return count >= majority(voters.length);
}
