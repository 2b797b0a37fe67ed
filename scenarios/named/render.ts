// The golden rendering of a trace: one short line per important event (roles, terms, appends,
// commits, snapshots, faults, client calls and returns), none for sends, deliveries and drops, so
// a reviewer can read a scenario's behaviour in its diff (etcd's datadriven testdata).
import { assertNever } from '../../core/index.ts';
import type { KvOp, KvResult } from '../../core/index.ts';
import type { ClientInput, ClientOutput, EntrySummary, TraceEvent } from '../../sim/events.ts';
import { describeCheckpoint } from '../../reports/checkers/liveness.ts';

export function renderEvent(event: TraceEvent): string | null {
  const body = renderBody(event);
  return body === null ? null : `${String(event.time).padStart(7)} ${body}`;
}

function renderBody(event: TraceEvent): string | null {
  switch (event.type) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate':
    case 'apply':
      return null;
    case 'crash': return `n${event.node} crash${event.torn ? ' torn' : ''}, ${event.lostEntries} unsynced entries lost`;
    case 'restart': return `n${event.node} restart`;
    case 'pause': return `n${event.node} pause`;
    case 'resume': return `n${event.node} resume`;
    case 'partition': return `partition ${event.kind} ${renderCut(event.cut)}`;
    case 'heal': return 'heal';
    case 'role': return `n${event.node} ${event.role} t${event.term}`;
    case 'term': return `n${event.node} term ${event.term} vote ${event.vote === null ? '-' : `n${event.vote}`}`;
    case 'append': return `n${event.node} append ${renderEntries(event.from, event.entries)}`;
    case 'commit': return `n${event.node} commit ${event.index}`;
    case 'snapshot': return `n${event.node} snapshot ${event.index} t${event.term}`;
    case 'compact': return `n${event.node} compact ${event.index}`;
    case 'call': return `c${event.client} call n${event.node} ${renderInput(event.input)}`;
    case 'return': return `c${event.client} return ${renderOutput(event.output)}`;
    case 'phase': return `phase ${event.phase}`;
    case 'violation': return `VIOLATION ${event.checker}: ${event.message}`;
    case 'checkpoint': return describeCheckpoint(event);
    case 'assertion': return `n${event.node} ASSERTION ${event.message}`;
    default: return assertNever(event);
  }
}

/** Links that go both ways print as a-b, one-way links as a>b. */
function renderCut(cut: readonly (readonly [number, number])[]): string {
  const keys = new Set(cut.map(([from, to]) => `${from}>${to}`));
  const parts: string[] = [];
  for (const [from, to] of cut) {
    const both = keys.has(`${to}>${from}`);
    if (both && from > to) continue;
    parts.push(both ? `${from}-${to}` : `${from}>${to}`);
  }
  return parts.join(' ');
}

/** "5..7 t2 t2 t3", runs of one term shortened: "1..50 t2x50". */
function renderEntries(from: number, entries: readonly EntrySummary[]): string {
  if (entries.length === 0) return `from ${from} (truncate)`;
  const runs: string[] = [];
  let index = 0;
  for (let guard = 0; index < entries.length && guard < entries.length; guard++) {
    const term = (entries[index] as EntrySummary).term;
    let end = index;
    while (end + 1 < entries.length && (entries[end + 1] as EntrySummary).term === term) end++;
    const count = end - index + 1;
    runs.push(count === 1 ? `t${term}` : `t${term}x${count}`);
    index = end + 1;
  }
  const last = from + entries.length - 1;
  return `${from === last ? `${from}` : `${from}..${last}`} ${runs.join(' ')}`;
}

function renderInput(input: ClientInput): string {
  return input.type === 'read' ? `read ${input.key}` : renderOp(input.command.op);
}

function renderOp(op: KvOp): string {
  switch (op.type) {
    case 'get': return `get ${op.key}`;
    case 'put': return `put ${op.key}=${op.value}`;
    case 'append': return `append ${op.key}+=${op.value}`;
    case 'cas': return `cas ${op.key} ${op.from ?? 'null'}->${op.to}`;
    case 'delete': return `delete ${op.key}`;
    default: return assertNever(op);
  }
}

function renderOutput(output: ClientOutput): string {
  return output.type === 'unknown' ? 'unknown' : renderResult(output.result);
}

function renderResult(result: KvResult): string {
  switch (result.type) {
    case 'ok': return 'ok';
    case 'value': return `value ${result.value ?? 'null'}`;
    case 'cas': return `cas ${result.ok ? 'ok' : 'failed'} value ${result.value ?? 'null'}`;
    default: return assertNever(result);
  }
}
