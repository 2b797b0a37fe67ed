// What the report says about a trace: the checkers' verdicts, the first violation with its witness
// events, the "sometimes" counters and the linearizability search over the clients' history, all
// recomputed from the trace (the same folds the run used), in the order runSimulation applies them.
import { checkTrace } from '../checkers/suite.ts';
import { CHECKER_NAMES } from '../checkers/types.ts';
import type { SometimesCounters } from '../checkers/types.ts';
import { historyFromTrace, OperationNumbers } from '../history.ts';
import { checkHistory } from '../lin/check.ts';
import type { LinResult } from '../lin/check.ts';
import { eraseModel, kvModel } from '../lin/model.ts';
import type { TraceEvent } from '../../sim/events.ts';

export const LINEARIZABILITY = 'linearizability';
/** A few seconds of search at most: a report must not take as long as a nightly check. */
export const REPORT_LIN_BUDGET_STEPS = 5_000_000;

export type ReportVerdict = 'pass' | 'fail' | 'unknown';

export interface FoundViolation {
  readonly checker: string;
  readonly time: number;
  readonly message: string;
  /** Indexes of the trace events that prove it, ascending. */
  readonly witnesses: readonly number[];
}

export interface TraceChecks {
  readonly verdict: ReportVerdict;
  readonly verdicts: readonly { readonly checker: string; readonly verdict: ReportVerdict }[];
  readonly violation: FoundViolation | null;
  readonly sometimes: SometimesCounters;
  /** Null when a safety checker failed first (the run skips the search then too). */
  readonly lin: LinResult | null;
}

export interface CheckChoices {
  readonly livenessBoundMs: number;
  readonly linBudgetSteps?: number;
}

/** Positions in the trace of each history operation's call and return (historyFromTrace numbers calls 0, 1, ...). */
export function operationEvents(events: readonly TraceEvent[]): { call: number; return: number | null }[] {
  // Indexed by operation id, as historyFromTrace numbers them (the trace's op numbers).
  const positions: { call: number; return: number | null }[] = [];
  const numbers = new OperationNumbers();
  const byClientOp = new Map<string, number>();
  events.forEach((event, index) => {
    if (event.type === 'call') {
      const id = numbers.assign(event.op);
      byClientOp.set(`${event.client}/${event.op}`, id);
      positions[id] = { call: index, return: null };
    } else if (event.type === 'return') {
      const id = byClientOp.get(`${event.client}/${event.op}`);
      const position = id === undefined ? undefined : positions[id];
      if (position !== undefined && position.return === null) position.return = index;
    }
  });
  return positions;
}

function linViolation(events: readonly TraceEvent[], lin: Extract<LinResult, { verdict: 'fail' }>, endMs: number): FoundViolation {
  const { key, prefix, blocked, state } = lin.explanation;
  const positions = operationEvents(events)[blocked.id];
  const witnesses = positions === undefined ? [] : [positions.call, ...(positions.return === null ? [] : [positions.return])];
  const message = `key ${key}: after a linearizable prefix of ${prefix.length} operations (state ${state}), `
    + `operation #${blocked.id} by client ${blocked.client} cannot be placed`;
  return { checker: LINEARIZABILITY, time: endMs, message, witnesses };
}

/** A violation the trace records but the offline checkers do not find (a harness assertion, say). */
function recordedViolation(events: readonly TraceEvent[]): FoundViolation | null {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (event?.type === 'violation') return { checker: event.checker, time: event.time, message: event.message, witnesses: [index] };
  }
  return null;
}

export function checkEvents(events: readonly TraceEvent[], choices: CheckChoices): TraceChecks {
  const endMs = events.reduce((latest, event) => Math.max(latest, event.time), 0);
  const safety = checkTrace(events, { livenessBoundMs: choices.livenessBoundMs });
  let violation: FoundViolation | null = safety.violation;
  let lin: LinResult | null = null;
  if (violation === null) {
    lin = checkHistory(historyFromTrace(events), eraseModel(kvModel('')), { budgetSteps: choices.linBudgetSteps ?? REPORT_LIN_BUDGET_STEPS });
    if (lin.verdict === 'fail') violation = linViolation(events, lin, endMs);
  }
  violation ??= recordedViolation(events);
  const verdicts = [...CHECKER_NAMES, LINEARIZABILITY].map((checker) => ({ checker, verdict: verdictOf(checker, violation, lin) }));
  const verdict: ReportVerdict = violation !== null ? 'fail' : lin?.verdict === 'unknown' ? 'unknown' : 'pass';
  return { verdict, verdicts, violation, sometimes: safety.sometimes, lin };
}

function verdictOf(checker: string, violation: FoundViolation | null, lin: LinResult | null): ReportVerdict {
  if (violation !== null && violation.checker === checker) return 'fail';
  if (checker === LINEARIZABILITY) return lin === null ? 'unknown' : lin.verdict;
  // A run that stopped at a violation did not give the other checkers the whole run to see.
  return violation === null ? 'pass' : 'unknown';
}
