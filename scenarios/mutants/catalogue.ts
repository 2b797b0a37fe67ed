// Which checkers may catch each mutant: the "caught by" column of docs/bugs.md, in the
// harness's checker names. The node-invariants checker may catch any of them: it watches the
// same events as the global checkers (a second vote in one term, a commit index going down) and
// stops the run at the first sign, before the global violation it would lead to.
import type { BugId } from '../../core/index.ts';

const ES = 'election-safety';
const LM = 'log-matching';
const LC = 'leader-completeness';
// Leader append-only is Figure 3's fifth property; a leader that loses entries breaks LC next.
const LAO = 'leader-append-only';
const SMS = 'state-machine-safety';
const DUR = 'durability';
const LIN = 'linearizability';
const LIVE = 'liveness';
// Availability during the run (reports/checkers/availability.ts): a liveness bug seen before the heal.
const AVAIL = 'availability';
export const INVARIANTS = 'invariants';

const CATALOGUE: Readonly<Record<BugId, readonly string[]>> = {
  'vote-skip-uptodate-check': [LC, LAO, SMS, LIN],
  'vote-not-persisted': [ES],
  'vote-clear-on-same-term': [ES],
  'count-duplicate-votes': [ES],
  'no-stepdown-on-higher-term': [LIVE, AVAIL, LIN],
  'election-timeout-not-randomized': [LIVE, AVAIL],
  'no-prevote-no-checkquorum': [LIVE, AVAIL],
  'ae-truncate-without-conflict': [LC, LAO, SMS, DUR],
  'ae-accept-stale-term': [LM, LC, LAO],
  'follower-commit-unbounded': [SMS],
  'ae-append-nonidempotent': [LM, SMS],
  'commit-prev-term-by-count': [LC, LAO, SMS, LIN],
  'matchindex-from-leader-state': [SMS, LC, LAO],
  'commitindex-regress': [SMS],
  'no-noop-on-election': [LIN],
  'read-local-on-leader': [LIN],
  'ack-before-durable': [DUR, SMS, LIN],
  'snapshot-install-stale': [SMS, LIN],
  'single-server-change-no-term-commit': [ES, LC, LAO, SMS],
  'client-retry-no-dedup': [LIN],
};

/** The checkers that may name `bug` when they catch it (the catalogue's, plus invariants). */
export function expectedCheckers(bug: BugId): readonly string[] {
  return [...CATALOGUE[bug], INVARIANTS];
}

/** Whether `checker` catching `bug` counts as finding it (what hunts accept). */
export function catalogued(bug: BugId): (checker: string) => boolean {
  const expected = expectedCheckers(bug);
  return (checker) => expected.includes(checker);
}
