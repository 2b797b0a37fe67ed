// Hashes, the same on every platform; not for adversaries, only for "did these two runs do
// exactly the same thing". FNV-1a (32-bit) for entry digests and saved traces' names (text hashed
// as its UTF-8 bytes, so the values match every other FNV-1a implementation), and the trace hash
// (TraceHasher, below): a 64-bit structural walk over each trace event.
import { assert } from '../core/index.ts';
import { assertNever } from '../core/index.ts';
import type { Entry, EntryData, KvOp, KvResult, Message } from '../core/index.ts';
import type { ClientInput, ClientOutput, EntrySummary, TraceEvent } from './events.ts';

export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// Bytes that never occur in UTF-8, so they can frame fields without ambiguity.
const TEXT_END = 0xff;
const INTEGER_TAG = 0xfe;
const NUMBER_TAG = 0xfd;
const TWO_POW_32 = 0x1_0000_0000;

function mixByte(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
}

/** Continue an FNV-1a hash over the UTF-8 encoding of `text` (lone surrogates as U+FFFD, like TextEncoder). */
function mixText(start: number, text: string): number {
  // The state is kept as a signed 32-bit integer in the loop (Math.imul reads only those 32 bits
  // of its operand, so the value is the same): started from an unsigned word above 2^31 it was a
  // double, and the loop ran about ten times slower. Entry digests run it for every new entry.
  let hash = start | 0;
  for (let index = 0; index < text.length; index++) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      hash = Math.imul(hash ^ code, FNV_PRIME);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = text.charCodeAt(index + 1); // NaN past the end
      if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        index++;
      } else {
        code = 0xfffd;
      }
    }
    hash = mixCodePoint(hash, code) | 0;
  }
  return hash >>> 0;
}

function mixCodePoint(start: number, code: number): number {
  let hash = start;
  if (code < 0x800) {
    hash = mixByte(hash, 0xc0 | (code >> 6));
  } else if (code < 0x10000) {
    hash = mixByte(hash, 0xe0 | (code >> 12));
    hash = mixByte(hash, 0x80 | ((code >> 6) & 0x3f));
  } else {
    hash = mixByte(hash, 0xf0 | (code >> 18));
    hash = mixByte(hash, 0x80 | ((code >> 12) & 0x3f));
    hash = mixByte(hash, 0x80 | ((code >> 6) & 0x3f));
  }
  return mixByte(hash, 0x80 | (code & 0x3f));
}

function mixUint32(start: number, value: number): number {
  let hash = mixByte(start, value & 0xff);
  hash = mixByte(hash, (value >>> 8) & 0xff);
  hash = mixByte(hash, (value >>> 16) & 0xff);
  return mixByte(hash, value >>> 24);
}

/** FNV-1a 32-bit of the UTF-8 bytes of `text`; `seed` replaces the offset basis to chain hashes. */
export function fnv1a(text: string, seed: number = FNV_OFFSET_BASIS): number {
  return mixText(seed >>> 0, text);
}

/** 8 lowercase hex digits. */
export function toHex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * An incremental hash of a sequence of fields (the trace hash). Each field is framed, so
 * update('ab'); update('c') differs from update('a'); update('bc'), and numbers differ from
 * their decimal text. The value therefore differs from fnv1a() of the concatenation.
 */
export class Hasher {
  private state: number;

  constructor(seed: number = FNV_OFFSET_BASIS) {
    this.state = seed >>> 0;
  }

  update(text: string): void {
    this.state = mixByte(mixText(this.state, text), TEXT_END);
  }

  /** Integers (to 2^53) hash their exact 64-bit two's complement; other numbers their shortest text. */
  updateNumber(value: number): void {
    if (Number.isSafeInteger(value)) {
      const low = value >>> 0;
      const high = Math.floor(value / TWO_POW_32) >>> 0;
      this.state = mixUint32(mixUint32(mixByte(this.state, INTEGER_TAG), low), high);
      return;
    }
    this.state = mixByte(mixText(mixByte(this.state, NUMBER_TAG), String(value)), TEXT_END);
  }

  get value(): number {
    return this.state;
  }

  digest(): string {
    return toHex32(this.state);
  }
}

// ---------------------------------------------------------------------------------------------
// Stable JSON: object keys sorted, so equal values always encode (and hash) the same.

const STABLE_JSON_DEPTH_MAX = 64;

/** JSON with sorted object keys; throws on values JSON cannot carry faithfully (undefined, NaN, functions, bigint). */
export function stableJson(value: unknown): string {
  return encodeStable(value, 0);
}

function encodeStable(value: unknown, depth: number): string {
  assert(depth <= STABLE_JSON_DEPTH_MAX, `stableJson: nesting deeper than ${STABLE_JSON_DEPTH_MAX}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    assert(Number.isFinite(value), `stableJson: cannot encode ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => encodeStable(item, depth + 1)).join(',')}]`;
  assert(typeof value === 'object', `stableJson: cannot encode a ${typeof value}`);
  const record = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field !== undefined) fields.push(`${JSON.stringify(key)}:${encodeStable(field, depth + 1)}`);
  }
  return `{${fields.join(',')}}`;
}

/** The digest the trace records for a log entry's data: FNV-1a of its stable JSON. */
export function digestEntryData(data: EntryData): number {
  // The JSON text of encodeEntryData, hashed piece by piece as it would be written: FNV-1a is a
  // fold over bytes, so the digest is the same without building the text (which, with its
  // JSON.stringify calls, cost several times the hashing). A test checks both against stableJson.
  switch (data.type) {
    case 'noop':
      return NOOP_DIGEST;
    case 'command': {
      const { clientId, sequence, op } = data.command;
      let hash = mixDecimal(COMMAND_PREFIX_DIGEST, clientId);
      hash = mixOp(mixText(hash, ',"op":'), op);
      hash = mixDecimal(mixText(hash, ',"sequence":'), sequence);
      return mixText(hash, '},"type":"command"}');
    }
    case 'confChange':
      return fnv1a(encodeEntryData(data));
    default:
      return assertNever(data);
  }
}

const NOOP_DIGEST = fnv1a('{"type":"noop"}');
const COMMAND_PREFIX_DIGEST = fnv1a('{"command":{"clientId":');
const KEY_PREFIX = '{"key":';

/** mixText of encodeOp(op). */
function mixOp(start: number, op: KvOp): number {
  switch (op.type) {
    case 'get':
      return mixText(mixJsonString(mixText(start, KEY_PREFIX), op.key), ',"type":"get"}');
    case 'delete':
      return mixText(mixJsonString(mixText(start, KEY_PREFIX), op.key), ',"type":"delete"}');
    case 'put':
      return mixText(mixJsonString(mixText(mixJsonString(mixText(start, KEY_PREFIX), op.key), ',"type":"put","value":'), op.value), '}');
    case 'append':
      return mixText(mixJsonString(mixText(mixJsonString(mixText(start, KEY_PREFIX), op.key), ',"type":"append","value":'), op.value), '}');
    case 'cas': {
      let hash = mixJsonString(mixText(start, '{"from":'), op.from);
      hash = mixJsonString(mixText(hash, ',"key":'), op.key);
      hash = mixJsonString(mixText(hash, ',"to":'), op.to);
      return mixText(hash, ',"type":"cas"}');
    }
    default:
      return assertNever(op);
  }
}

/** mixText of `${value}`: the digits of a small non-negative integer without building its text. */
function mixDecimal(start: number, value: number): number {
  if (!(Number.isInteger(value) && value >= 0 && value < DECIMAL_DIRECT_MAX)) return mixText(start, `${value}`);
  let scale = 1;
  while (scale * 10 <= value) scale *= 10;
  let hash = start | 0;
  let rest = value;
  for (; scale >= 1; scale /= 10) {
    const digit = Math.floor(rest / scale);
    rest -= digit * scale;
    hash = Math.imul(hash ^ (0x30 + digit), FNV_PRIME);
  }
  return hash >>> 0;
}

/** Integers below this are written digit by digit (exactly, well inside 2^53). */
const DECIMAL_DIRECT_MAX = 1e15;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** mixText of JSON.stringify(value) as a template writes it; a plain ASCII string without building its JSON. */
function mixJsonString(start: number, value: string | null): number {
  if (typeof value !== 'string') return mixText(start, `${JSON.stringify(value)}`);
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    // Control characters, quotes, backslashes and non-ASCII (lone surrogates) are escaped or encoded: JSON's own text.
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) return mixText(start, JSON.stringify(value));
  }
  let hash = Math.imul(start ^ QUOTE, FNV_PRIME);
  for (let index = 0; index < value.length; index++) hash = Math.imul(hash ^ value.charCodeAt(index), FNV_PRIME);
  return Math.imul(hash ^ QUOTE, FNV_PRIME) >>> 0;
}

/**
 * stableJson(data) for entry data, written out field by field: the trace digests every appended
 * and applied entry, and this is several times faster than the generic encoder. A test checks it
 * against stableJson on random entries; a field added to EntryData or KvOp must be added here.
 */
export function encodeEntryData(data: EntryData): string {
  switch (data.type) {
    case 'noop':
      return '{"type":"noop"}';
    case 'command': {
      const { clientId, sequence, op } = data.command;
      return `{"command":{"clientId":${clientId},"op":${encodeOp(op)},"sequence":${sequence}},"type":"command"}`;
    }
    case 'confChange':
      return `{"change":{"node":${data.change.node},"type":"${data.change.type}"},"type":"confChange"}`;
    default:
      return assertNever(data);
  }
}

function encodeOp(op: KvOp): string {
  const key = JSON.stringify(op.key);
  switch (op.type) {
    case 'get':
    case 'delete':
      return `{"key":${key},"type":"${op.type}"}`;
    case 'put':
    case 'append':
      return `{"key":${key},"type":"${op.type}","value":${JSON.stringify(op.value)}}`;
    case 'cas':
      return `{"from":${JSON.stringify(op.from)},"key":${key},"to":${JSON.stringify(op.to)},"type":"cas"}`;
    default:
      return assertNever(op);
  }
}

/** The same digest for any JSON value (a state machine snapshot, a message). */
export function digestValue(value: unknown): number {
  return fnv1a(stableJson(value));
}

// ---------------------------------------------------------------------------------------------
// The trace hash (trace format raftsim-trace/2, docs/design.md "The trace"): each event's fields in
// a fixed order per event type, fed word by word to a two-lane 32-bit mix (MurmurHash3's block
// step on each lane, the lanes feeding each other), 64 bits out. Numbers are 32-bit words, each
// distinct short string is hashed once and cached. Nothing here depends on how the event was
// written (key order, JSON), so the hash of events decoded from a trace file equals the live one.
//
// Word framing: an integer in [0, 2^31) is one word; every other value starts with an escape word
// at or above 2^31 (ESCAPE_*), so no two different values of one field feed the same words.
// Event and message types are a word each (EVENT_*, MESSAGE_*, in the order of sim/events.ts); a type this file does not know (an
// implementation's own message) is walked generically, keys and all, as JSON would write it.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const C3 = 0x85ebca77;
const C4 = 0xc2b2ae3d;
const LANE_A_SEED = 0x9e3779b9;
const LANE_B_SEED = 0x7f4a7c15;
const INT31_END = 0x8000_0000;

const ESCAPE_NEGATIVE_INT32 = 0x8000_0001;
const ESCAPE_INT53 = 0x8000_0002;
const ESCAPE_FLOAT = 0x8000_0003;
const ESCAPE_NULL = 0x8000_0004;
const ESCAPE_FALSE = 0x8000_0005;
const ESCAPE_TRUE = 0x8000_0006;
const ESCAPE_STRING = 0x8000_0007;
const ESCAPE_ARRAY = 0x8000_0008;
const ESCAPE_OBJECT = 0x8000_0009;
const ESCAPE_OBJECT_END = 0x8000_000a;
const ESCAPE_ABSENT = 0x8000_000b;
const ESCAPE_GENERIC = 0x8000_000c;


const EVENT_SEND = 1;
const EVENT_DELIVER = 2;
const EVENT_DROP = 3;
const EVENT_DUPLICATE = 4;
const EVENT_CRASH = 5;
const EVENT_RESTART = 6;
const EVENT_PAUSE = 7;
const EVENT_RESUME = 8;
const EVENT_PARTITION = 9;
const EVENT_HEAL = 10;
const EVENT_ROLE = 11;
const EVENT_TERM = 12;
const EVENT_APPEND = 13;
const EVENT_COMMIT = 14;
const EVENT_APPLY = 15;
const EVENT_SNAPSHOT = 16;
const EVENT_COMPACT = 17;
const EVENT_CALL = 18;
const EVENT_RETURN = 19;
const EVENT_PHASE = 20;
const EVENT_VIOLATION = 21;
const EVENT_CHECKPOINT = 22;
const EVENT_ASSERTION = 23;

const MESSAGE_REQUEST_VOTE = 101;
const MESSAGE_REQUEST_VOTE_REPLY = 102;
const MESSAGE_APPEND_ENTRIES = 103;
const MESSAGE_APPEND_ENTRIES_REPLY = 104;
const MESSAGE_INSTALL_SNAPSHOT = 105;
const MESSAGE_INSTALL_SNAPSHOT_REPLY = 106;
const MESSAGE_TIMEOUT_NOW = 107;
const DATA_NOOP = 201;
const DATA_COMMAND = 202;
const DATA_CONF_CHANGE = 203;
const OP_GET = 301;
const OP_PUT = 302;
const OP_APPEND = 303;
const OP_CAS = 304;
const OP_DELETE = 305;
const INPUT_COMMAND = 401;
const INPUT_READ = 402;
const OUTPUT_RESULT = 411;
const OUTPUT_UNKNOWN = 412;
const RESULT_VALUE = 421;
const RESULT_OK = 422;
const RESULT_CAS = 423;

/** Strings longer than this are hashed each time, not cached (violation messages, long values). */
const STRING_CACHE_LENGTH_MAX = 64;
/** The cache starts over past this many strings: client values are many and each used a few times. */
const STRING_CACHE_SIZE_MAX = 8192;
const JSON_DEPTH_MAX = 64;

/** Each cached string's two 32-bit words. */
const stringWords = new Map<string, readonly [number, number]>();

/** A string's two words, over its UTF-16 code units (exactly what JSON round-trips) and its length. */
function hashString(text: string): readonly [number, number] {
  let a = Math.imul(text.length ^ 0x5bd1e995, C1);
  let b = Math.imul(text.length ^ 0x27d4eb2f, C3);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul((b ^ code) + 0x2545f491, 0x5bd1e995);
  }
  return [fmix32(a ^ (b >>> 15)), fmix32(b + a)];
}

function stringPair(text: string): readonly [number, number] {
  let words = stringWords.get(text);
  if (words !== undefined) return words;
  words = hashString(text);
  if (text.length <= STRING_CACHE_LENGTH_MAX) {
    if (stringWords.size >= STRING_CACHE_SIZE_MAX) stringWords.clear();
    stringWords.set(text, words);
  }
  return words;
}

function fmix32(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

const floatView = new Float64Array(1);
const floatWords = new Uint32Array(floatView.buffer);

/**
 * The trace hash: `event(e)` for every trace event in order, then `digest()` (16 hex digits).
 * `traceHash` (reports/trace-file.ts) computes the same over decoded events.
 */
export class TraceHasher {
  private a = LANE_A_SEED;
  private b = LANE_B_SEED;
  private words = 0;

  /** Mixes one 32-bit word into both lanes. */
  word(value: number): void {
    let k = Math.imul(value, C1);
    k = (k << 15) | (k >>> 17);
    let a = this.a ^ Math.imul(k, C2);
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let j = Math.imul(value, C3);
    j = (j << 16) | (j >>> 16);
    let b = this.b ^ Math.imul(j, C4);
    b = (b << 17) | (b >>> 15);
    b = (Math.imul(b, 5) + a) | 0;
    this.a = a;
    this.b = b;
    this.words++;
  }

  /** One trace event: its type's fields in a fixed order (the order of sim/events.ts). */
  event(event: TraceEvent): void {
    switch (event.type) {
      case 'send':
        this.head(EVENT_SEND, event.time);
        this.number(event.id);
        this.message(event.message);
        return;
      case 'deliver':
        this.head(EVENT_DELIVER, event.time);
        this.number(event.id);
        this.number(event.from);
        this.number(event.to);
        return;
      case 'drop':
        this.head(EVENT_DROP, event.time);
        this.number(event.id);
        this.number(event.from);
        this.number(event.to);
        this.string(event.reason);
        return;
      case 'duplicate':
        this.head(EVENT_DUPLICATE, event.time);
        this.number(event.id);
        this.number(event.copy);
        return;
      case 'crash':
        this.head(EVENT_CRASH, event.time);
        this.number(event.node);
        this.number(event.lostEntries);
        this.boolean(event.torn);
        return;
      case 'restart':
        this.head(EVENT_RESTART, event.time);
        this.number(event.node);
        return;
      case 'pause':
        this.head(EVENT_PAUSE, event.time);
        this.number(event.node);
        return;
      case 'resume':
        this.head(EVENT_RESUME, event.time);
        this.number(event.node);
        return;
      case 'partition':
        this.head(EVENT_PARTITION, event.time);
        this.string(event.kind);
        this.generic(event.cut, 0);
        return;
      case 'heal':
        this.head(EVENT_HEAL, event.time);
        return;
      case 'role':
        this.head(EVENT_ROLE, event.time);
        this.number(event.node);
        this.string(event.role);
        this.number(event.term);
        return;
      case 'term':
        this.head(EVENT_TERM, event.time);
        this.number(event.node);
        this.number(event.term);
        this.nullableNumber(event.vote);
        return;
      case 'append': {
        this.head(EVENT_APPEND, event.time);
        this.number(event.node);
        this.number(event.from);
        const entries = event.entries;
        this.word(entries.length);
        for (let index = 0; index < entries.length; index++) this.summary(entries[index] as EntrySummary);
        return;
      }
      case 'commit':
        this.head(EVENT_COMMIT, event.time);
        this.number(event.node);
        this.number(event.index);
        return;
      case 'compact':
        this.head(EVENT_COMPACT, event.time);
        this.number(event.node);
        this.number(event.index);
        return;
      case 'apply':
        this.head(EVENT_APPLY, event.time);
        this.number(event.node);
        this.summary(event.entry);
        return;
      case 'snapshot':
        this.head(EVENT_SNAPSHOT, event.time);
        this.number(event.node);
        this.number(event.index);
        this.number(event.term);
        this.number(event.digest);
        this.optionalNumber(event.kept);
        return;
      case 'call':
        this.head(EVENT_CALL, event.time);
        this.number(event.client);
        this.number(event.op);
        this.number(event.node);
        this.input(event.input);
        return;
      case 'return':
        this.head(EVENT_RETURN, event.time);
        this.number(event.client);
        this.number(event.op);
        this.output(event.output);
        return;
      case 'phase':
        this.head(EVENT_PHASE, event.time);
        this.string(event.phase);
        return;
      case 'violation':
        this.head(EVENT_VIOLATION, event.time);
        this.string(event.checker);
        this.string(event.message);
        return;
      case 'checkpoint': {
        this.head(EVENT_CHECKPOINT, event.time);
        this.nullableNumber(event.leader);
        this.number(event.term);
        this.number(event.commit);
        this.number(event.heldMs);
        this.boolean(event.idle);
        const members = event.members;
        this.word(members.length);
        for (const [node, term, commit, unmovedMs] of members) {
          this.number(node);
          this.number(term);
          this.number(commit);
          this.number(unmovedMs);
        }
        return;
      }
      case 'assertion':
        this.head(EVENT_ASSERTION, event.time);
        this.number(event.node);
        this.string(event.message);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(event, 0);
    }
  }

  private head(code: number, time: number): void {
    this.word(code);
    this.number(time);
  }

  private summary(entry: EntrySummary): void {
    this.number(entry.index);
    this.number(entry.term);
    this.number(entry.digest);
    this.optionalNumber(entry.clientId);
    this.optionalNumber(entry.sequence);
  }

  private message(message: Message): void {
    switch (message.type) {
      case 'RequestVote':
        this.messageHead(MESSAGE_REQUEST_VOTE, message);
        this.number(message.lastLogIndex);
        this.number(message.lastLogTerm);
        this.boolean(message.preVote);
        this.boolean(message.transfer);
        return;
      case 'RequestVoteReply':
        this.messageHead(MESSAGE_REQUEST_VOTE_REPLY, message);
        this.boolean(message.granted);
        this.boolean(message.preVote);
        return;
      case 'AppendEntries': {
        this.messageHead(MESSAGE_APPEND_ENTRIES, message);
        this.number(message.prevLogIndex);
        this.number(message.prevLogTerm);
        const entries = message.entries;
        this.word(entries.length);
        for (let index = 0; index < entries.length; index++) this.entry(entries[index] as Entry);
        this.number(message.leaderCommit);
        this.number(message.round);
        return;
      }
      case 'AppendEntriesReply':
        this.messageHead(MESSAGE_APPEND_ENTRIES_REPLY, message);
        this.boolean(message.success);
        this.number(message.matchIndex);
        this.number(message.conflictTerm);
        this.number(message.conflictIndex);
        this.number(message.round);
        return;
      case 'InstallSnapshot':
        this.messageHead(MESSAGE_INSTALL_SNAPSHOT, message);
        this.generic(message.snapshot, 0);
        this.number(message.round);
        return;
      case 'InstallSnapshotReply':
        this.messageHead(MESSAGE_INSTALL_SNAPSHOT_REPLY, message);
        this.number(message.matchIndex);
        this.number(message.round);
        return;
      case 'TimeoutNow':
        this.messageHead(MESSAGE_TIMEOUT_NOW, message);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(message, 0);
    }
  }

  private messageHead(code: number, message: Message): void {
    this.word(code);
    this.number(message.from);
    this.number(message.to);
    this.number(message.term);
  }

  private entry(entry: Entry): void {
    this.number(entry.index);
    this.number(entry.term);
    const data: EntryData = entry.data;
    switch (data.type) {
      case 'noop':
        this.word(DATA_NOOP);
        return;
      case 'command':
        this.word(DATA_COMMAND);
        this.number(data.command.clientId);
        this.number(data.command.sequence);
        this.op(data.command.op);
        return;
      case 'confChange':
        this.word(DATA_CONF_CHANGE);
        this.string(data.change.type);
        this.number(data.change.node);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(data, 0);
    }
  }

  private op(op: KvOp): void {
    switch (op.type) {
      case 'get':
        this.word(OP_GET);
        this.string(op.key);
        return;
      case 'put':
        this.word(OP_PUT);
        this.string(op.key);
        this.string(op.value);
        return;
      case 'append':
        this.word(OP_APPEND);
        this.string(op.key);
        this.string(op.value);
        return;
      case 'cas':
        this.word(OP_CAS);
        this.string(op.key);
        this.nullableString(op.from);
        this.string(op.to);
        return;
      case 'delete':
        this.word(OP_DELETE);
        this.string(op.key);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(op, 0);
    }
  }

  private input(input: ClientInput): void {
    switch (input.type) {
      case 'command':
        this.word(INPUT_COMMAND);
        this.number(input.command.clientId);
        this.number(input.command.sequence);
        this.op(input.command.op);
        return;
      case 'read':
        this.word(INPUT_READ);
        this.string(input.key);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(input, 0);
    }
  }

  private output(output: ClientOutput): void {
    switch (output.type) {
      case 'result':
        this.word(OUTPUT_RESULT);
        this.result(output.result);
        return;
      case 'unknown':
        this.word(OUTPUT_UNKNOWN);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(output, 0);
    }
  }

  private result(result: KvResult): void {
    switch (result.type) {
      case 'value':
        this.word(RESULT_VALUE);
        this.nullableString(result.value);
        return;
      case 'ok':
        this.word(RESULT_OK);
        return;
      case 'cas':
        this.word(RESULT_CAS);
        this.boolean(result.ok);
        this.nullableString(result.value);
        return;
      default:
        this.word(ESCAPE_GENERIC);
        this.generic(result, 0);
    }
  }

  private number(value: number): void {
    if (value >= 0 && value < INT31_END && (value | 0) === value) {
      this.word(value);
    } else if ((value | 0) === value) {
      this.word(ESCAPE_NEGATIVE_INT32); // -0 took the first branch, as JSON writes it 0
      this.word(value);
    } else if (Number.isSafeInteger(value)) {
      this.word(ESCAPE_INT53);
      this.word(value >>> 0);
      this.word(Math.floor(value / TWO_POW_32) | 0);
    } else if (Number.isFinite(value)) {
      floatView[0] = value;
      this.word(ESCAPE_FLOAT);
      this.word(floatWords[0] as number);
      this.word(floatWords[1] as number);
    } else {
      this.word(ESCAPE_NULL); // JSON writes NaN and the infinities as null
    }
  }

  private optionalNumber(value: number | undefined): void {
    if (value === undefined) this.word(ESCAPE_ABSENT);
    else this.number(value);
  }

  private nullableNumber(value: number | null): void {
    if (value === null) this.word(ESCAPE_NULL);
    else this.number(value);
  }

  private boolean(value: boolean): void {
    this.word(value ? ESCAPE_TRUE : ESCAPE_FALSE);
  }

  private string(text: string): void {
    const words = stringPair(text);
    this.word(words[0]);
    this.word(words[1]);
  }

  private nullableString(text: string | null): void {
    if (text === null) {
      this.word(ESCAPE_NULL);
    } else {
      this.word(ESCAPE_STRING);
      this.string(text);
    }
  }

  /** Any JSON value, as JSON.stringify would write it: own enumerable keys in order, undefined left out. */
  private generic(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'number':
        this.number(value);
        return;
      case 'string':
        this.word(ESCAPE_STRING);
        this.string(value);
        return;
      case 'boolean':
        this.boolean(value);
        return;
      case 'object':
        if (value === null) this.word(ESCAPE_NULL);
        else this.object(value, depth);
        return;
      default:
        // In an array JSON writes undefined, functions and symbols as null (objects leave them out).
        assert(typeof value !== 'bigint', 'trace hash: a bigint cannot be written as JSON');
        this.word(ESCAPE_NULL);
    }
  }

  private object(value: object, depth: number): void {
    assert(depth < JSON_DEPTH_MAX, `trace hash: nesting deeper than ${JSON_DEPTH_MAX}`);
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') {
      this.generic((toJson as () => unknown).call(value), depth + 1);
      return;
    }
    if (Array.isArray(value)) {
      this.word(ESCAPE_ARRAY);
      this.word(value.length);
      for (let index = 0; index < value.length; index++) this.generic(value[index], depth + 1);
      return;
    }
    this.word(ESCAPE_OBJECT);
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      this.string(key);
      this.generic(field, depth + 1);
    }
    this.word(ESCAPE_OBJECT_END);
  }

  /** The 64-bit result as two 32-bit halves (high, low). */
  value64(): readonly [number, number] {
    let a = (this.a ^ this.words) | 0;
    let b = (this.b ^ Math.floor(this.words / TWO_POW_32)) | 0;
    a = (a + b) | 0;
    b = (b + a) | 0;
    a = fmix32(a);
    b = fmix32(b);
    a = (a + b) | 0;
    b = (b + a) | 0;
    return [a >>> 0, b >>> 0];
  }

  /** 16 lowercase hex digits. */
  digest(): string {
    const [high, low] = this.value64();
    return toHex32(high) + toHex32(low);
  }
}
