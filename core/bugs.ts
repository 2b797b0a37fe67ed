// Mutation points: real Raft bugs (../shared/RAFT-BUGS.md) that can be switched on one at a time
// to prove the harness finds them. Off by default; when off they change nothing.

export const BUG_IDS = [
  'vote-skip-uptodate-check',
  'vote-not-persisted',
  'vote-clear-on-same-term',
  'count-duplicate-votes',
  'no-stepdown-on-higher-term',
  'election-timeout-not-randomized',
  'no-prevote-no-checkquorum',
  'ae-truncate-without-conflict',
  'ae-accept-stale-term',
  'follower-commit-unbounded',
  'ae-append-nonidempotent',
  'commit-prev-term-by-count',
  'matchindex-from-leader-state',
  'commitindex-regress',
  'no-noop-on-election',
  'read-local-on-leader',
  'ack-before-durable',
  'snapshot-install-stale',
  'single-server-change-no-term-commit',
  'client-retry-no-dedup',
] as const;

export type BugId = (typeof BUG_IDS)[number];

export function isBugId(value: string): value is BugId {
  return (BUG_IDS as readonly string[]).includes(value);
}

export type Bugs = ReadonlySet<BugId>;

export const NO_BUGS: Bugs = new Set<BugId>();
