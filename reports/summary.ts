// The human summary of a run: what happened (time, events, messages, elections, commits, client
// operations, faults), each checker's verdict, and how to reproduce it. Pure text; the caller
// decides colours through `Paint`.
import type { RunReport } from './run-report.ts';

export interface Paint {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export const PLAIN: Paint = { ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t, bold: (t) => t };

export interface WallFigures {
  readonly wallMs: number;
}

function entries(record: Readonly<Record<string, number>>): string {
  const keys = Object.keys(record).sort();
  return keys.length === 0 ? 'none' : keys.map((key) => `${key} ${record[key]}`).join(', ');
}

function leadersLine(leaders: readonly (readonly [number, number])[]): string {
  if (leaders.length === 0) return 'none';
  const shown = leaders.slice(0, 12).map(([term, node]) => `t${term}:n${node}`).join(' ');
  return leaders.length > 12 ? `${shown} ... (${leaders.length} in all)` : shown;
}

export function verdictText(verdict: string, paint: Paint): string {
  if (verdict === 'pass') return paint.ok('pass');
  if (verdict === 'fail') return paint.bad('FAIL');
  return paint.warn('unknown');
}

/** The checks section of a run's summary: every checker's verdict, with why when it could not judge. */
export function formatVerdicts(verdicts: RunReport['verdicts'], paint: Paint = PLAIN): string[] {
  return [paint.bold('checks'), ...verdicts.map((v) => `  ${v.checker.padEnd(22)} ${verdictText(v.verdict, paint)}${v.note === undefined ? '' : ` (${v.note})`}`)];
}

/**
 * The headline failure and its witness events, then every other failure of the run in the order
 * found (a checker keeps judging after another one failed).
 */
export function formatFailure(failure: RunReport['failure'], paint: Paint = PLAIN, failures: RunReport['failures'] = []): string[] {
  if (failure === null) return [];
  const lines = [paint.bad(`violation: ${failure.checker} at ${(failure.time / 1000).toFixed(3)} s: ${failure.message}`)];
  if (failure.witnesses.length > 0) lines.push(`  witness events: ${failure.witnesses.slice(0, 12).join(', ')}`);
  const others = failures.filter((other) => other !== failure);
  if (others.length > 0) lines.push(`also failed (${others.length}, in the order found):`);
  for (const other of others) lines.push(paint.bad(`  ${other.checker} at ${(other.time / 1000).toFixed(3)} s: ${other.message}`));
  return lines;
}

export function formatSummary(report: RunReport, wall: WallFigures, paint: Paint = PLAIN): string[] {
  const sim = report.sim;
  const counters = sim.counters;
  const clients = counters.clients;
  const simSeconds = sim.timeMs / 1000;
  const rate = wall.wallMs > 0 ? simSeconds / (wall.wallMs / 1000) : 0;
  const lines = [
    paint.bold('run'),
    `  simulated time    ${simSeconds.toFixed(1)} s${sim.settled ? ' (settled in the liveness phase)' : ''}`,
    `  events            ${sim.steps} steps, ${sim.traceEvents} trace events`,
    `  messages          ${counters.messagesSent} sent, ${counters.messagesDelivered} delivered, `
      + `${counters.messagesDropped} dropped (${entries(counters.dropsByReason)}), ${counters.messagesDuplicated} duplicated`,
    `  elections         ${counters.elections} campaigns, ${counters.leaders.length} leaders: ${leadersLine(counters.leaders)}`,
    `  committed         ${counters.committed} entries`,
    `  client ops        ${clients.calls} called: ${clients.ok} ok, ${clients.failed} failed, `
      + `${clients.indeterminate} indeterminate, ${clients.retries} retries`,
    `  faults            ${entries(counters.faults)} (schedule of ${report.spec.schedule.length} events)`,
    ...formatVerdicts(report.verdicts, paint),
  ];
  if (report.sometimes !== null) {
    const s = report.sometimes;
    lines.push(paint.bold('sometimes'), `  split votes ${s.splitVotes}, depositions ${s.depositions}, truncations ${s.truncations}, `
      + `snapshot installs ${s.snapshotInstalls}, client retries ${s.clientRetries}, indeterminate ops ${s.indeterminateOperations}, `
      + `leaders elected ${s.leadersElected}, terms ${s.termsSeen}`);
  }
  lines.push(...formatFailure(report.failure, paint, report.failures));
  lines.push(
    paint.bold('speed'),
    `  wall time         ${(wall.wallMs / 1000).toFixed(2)} s, ${rate.toFixed(0)} simulated s per wall s, `
      + `${wall.wallMs > 0 ? Math.round(sim.steps / (wall.wallMs / 1000)) : 0} events/s`,
  );
  if (sim.hash !== null) lines.push(`trace hash ${paint.bold(sim.hash)}`);
  lines.push(`verdict ${verdictText(report.verdict, paint)}`);
  return lines;
}

/** One line for a sweep: a failing (or inconclusive) seed and how to reproduce it. */
export function formatSweepLine(report: RunReport, seedText: string): string {
  const failure = report.failure;
  const what = failure === null ? undecided(report) : `${failure.checker}: ${failure.message}`;
  return `seed ${seedText} ${report.verdict}: ${what}`;
}

/** Why a run without a failure is unknown: the linearizability search ran out of a bound. */
function undecided(report: RunReport): string {
  const lin = report.lin;
  if (lin?.verdict !== 'unknown') return 'linearizability not decided';
  const open = lin.keys.filter((key) => key.outcome === 'undecided').length;
  const bound = lin.exhausted === 'steps' ? `its budget of ${lin.budgetSteps} steps` : `its memory bound (${lin.maxCacheEntries} cache entries)`;
  return `linearizability not decided: the search used ${bound} with ${open} of ${lin.keys.length} keys open`;
}
