// The trace file, `raftsim-trace/2` (docs/design.md, "File formats"): JSON Lines with a header that
// holds everything needed to re-run (seed, options, fault schedule, bugs), one line per event, and
// a footer with the event count and the trace hash. Reading checks all of it.
import { isBugId } from '../core/index.ts';
import type { BugId } from '../core/index.ts';
import type { TraceEvent } from '../sim/events.ts';
import { validateSchedule } from '../sim/faults.ts';
import type { FaultEvent } from '../sim/faults.ts';
import { TraceHasher } from '../sim/hash.ts';
import { validateOptions } from '../sim/options.ts';
import type { SimOptions } from '../sim/options.ts';

export const TRACE_FORMAT = 'raftsim-trace/2';
const TRACE_FORMAT_PREFIX = 'raftsim-trace/';
const TRACE_VERSION = 2;

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  /** The raftsim version that wrote the trace. */
  readonly raftsim: string;
  /** The seed as text (a bigint does not survive JSON). */
  readonly seed: string;
  readonly scenario: string | null;
  readonly options: SimOptions;
  readonly schedule: readonly FaultEvent[];
  readonly bugs: readonly BugId[];
  /** The implementation that ran, when it is not the built-in core (`--impl`). */
  readonly impl?: TraceImplementation;
}

/** Which Raft implementation made a trace: a replay must run the same module file. */
export interface TraceImplementation {
  readonly name: string;
  readonly version: string;
  /** The module as given to --impl (relative to the working folder). */
  readonly module: string;
  /** sha256 of the module file, first 16 hex digits. */
  readonly digest: string;
  /** The features it declared; the run drew nothing else. */
  readonly capabilities: Readonly<Record<string, boolean>>;
}

export interface TraceFooter {
  readonly end: typeof TRACE_FORMAT;
  readonly events: number;
  readonly hash: string;
}

export interface Trace {
  readonly header: TraceHeader;
  readonly events: readonly TraceEvent[];
  readonly footer: TraceFooter;
}

/** A trace file that cannot be used; the message is one line, fit for a user. */
export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

const EVENT_TYPES: ReadonlySet<string> = new Set<TraceEvent['type']>([
  'send', 'deliver', 'drop', 'duplicate', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal',
  'role', 'term', 'append', 'commit', 'apply', 'snapshot', 'compact', 'call', 'return', 'phase', 'violation',
  'checkpoint', 'assertion',
]);

/** Encodes a trace line by line (the writer streams these to disk). */
export function* encodeTrace(header: TraceHeader, events: Iterable<TraceEvent>): Generator<string> {
  yield JSON.stringify(header);
  const hasher = new TraceHasher();
  let count = 0;
  for (const event of events) {
    hasher.event(event);
    count++;
    yield JSON.stringify(event);
  }
  const footer: TraceFooter = { end: TRACE_FORMAT, events: count, hash: hasher.digest() };
  yield JSON.stringify(footer);
}

/**
 * The hash a run reports: the same as the footer's. It walks each event's fields (sim/hash.ts,
 * TraceHasher), so live events and the same events decoded from their JSON lines hash the same.
 */
export function traceHash(events: Iterable<TraceEvent>): string {
  const hasher = new TraceHasher();
  for (const event of events) hasher.event(event);
  return hasher.digest();
}

export function decodeTrace(text: string, source = 'trace'): Trace {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new TraceFileError(`${source}: empty file, not a raftsim trace`);
  const header = decodeHeader(lines[0] as string, source);
  const last = parseLine(lines[lines.length - 1] as string, lines.length, source);
  if (lines.length < 2 || !isFooter(last)) {
    throw new TraceFileError(`${source}: truncated trace (no end line after ${lines.length - 1} events)`);
  }
  const hasher = new TraceHasher();
  const events: TraceEvent[] = [];
  for (let lineIndex = 1; lineIndex < lines.length - 1; lineIndex++) {
    const event = decodeEvent(parseLine(lines[lineIndex] as string, lineIndex + 1, source), lineIndex + 1, source);
    events.push(event);
    hasher.event(event);
  }
  if (last.events !== events.length) {
    throw new TraceFileError(`${source}: corrupted trace: end line counts ${last.events} events, file has ${events.length}`);
  }
  const hash = hasher.digest();
  if (last.hash !== hash) {
    throw new TraceFileError(`${source}: corrupted trace: hash ${hash} does not match the recorded ${last.hash}`);
  }
  return { header, events, footer: last };
}

function parseLine(line: string, lineNumber: number, source: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new TraceFileError(`${source}: line ${lineNumber} is not valid JSON (corrupted or truncated trace)`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFooter(value: unknown): value is TraceFooter {
  return isRecord(value) && value['end'] === TRACE_FORMAT && Number.isSafeInteger(value['events']) && typeof value['hash'] === 'string';
}

function decodeHeader(line: string, source: string): TraceHeader {
  const value = parseLine(line, 1, source);
  const format = isRecord(value) ? value['format'] : undefined;
  if (typeof format !== 'string' || !format.startsWith(TRACE_FORMAT_PREFIX)) {
    throw new TraceFileError(`${source}: not a raftsim trace (the first line has no "format":"${TRACE_FORMAT}")`);
  }
  const version = Number(format.slice(TRACE_FORMAT_PREFIX.length));
  if (!Number.isInteger(version)) throw new TraceFileError(`${source}: unknown trace format "${format}"`);
  if (version < TRACE_VERSION) {
    throw new TraceFileError(`${source}: trace format ${format} is older than this raftsim reads (${TRACE_FORMAT}): `
      + 'its trace hash is the old one; re-run the seed from its header to write a new trace');
  }
  if (version > TRACE_VERSION) {
    throw new TraceFileError(`${source}: trace format ${format} is newer than this raftsim reads (${TRACE_FORMAT}); upgrade raftsim`);
  }
  const header = value as Record<string, unknown>;
  if (typeof header['seed'] !== 'string' || typeof header['raftsim'] !== 'string') {
    throw new TraceFileError(`${source}: corrupted trace header (seed or raftsim version missing)`);
  }
  const bugs = header['bugs'];
  if (!Array.isArray(bugs) || !bugs.every((bug) => typeof bug === 'string' && isBugId(bug))) {
    throw new TraceFileError(`${source}: corrupted trace header (bugs must be a list of known bug ids)`);
  }
  try {
    const options = validateOptions(header['options']);
    const schedule = validateSchedule(header['schedule'], options.nodes);
    const scenario = typeof header['scenario'] === 'string' ? header['scenario'] : null;
    const impl = header['impl'] === undefined ? {} : { impl: decodeImplementation(header['impl']) };
    return { format: TRACE_FORMAT, raftsim: header['raftsim'], seed: header['seed'], scenario, options, schedule, bugs: bugs as BugId[], ...impl };
  } catch (error) {
    throw new TraceFileError(`${source}: corrupted trace header: ${(error as Error).message}`);
  }
}

function decodeImplementation(value: unknown): TraceImplementation {
  const text = (field: string): string => {
    const found = isRecord(value) ? value[field] : undefined;
    if (typeof found !== 'string' || found === '') throw new Error(`impl.${field} must be a non-empty string`);
    return found;
  };
  const capabilities = isRecord(value) ? value['capabilities'] : undefined;
  if (!isRecord(capabilities) || !Object.values(capabilities).every((flag) => typeof flag === 'boolean')) {
    throw new Error('impl.capabilities must map feature names to true or false');
  }
  return { name: text('name'), version: text('version'), module: text('module'), digest: text('digest'),
    capabilities: capabilities as Record<string, boolean> };
}

function decodeEvent(value: unknown, lineNumber: number, source: string): TraceEvent {
  if (!isRecord(value) || typeof value['type'] !== 'string' || !EVENT_TYPES.has(value['type']) || typeof value['time'] !== 'number') {
    throw new TraceFileError(`${source}: line ${lineNumber} is not a trace event (corrupted trace)`);
  }
  return value as unknown as TraceEvent;
}
