import { DecodeError } from './decode-error.js';

/**
 * JSON with tags for the types JSON cannot carry (SPEC §2): Date, Buffer, Uint8Array, Map, Set, BigInt
 * and non-finite numbers. Only values that hold such types are tagged; plain JSON stays plain so reading
 * it costs one `JSON.parse`.
 */
const TAG = '$tc';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Converts a snapshot holding special types into a JSON-safe tree. */
export function toTagged(value: unknown): Json {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : { [TAG]: 'num', v: String(value) };
    case 'bigint':
      return { [TAG]: 'big', v: value.toString() };
    case 'string':
    case 'boolean':
      return value;
  }
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) return value.map(toTagged);
  if (value instanceof Date) {
    const time = value.getTime();
    return { [TAG]: 'date', v: Number.isNaN(time) ? null : time };
  }
  if (value instanceof Uint8Array) {
    const base64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return { [TAG]: Buffer.isBuffer(value) ? 'buf' : 'u8', v: base64 };
  }
  if (value instanceof Map)
    return { [TAG]: 'map', v: [...value].map(([k, v]) => [toTagged(k), toTagged(v)]) };
  if (value instanceof Set) return { [TAG]: 'set', v: [...value].map(toTagged) };
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(value)) {
    const item = toTagged((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true });
    else out[key] = item;
  }
  return Object.hasOwn(out, TAG) ? { [TAG]: 'obj', v: out } : out;
}

/** Rebuilds a value from its tagged JSON tree; an unknown tag is a `DecodeError`. */
export function fromTagged(json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json;
  if (Array.isArray(json)) return json.map(fromTagged);
  const record = json as Record<string, unknown>;
  const tag = record[TAG];
  if (tag === undefined) return mapObject(record);
  const v = record.v;
  switch (tag) {
    case 'num':
      return Number(v);
    case 'big':
      return BigInt(v as string);
    case 'date':
      return new Date(v === null ? Number.NaN : (v as number));
    case 'buf':
      return Buffer.from(v as string, 'base64');
    case 'u8':
      return new Uint8Array(Buffer.from(v as string, 'base64'));
    case 'map':
      return new Map((v as [unknown, unknown][]).map(([k, item]) => [fromTagged(k), fromTagged(item)]));
    case 'set':
      return new Set((v as unknown[]).map(fromTagged));
    case 'obj':
      return mapObject(v as Record<string, unknown>);
    default:
      throw new DecodeError(`unknown value tag ${JSON.stringify(tag)}`);
  }
}

function mapObject(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const item = fromTagged(record[key]);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
