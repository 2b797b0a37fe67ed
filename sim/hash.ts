// FNV-1a (32-bit) for the trace hash and entry digests: tiny, fast, and the same on every
// platform. Not for adversaries, only for "did these two runs do exactly the same thing".
// Text is hashed as its UTF-8 bytes, so the values match every other FNV-1a implementation.
import { assert } from '../core/index.ts';
import { assertNever } from '../core/index.ts';
import type { EntryData, KvOp } from '../core/index.ts';

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
  let hash = start;
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
    hash = mixCodePoint(hash, code);
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
  return fnv1a(encodeEntryData(data));
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
