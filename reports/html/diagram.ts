// The space-time diagram as data: message arrows, role and term bands, fault spans and commits, all
// computed from the trace alone (docs/style.md, rule 10: rendering only reads). Arrays of numbers
// keep the embedded JSON small for traces of a hundred thousand events.
import type { MessageType, Role } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';

export const MESSAGE_TYPES: readonly MessageType[] = [
  'RequestVote', 'RequestVoteReply', 'AppendEntries', 'AppendEntriesReply', 'InstallSnapshot',
  'InstallSnapshotReply', 'TimeoutNow',
];

export type BandRole = Role | 'down';
export const BAND_ROLES: readonly BandRole[] = ['follower', 'precandidate', 'candidate', 'leader', 'down'];

/** How a copy of a message ended: delivered, dropped (with the reason), or still in flight at the end. */
export const OUTCOMES = ['deliver', 'loss', 'partition', 'down', 'capacity', 'in-flight'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const SPAN_KINDS = ['crash', 'pause', 'partition'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

/**
 * One arrow: [sent, ended, from, to, outcome, copy, type, message id, send event, end event].
 * `outcome` indexes OUTCOMES, `type` MESSAGE_TYPES; copy 0 is the original, 1.. the duplicates.
 * Sorted by `sent`. An in-flight copy has end event -1.
 */
export type Arrow = readonly [number, number, number, number, number, number, number, number, number, number];
/** [node, from, to, role (index of BAND_ROLES), term]. */
export type Band = readonly [number, number, number, number, number];
/** [node, from, to, kind (index of SPAN_KINDS)]; a partition gives one span per node it cuts off. */
export type Span = readonly [number, number, number, number];
/** [node, time, index]. */
export type Commit = readonly [number, number, number];

export interface PartitionSpan {
  readonly from: number;
  readonly to: number;
  readonly kind: string;
  readonly cut: readonly (readonly [number, number])[];
}

export interface Diagram {
  readonly nodes: number;
  readonly endMs: number;
  readonly arrows: readonly Arrow[];
  /** The longest arrow, so the page can find the arrows crossing a window by binary search. */
  readonly longestArrowMs: number;
  readonly bands: readonly Band[];
  readonly spans: readonly Span[];
  readonly partitions: readonly PartitionSpan[];
  readonly commits: readonly Commit[];
}

interface PendingSend {
  readonly time: number;
  readonly from: number;
  readonly to: number;
  readonly type: number;
  readonly event: number;
  /** Copies that have ended so far (the network may deliver a duplicate before the original). */
  ended: number;
  copies: number;
}

export function buildArrows(events: readonly TraceEvent[], endMs: number): { arrows: Arrow[]; longestArrowMs: number } {
  const pending = new Map<number, PendingSend>();
  const arrows: Arrow[] = [];
  const finish = (send: PendingSend, id: number, time: number, outcome: Outcome, event: number): void => {
    arrows.push([send.time, time, send.from, send.to, OUTCOMES.indexOf(outcome), send.ended, send.type, id, send.event, event]);
    send.ended += 1;
    if (send.ended >= send.copies) pending.delete(id);
  };
  events.forEach((event, index) => {
    if (event.type === 'send') {
      const { from, to, type } = event.message;
      pending.set(event.id, { time: event.time, from, to, type: MESSAGE_TYPES.indexOf(type), event: index, ended: 0, copies: 1 });
    } else if (event.type === 'duplicate') {
      const send = pending.get(event.id);
      if (send !== undefined) send.copies += 1;
    } else if (event.type === 'deliver' || event.type === 'drop') {
      const send = pending.get(event.id);
      if (send !== undefined) finish(send, event.id, event.time, event.type === 'deliver' ? 'deliver' : event.reason, index);
    }
  });
  for (const [id, send] of [...pending].sort((a, b) => a[0] - b[0])) {
    while (send.ended < send.copies) finish(send, id, endMs, 'in-flight', -1);
  }
  arrows.sort((a, b) => a[0] - b[0] || a[7] - b[7] || a[5] - b[5]);
  const longestArrowMs = arrows.reduce((longest, arrow) => Math.max(longest, arrow[1] - arrow[0]), 0);
  return { arrows, longestArrowMs };
}

interface NodeState {
  role: number;
  term: number;
  since: number;
}

export function buildBands(events: readonly TraceEvent[], nodes: number, endMs: number): Band[] {
  const bands: Band[] = [];
  const states: NodeState[] = Array.from({ length: nodes }, () => ({ role: 0, term: 0, since: 0 }));
  const change = (node: number, time: number, role: number, term: number): void => {
    const state = states[node - 1];
    if (state === undefined || (state.role === role && state.term === term)) return;
    if (time > state.since) bands.push([node, state.since, time, state.role, state.term]);
    state.role = role;
    state.term = term;
    state.since = time;
  };
  const down = BAND_ROLES.indexOf('down');
  const follower = BAND_ROLES.indexOf('follower');
  for (const event of events) {
    if (event.type !== 'role' && event.type !== 'term' && event.type !== 'crash' && event.type !== 'restart') continue;
    const state = states[event.node - 1];
    if (state === undefined) continue;
    if (event.type === 'role') change(event.node, event.time, BAND_ROLES.indexOf(event.role), event.term);
    else if (event.type === 'term') change(event.node, event.time, state.role === down ? down : state.role, event.term);
    else if (event.type === 'crash') change(event.node, event.time, down, state.term);
    else change(event.node, event.time, follower, state.term);
  }
  states.forEach((state, position) => {
    if (endMs > state.since) bands.push([position + 1, state.since, endMs, state.role, state.term]);
  });
  return bands.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

export function buildSpans(events: readonly TraceEvent[], endMs: number): { spans: Span[]; partitions: PartitionSpan[] } {
  const spans: Span[] = [];
  const partitions: PartitionSpan[] = [];
  const open = new Map<string, number>();
  let partition: { from: number; kind: string; cut: readonly (readonly [number, number])[] } | null = null;
  const close = (time: number): void => {
    if (partition === null) return;
    partitions.push({ from: partition.from, to: time, kind: partition.kind, cut: partition.cut });
    const cutOff = new Set(partition.cut.flat());
    for (const node of [...cutOff].sort((a, b) => a - b)) spans.push([node, partition.from, time, SPAN_KINDS.indexOf('partition')]);
    partition = null;
  };
  const begin = (node: number, kind: SpanKind, time: number): void => void open.set(`${kind}/${node}`, time);
  const end = (node: number, kind: SpanKind, time: number): void => {
    const from = open.get(`${kind}/${node}`);
    if (from === undefined) return;
    open.delete(`${kind}/${node}`);
    spans.push([node, from, time, SPAN_KINDS.indexOf(kind)]);
  };
  for (const event of events) {
    if (event.type === 'crash') begin(event.node, 'crash', event.time);
    else if (event.type === 'restart') end(event.node, 'crash', event.time);
    else if (event.type === 'pause') begin(event.node, 'pause', event.time);
    else if (event.type === 'resume') end(event.node, 'pause', event.time);
    else if (event.type === 'partition') {
      close(event.time);
      partition = { from: event.time, kind: event.kind, cut: event.cut };
    } else if (event.type === 'heal') close(event.time);
  }
  close(endMs);
  for (const key of [...open.keys()].sort()) {
    const [kind, node] = key.split('/');
    end(Number(node), kind as SpanKind, endMs);
  }
  return { spans: spans.sort((a, b) => a[1] - b[1] || a[0] - b[0]), partitions };
}

export function buildDiagram(events: readonly TraceEvent[], nodes: number): Diagram {
  const endMs = events.reduce((latest, event) => Math.max(latest, event.time), 0);
  const { arrows, longestArrowMs } = buildArrows(events, endMs);
  const { spans, partitions } = buildSpans(events, endMs);
  const commits: Commit[] = [];
  for (const event of events) if (event.type === 'commit') commits.push([event.node, event.time, event.index]);
  return { nodes, endMs, arrows, longestArrowMs, bands: buildBands(events, nodes, endMs), spans, partitions, commits };
}
