/**
 * Item values between the document client's terms (plain values) and DynamoDB's JSON protocol:
 * util-dynamodb's marshalling, plus what the SDK's serde does on top of it, binary as base64
 * (the JSON protocol has no bytes).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

export type Plain = Record<string, unknown>;
export type Wired = Record<string, AttributeValue>;

/**
 * How plain values marshal, for the wire and the document client alike (store/dynamodb/client.ts):
 * optional fields (a user's timeZone) are left off the item. Frozen: lib-dynamodb writes its own
 * defaults into the options object it is given, so it must get a copy.
 */
export const MARSHALL_OPTIONS = Object.freeze({ removeUndefinedValues: true });

type Bytes = Uint8Array | string;
const base64 = (b: Bytes) => (typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'));
const bytes = (b: Bytes) => (typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'base64')) : b);

/** Walks one attribute value, converting its binary parts (B, BS, and inside M and L). */
function binary(value: AttributeValue, convert: (b: Bytes) => Bytes): AttributeValue {
  if (value.B !== undefined) return { B: convert(value.B) as Uint8Array };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => convert(b) as Uint8Array) };
  if (value.M !== undefined) return { M: binaryIn(value.M, convert) };
  if (value.L !== undefined) return { L: value.L.map((v) => binary(v, convert)) };
  return value;
}

function binaryIn(map: Wired, convert: (b: Bytes) => Bytes): Wired {
  let out: Wired | null = null;
  for (const key in map) {
    const before = map[key]!;
    const after = binary(before, convert);
    if (after !== before) (out ??= { ...map })[key] = after;
  }
  return out ?? map;
}

/** A plain item, key or value map as the JSON protocol carries it. */
export const toWire = (plain: Plain): Wired => binaryIn(marshall(plain, MARSHALL_OPTIONS), base64);

/** An item from a JSON answer, as the document client would return it. */
export const fromWire = (wired: Wired): Plain => unmarshall(binaryIn(wired, bytes)) as Plain;
