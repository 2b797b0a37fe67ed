// Everything the HTML page draws, as one JSON-ready record computed from a trace. The page itself
// only maps times to pixels and filters by the visible window.
import type { SometimesCounters } from '../checkers/types.ts';
import type { LinResult } from '../lin/check.ts';
import { kvModel } from '../lin/model.ts';
import type { Operation } from '../lin/model.ts';
import { historyFromTrace } from '../history.ts';
import type { Trace } from '../trace-file.ts';
import { formatOptions } from '../../sim/options.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { checkEvents } from './checks.ts';
import type { CheckerVerdict, Failure, Verdict } from '../run-report.ts';
import { describeEvent, nodeOfEvent } from './describe.ts';
import { BAND_ROLES, buildDiagram, MESSAGE_TYPES, OUTCOMES, SPAN_KINDS } from './diagram.ts';
import type { Diagram } from './diagram.ts';

export interface WitnessMark {
  readonly index: number;
  readonly time: number;
  /** The lane to mark, or null for a cluster-wide event. */
  readonly node: number | null;
  /** The message it sends or receives, so the page can highlight that arrow. */
  readonly message: number | null;
  readonly text: string;
}

export interface LinOperationView {
  readonly id: number;
  readonly client: number;
  readonly call: number;
  /** null: open (no return, or an unknown outcome) until the end of the run. */
  readonly return: number | null;
  readonly text: string;
  /** Position in the longest linearizable prefix, or null. */
  readonly order: number | null;
  readonly blocked: boolean;
}

export interface LinKeyView {
  readonly key: string;
  readonly outcome: string;
  readonly operations: readonly LinOperationView[];
}

export interface LinView {
  readonly verdict: Verdict | 'not-checked';
  readonly summary: string;
  readonly failingKey: string | null;
  readonly state: string | null;
  readonly keys: readonly LinKeyView[];
}

export interface ReportData {
  readonly format: 'raftsim-report/1';
  readonly seed: string;
  readonly scenario: string | null;
  readonly bugs: readonly string[];
  readonly raftsim: string;
  readonly hash: string;
  readonly eventCount: number;
  readonly verdict: Verdict;
  readonly verdicts: readonly CheckerVerdict[];
  /** The headline failure. */
  readonly violation: (Omit<Failure, 'witnesses'> & { readonly witnesses: readonly WitnessMark[] }) | null;
  /** The run's other failures, in the order found. */
  readonly others: readonly Omit<Failure, 'witnesses'>[];
  readonly sometimes: SometimesCounters;
  readonly options: readonly string[];
  readonly commands: readonly string[];
  /** The window drawn first: around the violation, else the start of the run. */
  readonly focus: { readonly from: number; readonly to: number };
  readonly legend: { readonly messageTypes: readonly string[]; readonly outcomes: readonly string[]; readonly roles: readonly string[]; readonly spanKinds: readonly string[] };
  readonly diagram: Diagram;
  readonly lin: LinView;
}

export interface ReportChoices {
  /** The trace file as the user named it, for the commands that reproduce the run. */
  readonly source: string;
  /** The command that re-runs the trace from scratch with every option that differs from the defaults. */
  readonly reproduce?: string;
  readonly linBudgetSteps?: number;
}

const FOCUS_MIN_MS = 1_500;
const FOCUS_BEFORE_MS = 1_000;
const FOCUS_AFTER_MS = 300;
const FOCUS_START_MS = 3_000;
/** Witnesses further apart than this: frame the last one (it revealed the violation); the overview marks the others. */
const FOCUS_SPREAD_MAX_MS = 6_000;

function witnessMark(events: readonly TraceEvent[], index: number): WitnessMark | null {
  const event = events[index];
  if (event === undefined) return null;
  const message = event.type === 'send' || event.type === 'deliver' || event.type === 'drop' || event.type === 'duplicate' ? event.id : null;
  const text = `#${index} at ${(event.time / 1000).toFixed(3)} s: ${describeEvent(event)}`;
  return { index, time: event.time, node: nodeOfEvent(event), message, text };
}

/** Around the witnesses (or the violation's time), at least FOCUS_MIN_MS wide, inside the run. */
export function focusWindow(violation: Failure | null, witnessTimes: readonly number[], endMs: number): { from: number; to: number } {
  if (violation === null) return { from: 0, to: Math.max(1, Math.min(endMs, FOCUS_START_MS)) };
  const all = witnessTimes.length > 0 ? witnessTimes : [violation.time];
  const last = Math.max(...all);
  const times = all.filter((time) => last - time <= FOCUS_SPREAD_MAX_MS);
  let from = Math.min(...times) - FOCUS_BEFORE_MS;
  let to = Math.max(...times) + FOCUS_AFTER_MS;
  if (to - from < FOCUS_MIN_MS) from = to - FOCUS_MIN_MS;
  from = Math.max(0, from);
  to = Math.min(Math.max(endMs, 1), Math.max(to, from + 1));
  return { from, to };
}

function commandsFor(source: string, seed: string, bugs: readonly string[], reproduce: string | undefined): string[] {
  const bugFlags = bugs.map((bug) => ` --bug ${bug}`).join('');
  return [
    `npm run sim -- --replay ${source}`,
    `npm run replay -- ${source}`,
    `npm run report -- ${source}`,
    reproduce === undefined
      ? `npm run sim -- --seed ${seed}${bugFlags}   (same run only with the same options: swarm mode or the preset)`
      : `${reproduce}   (the same run from scratch)`,
  ];
}

export function buildReportData(trace: Trace, choices: ReportChoices): ReportData {
  const { header, events } = trace;
  const checks = checkEvents(events, header.options, choices.linBudgetSteps === undefined ? {} : { linBudgetSteps: choices.linBudgetSteps });
  const diagram = buildDiagram(events, header.options.nodes);
  const marks = (checks.violation?.witnesses ?? []).map((index) => witnessMark(events, index)).filter((mark) => mark !== null);
  return {
    format: 'raftsim-report/1', seed: header.seed, scenario: header.scenario, bugs: header.bugs, raftsim: header.raftsim,
    hash: trace.footer.hash, eventCount: events.length, verdict: checks.verdict, verdicts: checks.verdicts,
    violation: checks.violation === null ? null : { ...checks.violation, witnesses: marks },
    others: checks.failures.filter((failure) => failure !== checks.violation).map(({ checker, time, message }) => ({ checker, time, message })),
    sometimes: checks.sometimes, options: formatOptions(header.options),
    commands: commandsFor(choices.source, header.seed, header.bugs, choices.reproduce),
    focus: focusWindow(checks.violation, marks.map((mark) => mark.time), diagram.endMs),
    legend: { messageTypes: MESSAGE_TYPES, outcomes: OUTCOMES, roles: BAND_ROLES, spanKinds: SPAN_KINDS },
    diagram, lin: linView(events, checks.lin),
  };
}

function linSummary(lin: LinResult | null, keys: number, operations: number): string {
  const scope = `${operations} operations on ${keys} key${keys === 1 ? '' : 's'}`;
  if (lin === null) return `not checked: the run stopped at once, at a budget, a node that threw or a node's failed assertion (${scope})`;
  if (lin.verdict === 'pass') return `linearizable (${scope}, ${lin.steps} search steps)`;
  if (lin.verdict === 'unknown') return `unknown: the search ran out of its ${lin.exhausted === 'steps' ? 'step budget' : 'memory bound'} (${scope})`;
  const { key, prefix, blocked } = lin.explanation;
  return `not linearizable: key ${key}: after a linearizable prefix of ${prefix.length} operations, operation #${blocked.id} cannot be placed (${scope})`;
}

/** Per key, each operation of the history; for a failing key, the prefix order and the blocked operation. */
export function linView(events: readonly TraceEvent[], lin: LinResult | null): LinView {
  const model = kvModel('');
  const history = historyFromTrace(events);
  const explanation = lin?.verdict === 'fail' ? lin.explanation : null;
  const order = new Map((explanation?.prefix ?? []).map((operation: Operation, position) => [operation.id, position]));
  const keys = new Map<string, LinOperationView[]>();
  for (const operation of history.operations) {
    const key = operation.input.key ?? '';
    const output = operation.output ?? { type: 'unknown' as const };
    const open = operation.return === null || output.type === 'unknown';
    const operations = keys.get(key) ?? [];
    keys.set(key, operations);
    operations.push({
      id: operation.id, client: operation.client, call: operation.call, return: open ? null : operation.return,
      text: model.describe(operation.input, output), order: order.get(operation.id) ?? null,
      blocked: explanation?.blocked.id === operation.id,
    });
  }
  const outcomes = new Map((lin?.keys ?? []).map((report) => [report.key, report.outcome]));
  const keyViews = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, operations]) => ({ key, outcome: outcomes.get(key) ?? 'not checked', operations }));
  return {
    verdict: lin === null ? 'not-checked' : lin.verdict,
    summary: linSummary(lin, keyViews.length, history.operations.length),
    failingKey: explanation?.key ?? null, state: explanation?.state ?? null, keys: keyViews,
  };
}
