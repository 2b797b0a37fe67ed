import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { digestEntryData, digestValue, encodeEntryData, fnv1a, Hasher, stableJson, toHex32 } from './hash.ts';
import type { EntryData, KvOp } from '../core/index.ts';

/** Reference FNV-1a straight from the definition, over TextEncoder's bytes. */
function referenceFnv1a(text: string): number {
  let hash = 0x811c9dc5n;
  for (const byte of new TextEncoder().encode(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x01000193n) % 2n ** 32n;
  }
  return Number(hash);
}

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(toHex32(fnv1a(''))).toBe('811c9dc5');
    expect(toHex32(fnv1a('a'))).toBe('e40c292c');
    expect(toHex32(fnv1a('foobar'))).toBe('bf9cf968');
  });

  it('hashes UTF-8 bytes, lone surrogates as U+FFFD', () => {
    for (const text of ['é', '€', '😀', 'a\u{10ffff}z', '\ud800', 'x\udc00y', '\ud800\ud800\udc00']) {
      expect(fnv1a(text)).toBe(referenceFnv1a(text));
    }
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 40 })])('agrees with the reference on any text', (text) => {
    expect(fnv1a(text)).toBe(referenceFnv1a(text));
  });

  it('chains through the seed: hashing in two parts equals hashing the concatenation', () => {
    expect(fnv1a('bar', fnv1a('foo'))).toBe(fnv1a('foobar'));
    expect(fnv1a('foobar', 1)).not.toBe(fnv1a('foobar'));
  });

  it('is an unsigned 32-bit integer', () => {
    for (const text of ['', 'a', 'zzzz', '\u{1f600}']) {
      const value = fnv1a(text);
      expect(Number.isInteger(value) && value >= 0 && value < 2 ** 32).toBe(true);
    }
  });
});

describe('Hasher', () => {
  function digestOf(fields: readonly (string | number)[]): string {
    const hasher = new Hasher();
    for (const field of fields) {
      if (typeof field === 'string') hasher.update(field);
      else hasher.updateNumber(field);
    }
    return hasher.digest();
  }

  it('starts at the offset basis and gives 8 hex digits', () => {
    expect(new Hasher().digest()).toBe('811c9dc5');
    expect(digestOf(['x', 1])).toMatch(/^[0-9a-f]{8}$/);
  });

  it('is sensitive to order and to field boundaries', () => {
    expect(digestOf(['a', 'b'])).not.toBe(digestOf(['b', 'a']));
    expect(digestOf(['ab', 'c'])).not.toBe(digestOf(['a', 'bc']));
    expect(digestOf(['ab', ''])).not.toBe(digestOf(['ab']));
    expect(digestOf([1, 2])).not.toBe(digestOf([2, 1]));
    expect(digestOf([12])).not.toBe(digestOf(['12']));
  });

  it('tells numbers apart exactly', () => {
    const numbers = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), Number.MAX_SAFE_INTEGER, 0.5, 1e300, -0.5];
    const digests = numbers.map((value) => digestOf([value]));
    expect(new Set(digests).size).toBe(numbers.length);
    expect(digestOf([-0])).toBe(digestOf([0]));
  });

  it('is deterministic for the same fields', () => {
    const fields = ['send', 3, 'RequestVote', 1.25, ''];
    expect(digestOf(fields)).toBe(digestOf([...fields]));
  });
});

describe('stableJson and digests', () => {
  it('sorts object keys at every depth and omits undefined fields', () => {
    expect(stableJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: 'x' }, e: undefined }))
      .toBe('{"a":{"c":"x","d":[1,{"y":null,"z":0}]},"b":1}');
  });

  test.prop([fc.jsonValue()])('parses back to the same value as JSON.stringify does', (value) => {
    expect(JSON.parse(stableJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('refuses values JSON would change silently', () => {
    expect(() => stableJson(Number.NaN)).toThrow(/cannot encode NaN/);
    expect(() => stableJson([undefined])).toThrow(/cannot encode a undefined/);
    expect(() => stableJson(1n)).toThrow(/bigint/);
    let deep: unknown = 0;
    for (let depth = 0; depth < 100; depth++) deep = [deep];
    expect(() => stableJson(deep)).toThrow(/deeper than/);
  });

  it('digests entry data independently of key order', () => {
    const data: EntryData = { type: 'command', command: { clientId: 1, sequence: 2, op: { type: 'put', key: 'k', value: 'v' } } };
    const reordered = JSON.parse('{"command":{"op":{"value":"v","key":"k","type":"put"},"sequence":2,"clientId":1},"type":"command"}') as EntryData;
    expect(digestEntryData(reordered)).toBe(digestEntryData(data));
    expect(digestValue(data)).toBe(digestEntryData(data));
  });

  it('gives different entries different digests', () => {
    const entries: EntryData[] = [
      { type: 'noop' },
      { type: 'confChange', change: { type: 'addLearner', node: 4 } },
      { type: 'confChange', change: { type: 'promote', node: 4 } },
      { type: 'command', command: { clientId: 1, sequence: 1, op: { type: 'get', key: 'k' } } },
      { type: 'command', command: { clientId: 1, sequence: 2, op: { type: 'get', key: 'k' } } },
      { type: 'command', command: { clientId: 2, sequence: 1, op: { type: 'get', key: 'k' } } },
      { type: 'command', command: { clientId: 1, sequence: 1, op: { type: 'cas', key: 'k', from: null, to: '' } } },
      { type: 'command', command: { clientId: 1, sequence: 1, op: { type: 'cas', key: 'k', from: '', to: '' } } },
    ];
    expect(new Set(entries.map(digestEntryData)).size).toBe(entries.length);
  });
});

const textArbitrary = fc.string({ unit: 'binary', maxLength: 8 });
const opArbitrary: fc.Arbitrary<KvOp> = fc.oneof(
  fc.record({ type: fc.constantFrom('get' as const, 'delete' as const), key: textArbitrary }),
  fc.record({ type: fc.constantFrom('put' as const, 'append' as const), key: textArbitrary, value: textArbitrary }),
  fc.record({ type: fc.constant('cas' as const), key: textArbitrary, from: fc.option(textArbitrary, { nil: null }), to: textArbitrary }),
);
const entryDataArbitrary: fc.Arbitrary<EntryData> = fc.oneof(
  fc.constant({ type: 'noop' as const }),
  fc.record({ type: fc.constant('command' as const), command: fc.record({ clientId: fc.nat(), sequence: fc.nat(), op: opArbitrary }) }),
  fc.record({
    type: fc.constant('confChange' as const),
    change: fc.record({ type: fc.constantFrom('addLearner' as const, 'promote' as const, 'remove' as const), node: fc.nat(100) }),
  }),
);

describe('encodeEntryData, the fast path of digestEntryData', () => {
  test.prop([entryDataArbitrary])('writes exactly what stableJson writes', (data) => {
    expect(encodeEntryData(data)).toBe(stableJson(data));
    expect(digestEntryData(data)).toBe(fnv1a(stableJson(data)));
  });
});
