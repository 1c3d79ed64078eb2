/**
 * Item values between the document client's terms (plain values) and DynamoDB's JSON protocol:
 * what util-dynamodb's marshalling and the SDK's serde on top of it do together, in one walk.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Plain = Record<string, unknown>;
export type Wired = Record<string, AttributeValue>;

/**
 * How plain values marshal, for the wire and the document client alike (store/dynamodb/client.ts):
 * optional fields (a user's timeZone) are left off the item. Frozen: lib-dynamodb writes its own
 * defaults into the options object it is given, so it must get a copy.
 */
export const MARSHALL_OPTIONS = Object.freeze({ removeUndefinedValues: true });

const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const bytes = (b: string) => new Uint8Array(Buffer.from(b, 'base64'));

/**
 * A plain value as the JSON protocol carries it, by util-dynamodb's rules with MARSHALL_OPTIONS
 * (test/platform/dynamodb/wire-values.test.ts holds the two side by side): undefined and
 * functions left off, binary as base64 (the JSON protocol has no bytes). Written here because
 * util-dynamodb's generic walk, then a second walk for the binary parts, was a tenth of a phone
 * PUT's CPU (bench/README.md, "CPU per request").
 */
function attr(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return { N: numberText(value) };
    case 'boolean':
      return { BOOL: value };
    case 'bigint':
      return { N: value.toString() };
    case 'undefined':
    case 'function':
      return undefined;
    case 'object':
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) return { L: list(value) };
      if (ArrayBuffer.isView(value)) return { B: base64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) as unknown as Uint8Array };
      if (value instanceof ArrayBuffer) return { B: base64(new Uint8Array(value)) as unknown as Uint8Array };
      if (value instanceof Set) return set(value);
      if (value instanceof Map) return { M: map(Object.fromEntries(value)) };
      if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) return { M: map(value as Plain) };
      throw new Error(`Unsupported type passed: ${String(value)}. Only plain objects, arrays, sets, binary and primitives marshal.`);
    default:
      throw new Error(`Unsupported type passed: ${String(value)}`);
  }
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Special numeric value ${n} is not allowed`);
  if (n > MAX || n < MIN) throw new Error(`Number ${n} is outside the safe integer range; use a string or bigint`);
  return String(n);
}

function list(values: unknown[]): AttributeValue[] {
  const out: AttributeValue[] = [];
  for (const v of values) {
    const a = attr(v);
    if (a !== undefined) out.push(a);
  }
  return out;
}

function map(object: Plain): Wired {
  const out: Wired = {};
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const a = attr(object[key]);
    if (a !== undefined) out[key] = a;
  }
  return out;
}

function set(values: Set<unknown>): AttributeValue {
  if (values.size === 0) throw new Error('Pass a non-empty set, or options.convertEmptyValues=true.');
  const first = values.values().next().value;
  if (typeof first === 'string') return { SS: [...values].map((v) => must(v, 'string') as string) };
  if (typeof first === 'number' || typeof first === 'bigint') return { NS: [...values].map((v) => (typeof v === 'bigint' ? v.toString() : numberText(must(v, 'number') as number))) };
  if (ArrayBuffer.isView(first) || first instanceof ArrayBuffer) return { BS: [...values].map((v) => attr(v)!.B!) };
  throw new Error('Only Number Set (NS), Binary Set (BS) or String Set (SS) are allowed.');
}

function must(value: unknown, type: string): unknown {
  if (typeof value !== type) throw new Error(`A set holds values of one type; found ${typeof value} among ${type}s`);
  return value;
}

/** util-dynamodb's number reading (wrapNumbers off): beyond the safe range, a BigInt. */
function number(text: string): number | bigint {
  const n = Number(text);
  if ((n > MAX || n < MIN) && Number.isFinite(n)) {
    try {
      return BigInt(text);
    } catch {
      throw new Error(`${text} can't be converted to BigInt. Set options.wrapNumbers to get string value.`);
    }
  }
  return n;
}

function native(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return plainOf(value.M);
  if (value.L !== undefined) return value.L.map(native);
  if (value.B !== undefined) return bytes(value.B as unknown as string);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(number));
  if (value.BS !== undefined) return new Set(value.BS.map((b) => bytes(b as unknown as string)));
  throw new Error(`Unsupported attribute value ${JSON.stringify(value).slice(0, 60)}`);
}

function plainOf(wired: Wired): Plain {
  const out: Plain = {};
  for (const key in wired) out[key] = native(wired[key]!);
  return out;
}

/** A plain item, key or value map as the JSON protocol carries it. */
export const toWire = (plain: Plain): Wired => map(plain);

/** An item from a JSON answer, as the document client would return it. */
export const fromWire = (wired: Wired): Plain => plainOf(wired);
