// Mutation points: real Raft bugs (docs/bugs.md) that can be switched on one at a time
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

/** One line per mutant, for `npm run sim -- --list-bugs`. */
export const BUG_SUMMARIES: Readonly<Record<BugId, string>> = {
  'vote-skip-uptodate-check': 'grants a vote without checking the candidate log is at least as up to date',
  'vote-not-persisted': 'keeps term and vote only in memory (not in the persisted hard state)',
  'vote-clear-on-same-term': 'clears the vote when it hears from a leader of the same term',
  'count-duplicate-votes': 'counts vote messages, not distinct voters',
  'no-stepdown-on-higher-term': 'a leader ignores a higher term in replies and stays leader',
  'election-timeout-not-randomized': 'fixed election timeout, never randomized',
  'no-prevote-no-checkquorum': 'no PreVote and no CheckQuorum',
  'ae-truncate-without-conflict': 'on a matching AppendEntries, truncates the log after prevLogIndex even without a conflict',
  'ae-accept-stale-term': 'accepts AppendEntries from an older term',
  'follower-commit-unbounded': 'follower sets commit = leaderCommit instead of min(leaderCommit, last new entry)',
  'ae-append-nonidempotent': 'appends entries at the end of the log instead of placing them by index',
  'commit-prev-term-by-count': 'commits an entry of an earlier term once a majority stores it',
  'matchindex-from-leader-state': 'on success sets matchIndex from the leader log, not from the request acknowledged',
  'commitindex-regress': 'lowers commitIndex on a smaller leaderCommit and re-applies entries',
  'no-noop-on-election': 'a new leader appends no entry of its own term and serves ReadIndex at once',
  'read-local-on-leader': 'a node that believes it leads answers reads without confirming leadership',
  'ack-before-durable': 'acknowledges entries before they are synced to disk',
  'snapshot-install-stale': 'installs an InstallSnapshot older than what it already applied',
  'single-server-change-no-term-commit': 'allows a membership change before the new leader committed an entry of its term',
  'client-retry-no-dedup': 'applies a retried client command again (no client sessions)',
};
