// The checker suite: one shared ClusterView and the selected checkers, fed every event in order.
// A checker reports its first violation and is not asked again; the others go on to the end of the
// run (docs/design.md, "Verdicts"). Offline, checkTrace folds a saved trace through the same code.
import { assert, assertNever } from '../../core/index.ts';
import type { TraceEvent, TraceEventOf, TraceEventType } from '../../sim/events.ts';
import { ClusterView } from './cluster-view.ts';
import { Availability } from './availability.ts';
import { Durability } from './durability.ts';
import { ElectionSafety } from './election-safety.ts';
import { Invariants } from './invariants.ts';
import { LeaderAppendOnly } from './leader-append-only.ts';
import { LeaderCompleteness } from './leader-completeness.ts';
import { Liveness } from './liveness.ts';
import { LogMatching } from './log-matching.ts';
import { SometimesCounter } from './sometimes.ts';
import { Stability } from './stability.ts';
import { StateMachineSafety } from './state-machine-safety.ts';
import {
  CHECKER_NAMES, DEFAULT_CHECKER_OPTIONS, DEFAULT_STABLE_LEADER_MS,
  type Checker, type CheckerName, type CheckerOptions, type SometimesCounters, type Violation,
} from './types.ts';

export interface SuiteOptions extends Partial<CheckerOptions> {
  /** @deprecated The old name of livenessBoundMs (trace time is in milliseconds). */
  readonly livenessBoundTicks?: number;
  /** Checkers to run, all by default; the order of CHECKER_NAMES decides who reports first. */
  readonly names?: readonly CheckerName[];
}

export function createChecker(name: CheckerName, view: ClusterView, options: CheckerOptions): Checker {
  switch (name) {
    case 'election-safety': return new ElectionSafety();
    case 'log-matching': return new LogMatching(view);
    case 'leader-completeness': return new LeaderCompleteness(view);
    case 'leader-append-only': return new LeaderAppendOnly(view);
    case 'state-machine-safety': return new StateMachineSafety(view);
    case 'durability': return new Durability(view);
    case 'invariants': return new Invariants(view);
    case 'liveness': return new Liveness(view, options.livenessBoundMs, options.stableLeaderMs ?? DEFAULT_STABLE_LEADER_MS);
    case 'availability': return new Availability(view, options.availability ?? null);
    case 'stability': return new Stability(view, options.stability ?? null);
    default: return assertNever(name);
  }
}

const TRACE_EVENT_TYPES: readonly TraceEventType[] = [
  'send', 'deliver', 'drop', 'duplicate', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'role',
  'term', 'append', 'commit', 'apply', 'snapshot', 'compact', 'call', 'return', 'phase', 'violation',
  'checkpoint', 'assertion',
];

/**
 * The event types each checker's observe() acts on (it returns null for every other type, so
 * skipping those calls changes nothing). Keep in step with the checkers' observe methods; the
 * suite test runs every checker on full traces both ways.
 */
export const INTERESTS: Readonly<Record<CheckerName, readonly TraceEventType[] | 'all'>> = {
  'election-safety': ['role'],
  'log-matching': ['append'],
  'leader-completeness': ['role'],
  'leader-append-only': ['role', 'term', 'crash', 'restart', 'append'],
  'state-machine-safety': ['apply', 'snapshot', 'restart', 'commit'],
  durability: ['call', 'return', 'commit', 'append', 'restart'],
  // Liveness notices an overdue operation at the first event past its deadline, whatever its type.
  invariants: ['term', 'send', 'duplicate', 'drop', 'deliver', 'commit', 'apply', 'append', 'snapshot', 'restart', 'assertion'],
  liveness: 'all',
  // Availability, like liveness, notices an overdue leader at the first event past the bound.
  availability: 'all',
  // Stability judges candidacies and terms, and follows faults, lost messages and the leader's appends.
  stability: ['send', 'duplicate', 'deliver', 'drop', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'role', 'term'],
};

/**
 * What liveness reads before its phase begins: it notes calls and returns (an operation pending
 * when the phase begins is due within the bound) and waits for the phase; it judges nothing else.
 */
export const LIVENESS_BEFORE_PHASE: readonly TraceEventType[] = ['call', 'return', 'phase'];

/** A bit per event type of `interests` (bit typeCode(type)). */
function maskOf(interests: readonly TraceEventType[] | 'all'): number {
  let mask = 0;
  TRACE_EVENT_TYPES.forEach((type, code) => {
    if (interests === 'all' || interests.includes(type)) mask |= 1 << code;
  });
  return mask;
}

/** The position of `type` in TRACE_EVENT_TYPES, the most frequent types first. */
function typeCode(type: TraceEventType): number {
  switch (type) {
    case 'send': return 0;
    case 'deliver': return 1;
    case 'drop': return 2;
    case 'duplicate': return 3;
    case 'crash': return 4;
    case 'restart': return 5;
    case 'pause': return 6;
    case 'resume': return 7;
    case 'partition': return 8;
    case 'heal': return 9;
    case 'role': return 10;
    case 'term': return 11;
    case 'append': return 12;
    case 'commit': return 13;
    case 'apply': return 14;
    case 'snapshot': return 15;
    case 'compact': return 16;
    case 'call': return 17;
    case 'return': return 18;
    case 'phase': return 19;
    case 'violation': return 20;
    case 'checkpoint': return 21;
    case 'assertion': return 22;
    default: return assertNever(type);
  }
}

const ALL_TYPES = maskOf('all');
/** typeCode of the message events (send, deliver, drop, duplicate: codes 0 to 3) and of `violation`. */
const SEND = 0;
const DELIVER = 1;
const DROP = 2;
const LAST_MESSAGE = 3;
const VIOLATION = 20;
const APPEND = 12;
const COMMIT = 13;
const APPLY = 14;
/**
 * CHECKER_NAMES positions of the checkers that may read message events (observeMessage calls only
 * them), and appends, commits and applies (observeAppend, observeCommit and observeApply).
 */
const MESSAGE_READERS: readonly number[] = [6, 7, 8, 9];
const APPEND_READERS: readonly number[] = [1, 3, 5, 6, 7, 8];
const COMMIT_READERS: readonly number[] = [4, 5, 6, 7, 8];
const APPLY_READERS: readonly number[] = [4, 6, 7, 8];

/** CHECKER_NAMES positions of the checkers whose INTERESTS hold a type of `mask`. */
function readersOf(mask: number): number[] {
  return CHECKER_NAMES.flatMap((name, position) => ((maskOf(INTERESTS[name]) & mask) !== 0 ? [position] : []));
}

export class CheckerSuite {
  private readonly view = new ClusterView();
  private readonly checkers: readonly Checker[];
  /**
   * Each checker in its own field, null when not selected, and called from its own line of
   * observe(): one class per call site, which V8 inlines, where one loop over all the checkers
   * made a call site that saw ten classes (a lookup per call). CHECKER_NAMES order.
   */
  private readonly electionSafety: ElectionSafety | null;
  private readonly logMatching: LogMatching | null;
  private readonly leaderCompleteness: LeaderCompleteness | null;
  private readonly leaderAppendOnly: LeaderAppendOnly | null;
  private readonly stateMachineSafety: StateMachineSafety | null;
  private readonly durability: Durability | null;
  private readonly invariants: Invariants | null;
  private readonly liveness: Liveness | null;
  private readonly availability: Availability | null;
  private readonly stability: Stability | null;
  /**
   * Per checker (CHECKER_NAMES order), a bit per event type it reads (bit typeCode(type)), from
   * INTERESTS; 0 when the checker is not selected. Most events concern few checkers.
   */
  private readonly interests: Int32Array;
  private readonly counter = new SometimesCounter(this.view);
  /** Every violation found so far, one per checker at most, in the order found. */
  private readonly found: Violation[] = [];
  private finished = false;

  constructor(options: SuiteOptions = {}) {
    const selected = new Set(options.names ?? CHECKER_NAMES);
    const checkerOptions: CheckerOptions = {
      livenessBoundMs: options.livenessBoundMs ?? options.livenessBoundTicks ?? DEFAULT_CHECKER_OPTIONS.livenessBoundMs,
      availability: options.availability ?? null,
      stability: options.stability ?? null,
      ...(options.stableLeaderMs === undefined ? {} : { stableLeaderMs: options.stableLeaderMs }),
    };
    if (!(checkerOptions.livenessBoundMs > 0)) throw new RangeError('livenessBoundMs must be > 0');
    const make = <T extends Checker>(name: CheckerName): T | null =>
      (selected.has(name) ? createChecker(name, this.view, checkerOptions) as T : null);
    this.electionSafety = make<ElectionSafety>('election-safety');
    this.logMatching = make<LogMatching>('log-matching');
    this.leaderCompleteness = make<LeaderCompleteness>('leader-completeness');
    this.leaderAppendOnly = make<LeaderAppendOnly>('leader-append-only');
    this.stateMachineSafety = make<StateMachineSafety>('state-machine-safety');
    this.durability = make<Durability>('durability');
    this.invariants = make<Invariants>('invariants');
    this.liveness = make<Liveness>('liveness');
    this.availability = make<Availability>('availability');
    this.stability = make<Stability>('stability');
    const inOrder = [this.electionSafety, this.logMatching, this.leaderCompleteness, this.leaderAppendOnly, this.stateMachineSafety,
      this.durability, this.invariants, this.liveness, this.availability, this.stability];
    assert(inOrder.every((checker, position) => checker === null || checker.name === CHECKER_NAMES[position]), 'checker fields out of CHECKER_NAMES order');
    this.checkers = inOrder.filter((checker): checker is NonNullable<typeof checker> => checker !== null);
    TRACE_EVENT_TYPES.forEach((type, code) => assert(typeCode(type) === code, `typeCode(${type}) is not its position`));
    assert(typeCode('violation') === VIOLATION && typeCode('duplicate') === LAST_MESSAGE, 'message and violation codes moved');
    assert(typeCode('send') === SEND && typeCode('deliver') === DELIVER && typeCode('drop') === DROP, 'message codes moved');
    assert(typeCode('append') === APPEND && typeCode('commit') === COMMIT && typeCode('apply') === APPLY, 'log event codes moved');
    assert(MESSAGE_READERS.map((position) => CHECKER_NAMES[position]).join() === 'invariants,liveness,availability,stability', 'checkers moved');
    for (const [types, readers] of [[['send', 'deliver', 'drop', 'duplicate'], MESSAGE_READERS], [['append'], APPEND_READERS],
      [['commit'], COMMIT_READERS], [['apply'], APPLY_READERS]] as const) {
      assert(readersOf(maskOf(types)).join() === readers.join(), `the readers of ${types.join(', ')} are not those the suite calls`);
    }
    this.interests = Int32Array.from(CHECKER_NAMES, (name) => {
      if (!selected.has(name)) return 0;
      // Availability without bounds (a run with lossy links) judges nothing: it reads no event.
      if (name === 'availability' && checkerOptions.availability === null) return 0;
      if (name === 'stability' && checkerOptions.stability === null) return 0;
      // Liveness reads every event once its phase has begun; before, only calls, returns and the phase.
      if (name === 'liveness') return maskOf(LIVENESS_BEFORE_PHASE);
      return maskOf(INTERESTS[name]);
    });
  }

  /**
   * Feeds one event; returns the first violation this event revealed, or null. Every checker that
   * reads the event sees it; one that reported a violation is not asked again.
   */
  observe(event: TraceEvent, index: number, type: TraceEventType = event.type): Violation | null {
    // `type` is the event's, from a caller that has read it already (the judge): each read of it
    // is a megamorphic lookup, events coming in many shapes.
    const code = typeCode(type);
    if (code === VIOLATION) return null;
    // A message event (most events are) changes neither the view nor the counters.
    if (code <= LAST_MESSAGE) return this.observeMessage(event, index, code);
    if (code === APPLY) return this.observeApply(event as TraceEventOf<'apply'>, index);
    if (code === COMMIT) return this.observeCommit(event as TraceEventOf<'commit'>, index);
    if (code === APPEND) return this.observeAppend(event as TraceEventOf<'append'>, index);
    this.view.observe(event, index);
    this.counter.observe(event);
    const bit = 1 << code;
    const interests = this.interests;
    let found: Violation | null = null;
    if (((interests[0] as number) & bit) !== 0) found = this.note(found, (this.electionSafety as ElectionSafety).observe(event, index), 0);
    if (((interests[1] as number) & bit) !== 0) found = this.note(found, (this.logMatching as LogMatching).observe(event, index), 1);
    if (((interests[2] as number) & bit) !== 0) found = this.note(found, (this.leaderCompleteness as LeaderCompleteness).observe(event, index), 2);
    if (((interests[3] as number) & bit) !== 0) found = this.note(found, (this.leaderAppendOnly as LeaderAppendOnly).observe(event, index), 3);
    if (((interests[4] as number) & bit) !== 0) found = this.note(found, (this.stateMachineSafety as StateMachineSafety).observe(event, index), 4);
    if (((interests[5] as number) & bit) !== 0) found = this.note(found, (this.durability as Durability).observe(event, index), 5);
    if (((interests[6] as number) & bit) !== 0) found = this.note(found, (this.invariants as Invariants).observe(event, index), 6);
    if (((interests[7] as number) & bit) !== 0) {
      const liveness = this.liveness as Liveness;
      found = this.note(found, liveness.observe(event, index), 7);
      // Its phase began: from now on liveness reads every event (unless it has reported).
      if (liveness.inPhase && interests[7] !== 0) interests[7] = ALL_TYPES;
    }
    if (((interests[8] as number) & bit) !== 0) found = this.note(found, (this.availability as Availability).observe(event, index), 8);
    if (((interests[9] as number) & bit) !== 0) found = this.note(found, (this.stability as Stability).observe(event, index), 9);
    return found;
  }

  /**
   * observe() for a message event (`code` at most LAST_MESSAGE), which only invariants, liveness,
   * availability and stability read (the constructor checks). Each type in its own branch: there
   * the event's fields are read once, where each has one shape, and handed to the checkers' own
   * methods for the type, where each checker's observe() read them again behind a lookup of the
   * event's type (megamorphic: events and messages come in many shapes).
   */
  private observeMessage(event: TraceEvent, index: number, code: number): Violation | null {
    const bit = 1 << code;
    const interests = this.interests;
    const readsInvariants = ((interests[6] as number) & bit) !== 0;
    const readsStability = ((interests[9] as number) & bit) !== 0;
    // Liveness reads message events only in its phase, availability only on calm links.
    const others = (((interests[7] as number) | (interests[8] as number)) & bit) !== 0;
    let found: Violation | null = null;
    if (code === SEND) {
      const send = event as TraceEventOf<'send'>;
      const time = send.time;
      this.view.observeMessage(time);
      const id = send.id;
      const message = send.message;
      const messageType = message.type;
      if (readsInvariants) found = this.note(found, (this.invariants as Invariants).onSend(send, id, message, messageType, index), 6);
      if (others) found = this.otherReaders(found, event, index, bit, time);
      if (readsStability) found = this.note(found, (this.stability as Stability).onSend(send, id, message, messageType, index), 9);
    } else if (code === DELIVER) {
      const deliver = event as TraceEventOf<'deliver'>;
      const time = deliver.time;
      this.view.observeMessage(time);
      const id = deliver.id;
      const to = deliver.to;
      if (readsInvariants) found = this.note(found, (this.invariants as Invariants).onDeliver(deliver, id, to, index), 6);
      if (others) found = this.otherReaders(found, event, index, bit, time);
      if (readsStability) found = this.note(found, (this.stability as Stability).onDeliver(deliver, id, to, index), 9);
    } else if (code === DROP) {
      const drop = event as TraceEventOf<'drop'>;
      const time = drop.time;
      this.view.observeMessage(time);
      const id = drop.id;
      if (readsInvariants) (this.invariants as Invariants).onDrop(id);
      if (others) found = this.otherReaders(found, event, index, bit, time);
      if (readsStability) found = this.note(found, (this.stability as Stability).onDrop(drop, id, index), 9);
    } else {
      const duplicate = event as TraceEventOf<'duplicate'>;
      const time = duplicate.time;
      this.view.observeMessage(time);
      const id = duplicate.id;
      if (readsInvariants) (this.invariants as Invariants).onDuplicate(id);
      if (others) found = this.otherReaders(found, event, index, bit, time);
      if (readsStability) (this.stability as Stability).onDuplicate(id);
    }
    return found;
  }

  /** observe() for an `apply` event, which only APPLY_READERS read (its fields read once, as for messages). */
  private observeApply(event: TraceEventOf<'apply'>, index: number): Violation | null {
    const node = event.node;
    const entry = event.entry;
    const time = event.time;
    this.view.observeApply(node, time);
    this.counter.noteLogEvent(node);
    const bit = 1 << APPLY;
    const interests = this.interests;
    let found: Violation | null = null;
    if (((interests[4] as number) & bit) !== 0) found = this.note(found, (this.stateMachineSafety as StateMachineSafety).onApply(node, entry, time, index), 4);
    if (((interests[6] as number) & bit) !== 0) found = this.note(found, (this.invariants as Invariants).onApply(node, entry, time, index), 6);
    return this.othersRead(bit) ? this.otherReaders(found, event, index, bit, time) : found;
  }

  /** observe() for a `commit` event, which only COMMIT_READERS read. */
  private observeCommit(event: TraceEventOf<'commit'>, index: number): Violation | null {
    this.view.observeCommit(event, index);
    this.counter.noteLogEvent(event.node);
    const bit = 1 << COMMIT;
    const interests = this.interests;
    let found: Violation | null = null;
    if (((interests[4] as number) & bit) !== 0) found = this.note(found, (this.stateMachineSafety as StateMachineSafety).onCommit(event), 4);
    if (((interests[5] as number) & bit) !== 0) found = this.note(found, (this.durability as Durability).onCommit(event, index), 5);
    if (((interests[6] as number) & bit) !== 0) found = this.note(found, (this.invariants as Invariants).onCommit(event, index), 6);
    return this.othersRead(bit) ? this.otherReaders(found, event, index, bit, event.time) : found;
  }

  /** observe() for an `append` event, which only APPEND_READERS read. */
  private observeAppend(event: TraceEventOf<'append'>, index: number): Violation | null {
    const node = event.node;
    const time = event.time;
    this.view.observeAppend(event, index);
    this.counter.onAppend(node, event.entries);
    const bit = 1 << APPEND;
    const interests = this.interests;
    let found: Violation | null = null;
    if (((interests[1] as number) & bit) !== 0) found = this.note(found, (this.logMatching as LogMatching).onAppend(event), 1);
    if (((interests[3] as number) & bit) !== 0) found = this.note(found, (this.leaderAppendOnly as LeaderAppendOnly).onAppend(node, event.from, time, index), 3);
    if (((interests[5] as number) & bit) !== 0) (this.durability as Durability).onAppend(node, index);
    if (((interests[6] as number) & bit) !== 0) found = this.note(found, (this.invariants as Invariants).onAppend(event, index), 6);
    return this.othersRead(bit) ? this.otherReaders(found, event, index, bit, time) : found;
  }

  /** Whether liveness or availability reads events of `bit` now (liveness in its phase, availability on calm links). */
  private othersRead(bit: number): boolean {
    return (((this.interests[7] as number) | (this.interests[8] as number)) & bit) !== 0;
  }

  /** Liveness and availability on an event of a type neither acts on, at `time` (after the checkers before them). */
  private otherReaders(found: Violation | null, event: TraceEvent, index: number, bit: number, time: number): Violation | null {
    const interests = this.interests;
    if (((interests[7] as number) & bit) !== 0) found = this.note(found, (this.liveness as Liveness).observeOther(time), 7);
    if (((interests[8] as number) & bit) !== 0) found = this.note(found, (this.availability as Availability).observe(event, index), 8);
    return found;
  }

  /** A checker at `position` (CHECKER_NAMES order) reported: keep its violation and stop asking it. */
  private note(found: Violation | null, reported: Violation | null, position: number): Violation | null {
    if (reported === null) return found;
    this.interests[position] = 0;
    this.found.push(reported);
    return found ?? reported;
  }

  /** Runs the end-of-run checks once, of the checkers that have not reported; returns what they found. */
  finish(): readonly Violation[] {
    if (this.finished) return [];
    this.finished = true;
    const atEnd: Violation[] = [];
    for (const checker of this.checkers) {
      if (this.found.some((violation) => violation.checker === checker.name)) continue;
      const found = checker.finish();
      if (found !== null) atEnd.push(found);
    }
    this.found.push(...atEnd);
    return atEnd;
  }

  /** Every violation found so far, in the order found (one per checker at most). */
  violations(): readonly Violation[] {
    return this.found;
  }

  sometimes(): SometimesCounters {
    return this.counter.counters();
  }

  /** Time of the latest event fed (0 before any). */
  get lastTime(): number {
    return this.view.lastTime;
  }
}

export interface TraceCheck {
  /** The first violation found. */
  readonly violation: Violation | null;
  /** Every checker's violation, in the order found. */
  readonly violations: readonly Violation[];
  readonly sometimes: SometimesCounters;
}

/** Checks a whole trace offline: every event, then the end-of-run checks; the first violation and all of them. */
export function checkTrace(events: Iterable<TraceEvent>, options: SuiteOptions = {}): TraceCheck {
  const suite = new CheckerSuite(options);
  let index = 0;
  for (const event of events) suite.observe(event, index++);
  suite.finish();
  const violations = suite.violations();
  return { violation: violations[0] ?? null, violations, sometimes: suite.sometimes() };
}
