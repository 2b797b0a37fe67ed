// The replay screen as data: lines of styled segments, computed from (model, view, size) alone.
// Ink draws these lines; `--print` joins their text. Panels get a fixed share of an 80x24 screen
// and grow with the terminal: more log entries with more columns, more events with more rows.
import type { NodeId, Role } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { describeEvent, describeInput, formatTime, MESSAGE_ABBREVIATIONS } from './describe.ts';
import type { ClusterState, NodeState } from './fold.ts';
import { traceVerdict } from './info.ts';
import type { ReplayInfo } from './info.ts';
import { SPEEDS } from './keys.ts';
import type { ViewState } from './keys.ts';
import { involves } from './model.ts';
import type { Frame, ReplayModel } from './model.ts';

export type Colour = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';

export interface Segment {
  readonly text: string;
  readonly color?: Colour;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

export type Line = readonly Segment[];

export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

export interface ScreenInput {
  readonly model: ReplayModel;
  readonly info: ReplayInfo;
  readonly view: ViewState;
  readonly frame: Frame;
  readonly size: ScreenSize;
}

/** The size `--print` uses unless told otherwise, and the one the panels are planned for. */
export const SIZE_DEFAULT: ScreenSize = { columns: 80, rows: 24 };
/** Event rows the planned layout keeps at least; with fewer, panels give way (compactLines). */
const EVENT_ROWS_MIN = 3;
const TERM_COLOURS: readonly Colour[] = ['cyan', 'yellow', 'magenta', 'green', 'blue', 'white'];
const ROLE_COLOURS: Readonly<Record<Role, Colour>> = { leader: 'green', candidate: 'yellow', precandidate: 'magenta', follower: 'blue' };

export function termColour(term: number): Colour {
  return TERM_COLOURS[((term % TERM_COLOURS.length) + TERM_COLOURS.length) % TERM_COLOURS.length] as Colour;
}

const text = (value: string, style: Omit<Segment, 'text'> = {}): Segment => ({ text: value, ...style });

/**
 * The whole screen: exactly `rows` lines, none wider than `columns`, whatever the size. When the
 * planned layout does not fit, panels give way (compactLines): the verdict and the position stay
 * on top.
 */
export function screenLines(input: ScreenInput): Line[] {
  const width = Math.max(1, input.size.columns);
  const rows = Math.max(1, input.size.rows);
  const header = headerLines(input, width);
  const cluster = clusterLines(input, width);
  const log = logLines(input.frame.state, input.view.follow, width, namedIndexes(input));
  const footer = [footerLine(input.view)];
  const top = [...header, ...cluster, ...log];
  const spare = rows - top.length - footer.length;
  const extra = Math.max(0, spare - 12);
  const lower = [
    ...networkLines(input.frame.state, width, 2 + Math.floor(extra / 6)),
    ...clientLines(input.frame.state, width, 1 + Math.floor(extra / 8)),
  ];
  let lines: Line[];
  if (spare - lower.length >= EVENT_ROWS_MIN) {
    const eventRows = spare - lower.length;
    const body = input.view.mode === 'help' ? helpLines(eventRows + lower.length) : [...lower, ...eventLines(input, eventRows, width)];
    lines = [...top, ...body, ...footer];
  } else {
    lines = compactLines(input, rows, width, { header, cluster, log, lower, footer });
  }
  lines = lines.slice(0, rows);
  while (lines.length < rows) lines.push([]);
  return lines.map((line) => fitLine(line, width));
}

interface Panels {
  readonly header: readonly Line[];
  readonly cluster: readonly Line[];
  readonly log: readonly Line[];
  readonly lower: readonly Line[];
  readonly footer: readonly Line[];
}

/**
 * A screen too small for every panel: the verdict and position lines first, then the footer, the
 * events around the cursor (at least EVENT_ROWS_MIN), the nodes, their logs, the network and the
 * clients, the options, each only if it fits whole; the events get the rows left over.
 */
function compactLines(input: ScreenInput, rows: number, width: number, panels: Panels): Line[] {
  const essential = panels.header.slice(0, 2);
  let left = rows - essential.length;
  const take = (lines: readonly Line[], least = lines.length): boolean => {
    if (least > left || lines.length === 0) return false;
    left -= least;
    return true;
  };
  const footer = left >= EVENT_ROWS_MIN + 3 && take(panels.footer);
  const eventsLeast = Math.min(EVENT_ROWS_MIN, Math.max(0, left));
  left -= eventsLeast;
  const cluster = take(panels.cluster);
  const log = take(panels.log);
  const lower = take(panels.lower);
  const options = take(panels.header.slice(2));
  const eventRows = eventsLeast + left;
  const body = eventRows === 0 ? [] : input.view.mode === 'help' ? helpLines(eventRows) : eventLines(input, eventRows, width);
  return [
    ...essential, ...(options ? panels.header.slice(2) : []), ...(cluster ? panels.cluster : []), ...(log ? panels.log : []),
    ...(lower ? panels.lower : []), ...body, ...(footer ? panels.footer : []),
  ];
}

/** The log indexes the violation at the cursor names ("index 17"), which the log window must show. */
function namedIndexes(input: ScreenInput): number[] {
  const event = input.model.events[input.frame.index];
  if (event?.type !== 'violation') return [];
  return [...new Set([...event.message.matchAll(/\bindex (\d+)/g)].map((match) => Number(match[1])))].sort((a, b) => a - b);
}

/** Cuts a line to `width` characters, keeping the styles of what remains. */
export function fitLine(line: Line, width: number): Line {
  const fitted: Segment[] = [];
  let used = 0;
  for (const segment of line) {
    if (used >= width) break;
    const room = width - used;
    const cut = segment.text.length > room ? { ...segment, text: segment.text.slice(0, Math.max(0, room - 1)) + '…' } : segment;
    fitted.push(cut);
    used += cut.text.length;
  }
  return fitted;
}

export function plainText(lines: readonly Line[]): string {
  return lines.map((line) => line.map((segment) => segment.text).join('').trimEnd()).join('\n');
}

function headerLines(input: ScreenInput, width: number): Line[] {
  const { info, model, view, frame } = input;
  const verdict = traceVerdict(model.events, model.violations);
  const failed = model.violations.length > 0;
  const bugs = info.bugs.length > 0 ? `  bugs ${info.bugs.join(',')}` : '';
  const position = frame.index < 0 ? `event 0/${model.length}` : `event ${frame.index + 1}/${model.length}`;
  const play = view.playing ? text(`  ▶ playing ${SPEEDS[view.speedLevel] ?? 1} ev/s`, { color: 'green' }) : text(`  ■ paused (speed ${SPEEDS[view.speedLevel] ?? 1} ev/s)`, { dim: true });
  let options = '';
  for (const fragment of info.options) {
    if (options.length + fragment.length + 3 > width) break;
    options += options === '' ? fragment : ` · ${fragment}`;
  }
  return [
    [text('raftsim replay  ', { bold: true }),
      text(failed ? verdict : 'no violation recorded', failed ? { color: 'red', bold: true } : { color: 'green' }),
      text(`  seed ${info.seed}  scenario ${info.scenario ?? 'swarm'}${bugs}`)],
    [text(position, { bold: true }), text(`  t=${formatTime(frame.state.time)}  phase ${frame.state.phase}`), play,
      text(view.follow === null ? '' : `  following n${view.follow}`, { color: 'cyan', bold: true })],
    [text(options, { dim: true })],
  ];
}

function roleCell(node: NodeState): Segment {
  if (node.liveness === 'down') return text('down'.padEnd(13), { color: 'red' });
  if (node.role === null) return text('starting'.padEnd(13), { dim: true });
  return text(node.role.padEnd(13), { color: ROLE_COLOURS[node.role], bold: node.role === 'leader' });
}

function clusterLines(input: ScreenInput, _width: number): Line[] {
  const title: Line = [text('node role          term  vote  commit  applied  last idx/term  state   drift', { dim: true })];
  const rows = input.frame.state.nodes.map((node, position): Line => {
    const id = position + 1;
    const drift = input.info.drifts[position] ?? 0;
    const stateColour: Colour = node.liveness === 'up' ? 'green' : node.liveness === 'paused' ? 'yellow' : 'red';
    const last = `${node.lastIndex}/${node.lastTerm < 0 ? '?' : node.lastTerm}`;
    return [
      text(`${input.view.follow === id ? '>' : ' '}n${id}`.padEnd(5), { bold: input.view.follow === id }),
      roleCell(node),
      text(String(node.term).padStart(4), { color: termColour(node.term) }),
      text(`  ${String(node.vote ?? '-').padStart(4)}  ${String(node.commit).padStart(6)}  ${String(node.applied).padStart(7)}  ${last.padStart(13)}  `),
      text(node.liveness.padEnd(8), { color: stateColour }),
      text(`${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)}%`, { dim: drift === 0 }),
    ];
  });
  return [title, ...rows];
}

/** The leader to compare logs against: the up leader of the highest term, if any. */
function leaderOf(state: ClusterState): NodeId | null {
  let best: NodeId | null = null;
  let bestTerm = -1;
  state.nodes.forEach((node, position) => {
    if (node.role === 'leader' && node.liveness !== 'down' && node.term > bestTerm) {
      best = position + 1;
      bestTerm = node.term;
    }
  });
  return best;
}

function termAt(node: NodeState, index: number): number | undefined {
  const first = node.tail[0];
  if (first === undefined || index < first.index) return undefined;
  return node.tail[index - first.index]?.term;
}

function logLines(state: ClusterState, follow: NodeId | null, width: number, named: readonly number[] = []): Line[] {
  const leader = leaderOf(state);
  const lastIndex = state.nodes.reduce((most, node) => Math.max(most, node.lastIndex), 0);
  const termDigits = String(state.nodes.reduce((most, node) => Math.max(most, node.term), 0)).length;
  const cell = termDigits + 1;
  const prefix = 14;
  const cells = Math.max(1, Math.floor((width - prefix) / cell));
  // The latest entries, unless the violation at the cursor names an earlier index: then the
  // window starts just before the lowest one named.
  const shown = named.filter((index) => index >= 1 && index <= lastIndex);
  const lowest = shown[0];
  const low = Math.max(1, Math.min(lastIndex - cells + 1, lowest === undefined ? Number.POSITIVE_INFINITY : lowest - 1));
  const highest = Math.min(lastIndex, low + cells - 1);
  const mark = shown.length === 0 ? '' : ` (violation: index ${shown.join(', ')})`;
  const title: Line = [text(`log ${low}..${highest}${mark}  `, { dim: true }), text('bold', { bold: true }), text(' committed · ', { dim: true }),
    text('dim', { dim: true }), text(' not yet · ', { dim: true }), text('inverse', { inverse: true }),
    text(` differs from ${leader === null ? 'leader (none)' : `leader n${leader}`} · · compacted`, { dim: true })];
  const leaderNode = leader === null ? undefined : state.nodes[leader - 1];
  const rows = state.nodes.map((node, position): Line => {
    const id = position + 1;
    const segments: Segment[] = [text(`${follow === id ? '>' : ' '}n${id} c${node.commit}`.padEnd(prefix), { bold: follow === id })];
    for (let index = low; index <= highest; index++) segments.push(logCell(node, leaderNode, index, cell));
    return segments;
  });
  return [title, ...rows];
}

function logCell(node: NodeState, leader: NodeState | undefined, index: number, cell: number): Segment {
  if (index > node.lastIndex) return text(' '.repeat(cell));
  const term = termAt(node, index);
  if (term === undefined) return text('·'.padStart(cell), { dim: true });
  const leaderTerm = leader === undefined ? undefined : termAt(leader, index);
  const differs = leaderTerm !== undefined && leaderTerm !== term;
  const committed = index <= node.commit;
  return text(String(term).padStart(cell), { color: termColour(term), bold: committed, dim: !committed, inverse: differs });
}

/** Items laid out on lines of `width`, at most `maxLines`, the last saying how many did not fit. */
function wrapItems(head: string, items: readonly string[], width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = head;
  for (let position = 0; position < items.length; position++) {
    const item = items[position] as string;
    if (current.length + item.length + 1 > width) {
      if (lines.length + 1 >= maxLines) {
        lines.push(`${current} +${items.length - position} more`);
        return lines;
      }
      lines.push(current);
      current = ' '.repeat(head.length);
    }
    current += `${item} `;
  }
  lines.push(current);
  return lines;
}

function networkLines(state: ClusterState, width: number, maxLines: number): Line[] {
  const cut = state.cut.length === 0 ? 'connected' : `partition ${state.partitionKind ?? ''}, cut ${state.cut.map(([from, to]) => `${from}->${to}`).join(' ')}`;
  const messages = [...state.inFlight.values()].sort((a, b) => a.id - b.id)
    .map((message) => `${message.from}->${message.to} ${MESSAGE_ABBREVIATIONS[message.type]} T${message.term}${message.copies > 1 ? ` x${message.copies}` : ''}`);
  const wrapped = wrapItems(`in flight ${messages.length}: `, messages, width - 1, Math.max(1, maxLines - 1));
  return [
    [text('network ', { dim: true }), text(cut, state.cut.length === 0 ? { color: 'green' } : { color: 'red', bold: true })],
    ...wrapped.map((line) => [text(line)]),
  ];
}

function clientLines(state: ClusterState, width: number, maxLines: number): Line[] {
  const pending = [...state.pending.values()].sort((a, b) => a.op - b.op)
    .map((operation) => `c${operation.client} ${describeInput(operation.input)} @n${operation.node} since ${formatTime(operation.calledAt)};`);
  return wrapItems(`clients pending ${pending.length}: `, pending, width - 1, maxLines).map((line) => [text(line, { dim: pending.length === 0 })]);
}

/** Events around the cursor (only the followed node's when following); the current one inverse. */
function eventLines(input: ScreenInput, rows: number, width: number): Line[] {
  const { model, view, frame } = input;
  const current = model.events[frame.index];
  const explanation = current?.type === 'violation' ? wrapText(`${current.checker}: ${current.message}`, width - 4, Math.min(4, rows - 2)) : [];
  const listRows = Math.max(1, rows - explanation.length);
  const indexes = eventsAround(model, frame.index, listRows, view.follow);
  const lines = indexes.map((index): Line => {
    const event = model.events[index] as TraceEvent;
    const here = index === frame.index;
    const style = event.type === 'violation' ? { color: 'red' as const, bold: true } : {};
    const row = `${here ? '▶' : ' '}${String(index + 1).padStart(8)} ${formatTime(event.time).padStart(9)}  ${describeEvent(event)}`;
    return [text(row.padEnd(width), { ...style, inverse: here })];
  });
  while (lines.length < listRows) lines.push([]);
  return [...lines, ...explanation.map((line) => [text(`  ${line}`, { color: 'red' as const })])];
}

/** Up to `rows` event indexes with the cursor about a third of the way down. */
function eventsAround(model: ReplayModel, cursor: number, rows: number, follow: NodeId | null): number[] {
  const keep = (index: number): boolean => follow === null || index === cursor || involves(model.events[index] as TraceEvent, follow);
  const scanMax = 20_000;
  const before: number[] = [];
  for (let index = cursor - 1, scanned = 0; index >= 0 && before.length < Math.floor(rows / 3) && scanned < scanMax; index--, scanned++) {
    if (keep(index)) before.push(index);
  }
  const after: number[] = [];
  const start = Math.max(0, cursor);
  for (let index = start, scanned = 0; index < model.length && before.length + after.length < rows && scanned < scanMax; index++, scanned++) {
    if (keep(index)) after.push(index);
  }
  // Near the end of the trace the list fills up with earlier events instead of blank rows.
  for (let index = (before[before.length - 1] ?? cursor) - 1, scanned = 0; index >= 0 && before.length + after.length < rows && scanned < scanMax; index--, scanned++) {
    if (keep(index)) before.push(index);
  }
  return [...before.reverse(), ...after];
}

export function wrapText(value: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let rest = value;
  while (rest.length > 0 && lines.length < maxLines) {
    // Break at the last space that fits, or mid-word when a word is longer than the line.
    const space = rest.length <= width ? rest.length : rest.lastIndexOf(' ', width);
    const end = space > width / 2 ? space : Math.min(width, rest.length);
    lines.push(rest.slice(0, end));
    rest = rest.slice(end).trimStart();
  }
  return lines;
}

const HELP: readonly string[] = [
  'keys',
  '  left / right      one event back / on',
  '  up / down         10 events          PgUp / PgDn   100 events',
  '  home / end        first / last event',
  '  n / p             next / previous interesting event (role, fault, commit, violation)',
  '  v                 the violation',
  '  space             play / pause       + / -         faster / slower',
  '  f                 follow a node (n1, n2, ..., nobody): n/p and the list show its events',
  '  /                 find an event type (crash, role, AppendEntries...), Enter to jump',
  '  ?                 this help          q             quit',
  'messages: RV RequestVote, RVR its reply, AE AppendEntries, AER its reply,',
  '          IS InstallSnapshot, ISR its reply, TN TimeoutNow',
  'press any key to close this help',
];

function helpLines(rows: number): Line[] {
  return HELP.slice(0, rows).map((line, position) => [text(line, position === 0 ? { bold: true } : {})]);
}

function footerLine(view: ViewState): Line {
  if (view.mode === 'search') return [text(`find: ${view.query}_`, { bold: true }), text('  Enter jump · Esc cancel', { dim: true })];
  if (view.notice !== null) return [text(view.notice, { color: 'yellow' })];
  return [text('←→↑↓ PgUp/Dn · n/p interesting · v violation · space play · / find · ? help · q', { dim: true })];
}
