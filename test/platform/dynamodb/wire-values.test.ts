/**
 * The wire's own marshalling (lambda/platform/dynamodb/wire-values.ts) side by side with
 * util-dynamodb's, which the SDK's document client uses for the same tables: the same values must
 * travel the same way, and what one refuses the other refuses too. Binary travels as base64 on the
 * JSON protocol, where util-dynamodb hands the SDK bytes; that is the one difference.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { fromWire, MARSHALL_OPTIONS, toWire } from '../../../lambda/platform/dynamodb/wire-values';

/** util-dynamodb's output with its bytes as the JSON protocol carries them. */
function asJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(asJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJson(v)]));
  return value;
}

/** Buffers as the Uint8Arrays a read from DynamoDB gives. */
function plainBytes(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return new Uint8Array(value);
  if (value instanceof Set) return new Set([...value].map(plainBytes));
  if (Array.isArray(value)) return value.map(plainBytes);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]));
  return value;
}

const ITEMS: Array<Record<string, unknown>> = [
  { pk: 'ana@example.com', sk: 'obj#meeting.ics', seq: 42, deleted: false, gone: null },
  { text: 'BEGIN:VCALENDAR\r\nSUMMARY:Zoë ✓ 🎉\r\nEND:VCALENDAR\r\n', empty: '', zero: 0, negative: -12.5, tiny: 1e-7, big: Number.MAX_SAFE_INTEGER },
  { nested: { a: [1, 'two', { three: [true, null] }], b: {} }, list: [], skipped: undefined, fn: () => 1 },
  { bytes: new Uint8Array([0, 1, 2, 250, 255]), buffer: Buffer.from('gzip?'), emptyBytes: new Uint8Array(0), inList: [new Uint8Array([9])] },
  { strings: new Set(['a', 'b']), numbers: new Set([1, 2.5, -3]), binaries: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]) },
  { listWithHoles: [1, undefined, 'x', () => 0], huge: 123456789012345678901234567890n, map: new Map([['k', 'v']]) },
  { nullProto: Object.assign(Object.create(null) as object, { x: 1 }) },
];

describe('toWire / fromWire', () => {
  for (const [i, item] of ITEMS.entries()) {
    it(`marshals item ${i} as util-dynamodb does, and reads it back as unmarshall does`, () => {
      const ours = toWire(item);
      expect(ours).toEqual(asJson(marshall(item, { ...MARSHALL_OPTIONS })));
      // Back: the same plain values the document client would give (binary as Uint8Array, as read from DynamoDB).
      const theirs = plainBytes(unmarshall(marshall(item, { ...MARSHALL_OPTIONS })));
      expect(fromWire(JSON.parse(JSON.stringify(ours)) as Record<string, AttributeValue>)).toEqual(theirs);
    });
  }

  it('reads numbers beyond the safe range as BigInt, as unmarshall does', () => {
    const wired = { n: { N: '12345678901234567890' }, f: { N: '0.5' }, ns: { NS: ['1', '99999999999999999999'] } };
    expect(fromWire(wired)).toEqual(unmarshall(wired));
  });

  it('refuses what util-dynamodb refuses', () => {
    const refused: Array<Record<string, unknown>> = [
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { n: Number.MAX_SAFE_INTEGER + 2 },
      { s: new Set() },
      { s: new Set([{}]) },
      { d: new Date(0) },
      { c: new (class Thing { x = 1; })() },
    ];
    for (const item of refused) {
      expect(() => marshall(item, { ...MARSHALL_OPTIONS }), JSON.stringify(Object.keys(item))).toThrow();
      expect(() => toWire(item), JSON.stringify(Object.keys(item))).toThrow();
    }
  });
});
