// The mutation points as the core consults them: one named flag per catalogued bug (docs/bugs.md),
// named after its id in camel case, all false for the correct core. A flag turns on only its own
// point, and no assertion of the core reads one (scenarios/architecture.test.ts checks the source).
import { BUG_IDS, NO_BUGS } from './bugs.ts';
import type { BugId, Bugs } from './bugs.ts';

/** 'vote-skip-uptodate-check' -> 'voteSkipUptodateCheck'. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export type MutationPoint = CamelCase<BugId>;

export type Mutations = { readonly [Bug in BugId as CamelCase<Bug>]: boolean };

export function mutationPointOf(bug: BugId): MutationPoint {
  return bug.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()) as MutationPoint;
}

/** Each bug id with its point, named once: every node and state machine (re)built asks for its flags. */
const POINTS: readonly (readonly [BugId, MutationPoint])[] = BUG_IDS.map((bug) => [bug, mutationPointOf(bug)]);

function flagsOf(bugs: Bugs): Mutations {
  const flags = {} as Record<MutationPoint, boolean>;
  for (const [bug, point] of POINTS) flags[point] = bugs.has(bug);
  return Object.freeze(flags);
}

/** The correct core: every point off. */
export const CORRECT: Mutations = flagsOf(NO_BUGS);

/**
 * The flags of a set of bug ids: each id turns on its own point and nothing else. The flags are
 * frozen, so the correct core's are shared (every node and state machine built asks for them).
 */
export function mutationsOf(bugs: Bugs): Mutations {
  return bugs.size === 0 ? CORRECT : flagsOf(bugs);
}
