// Frames of a trace: the cluster after event i, for any i, fast. One fold over the whole trace
// stores a copy of the state every `checkpointEvery` events; a seek copies the nearest checkpoint
// at or before i and folds at most `checkpointEvery` events more. The frame is therefore a pure
// function of (trace, i), whatever the order of the seeks (the tests check it against a fold from
// the start).
import { assert, assertNever } from '../../core/index.ts';
import type { NodeId } from '../../core/index.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { applyEvent, cloneState, initialState } from './fold.ts';
import type { ClusterState } from './fold.ts';

export const CHECKPOINT_EVERY_DEFAULT = 1024;

export interface Frame {
  /** The event just applied (0-based); -1 is the state before the first event. */
  readonly index: number;
  readonly state: ClusterState;
}

export interface ModelOptions {
  readonly checkpointEvery?: number;
}

export class ReplayModel {
  readonly events: readonly TraceEvent[];
  readonly nodeCount: number;
  readonly checkpointEvery: number;
  /** checkpoints[k] is the state after event k * checkpointEvery - 1 (k = 0: before any event). */
  private readonly checkpoints: ClusterState[] = [];
  /** Indexes of role changes, faults, commits and violations, ascending. */
  readonly interesting: Int32Array;
  readonly violations: readonly number[];

  constructor(events: readonly TraceEvent[], nodeCount: number, options: ModelOptions = {}) {
    const every = options.checkpointEvery ?? CHECKPOINT_EVERY_DEFAULT;
    assert(Number.isInteger(every) && every >= 1, `checkpointEvery must be an integer >= 1, got ${every}`);
    this.events = events;
    this.nodeCount = nodeCount;
    this.checkpointEvery = every;
    const interesting: number[] = [];
    const violations: number[] = [];
    const state = initialState(nodeCount);
    for (let index = 0; index < events.length; index++) {
      if (index % every === 0) this.checkpoints.push(cloneState(state));
      const event = events[index] as TraceEvent;
      applyEvent(state, event);
      if (isInteresting(event)) interesting.push(index);
      if (event.type === 'violation') violations.push(index);
    }
    this.interesting = Int32Array.from(interesting);
    this.violations = violations;
  }

  get length(): number {
    return this.events.length;
  }

  /** The cluster after event `index` (clamped to the trace); a fresh state the caller may keep. */
  frameAt(index: number): Frame {
    const target = Math.max(-1, Math.min(this.events.length - 1, Math.trunc(index)));
    if (target < 0) return { index: -1, state: initialState(this.nodeCount) };
    const slot = Math.floor(target / this.checkpointEvery);
    const checkpoint = this.checkpoints[slot];
    assert(checkpoint !== undefined, `no checkpoint ${slot} for event ${target}`);
    const state = cloneState(checkpoint);
    for (let at = slot * this.checkpointEvery; at <= target; at++) applyEvent(state, this.events[at] as TraceEvent);
    return { index: target, state };
  }

  /** The next interesting event after `index` (or before it, backwards), concerning `node` if given. */
  nextInteresting(index: number, direction: 1 | -1, node: NodeId | null = null): number | null {
    const list = this.interesting;
    let position = lowerBound(list, direction === 1 ? index + 1 : index) + (direction === 1 ? 0 : -1);
    for (let steps = 0; position >= 0 && position < list.length && steps < list.length; steps++) {
      const candidate = list[position] as number;
      if (node === null || involves(this.events[candidate] as TraceEvent, node)) return candidate;
      position += direction;
    }
    return null;
  }

  /** The next event (in `direction`, from `index` excluded) whose description matches `query`. */
  find(index: number, query: string, direction: 1 | -1 = 1): number | null {
    const needle = query.trim().toLowerCase();
    if (needle === '') return null;
    const count = this.events.length;
    for (let step = 1; step <= count; step++) {
      const at = (((index + direction * step) % count) + count) % count;
      if (matchesQuery(this.events[at] as TraceEvent, needle)) return at;
    }
    return null;
  }
}

/** First position in the ascending list whose value is >= value. */
function lowerBound(list: Int32Array, value: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((list[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

const INTERESTING: ReadonlySet<TraceEvent['type']> = new Set<TraceEvent['type']>([
  'role', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'commit', 'violation', 'phase', 'checkpoint', 'assertion',
]);

/** What `n` and `p` stop at: role changes, faults, commits, the phase change, violations. */
export function isInteresting(event: TraceEvent): boolean {
  return INTERESTING.has(event.type);
}

/** The nodes an event concerns, for following one node. */
export function involves(event: TraceEvent, node: NodeId): boolean {
  switch (event.type) {
    case 'send': return event.message.from === node || event.message.to === node;
    case 'deliver': case 'drop': return event.from === node || event.to === node;
    case 'partition': return event.cut.some(([from, to]) => from === node || to === node);
    case 'call': return event.node === node;
    case 'heal': case 'phase': case 'violation': case 'checkpoint': return true;
    case 'duplicate': case 'return': return false;
    case 'crash': case 'restart': case 'pause': case 'resume': case 'role': case 'term': case 'append':
    case 'commit': case 'apply': case 'snapshot': case 'compact': case 'assertion':
      return event.node === node;
    default: return assertNever(event);
  }
}

/** `/` search: the event type ("crash"), or for a send its message type ("AppendEntries"). */
function matchesQuery(event: TraceEvent, needle: string): boolean {
  if (event.type.startsWith(needle)) return true;
  return event.type === 'send' && event.message.type.toLowerCase().startsWith(needle);
}
