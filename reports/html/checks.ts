// What the report says about a trace: the one judge's verdicts over it (reports/judge.ts, the same
// as the live run's), the headline failure with its witness events and the others in the order
// found, the "sometimes" counters and the linearizability search over the clients' history.
import type { SometimesCounters } from '../checkers/types.ts';
import { OperationNumbers } from '../history.ts';
import { judgeTrace, LIN_CHECKER } from '../judge.ts';
import type { LinResult } from '../lin/check.ts';
import type { CheckerVerdict, Failure, Verdict } from '../run-report.ts';
import type { TraceEvent } from '../../sim/events.ts';
import type { SimOptions } from '../../sim/options.ts';

/** A few seconds of search at most: a report must not take as long as a nightly check. */
export const REPORT_LIN_BUDGET_STEPS = 5_000_000;

export interface TraceChecks {
  readonly verdict: Verdict;
  readonly verdicts: readonly CheckerVerdict[];
  /** The headline failure; a linearizability failure's witnesses are its blocked operation's call and return. */
  readonly violation: Failure | null;
  /** Every failure, in the order found (the headline among them). */
  readonly failures: readonly Failure[];
  readonly sometimes: SometimesCounters;
  /** Null when the run stopped at a budget, a crash or a node's assertion (the search is not run then). */
  readonly lin: LinResult | null;
}

export interface CheckChoices {
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

/** The headline failure, a linearizability failure witnessed by its blocked operation's call and return. */
function witnessed(events: readonly TraceEvent[], failure: Failure | null, lin: LinResult | null): Failure | null {
  if (failure?.checker !== LIN_CHECKER || lin?.verdict !== 'fail') return failure;
  const positions = operationEvents(events)[lin.explanation.blocked.id];
  const witnesses = positions === undefined ? [] : [positions.call, ...(positions.return === null ? [] : [positions.return])];
  return { ...failure, witnesses };
}

export function checkEvents(events: readonly TraceEvent[], options: SimOptions, choices: CheckChoices = {}): TraceChecks {
  const judged = judgeTrace(options, events, { linBudgetSteps: choices.linBudgetSteps ?? REPORT_LIN_BUDGET_STEPS });
  const violation = witnessed(events, judged.failure, judged.lin);
  return {
    verdict: judged.verdict, verdicts: judged.verdicts, violation,
    failures: judged.failures.map((failure) => (failure === judged.failure ? violation as Failure : failure)),
    sometimes: judged.sometimes, lin: judged.lin,
  };
}
