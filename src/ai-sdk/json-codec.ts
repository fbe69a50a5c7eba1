/**
 * The AI SDK's results and stream parts hold a few values JSON cannot carry (the response timestamp is a
 * `Date`, file data a `Uint8Array`, a prompt's file may be a `URL`). They are tagged on the way in and
 * restored on the way out, so a response read from Redis is the response that was stored.
 */
const TAG = '$tc';
/** Deeper nesting is not a model response; it is refused rather than walked. */
const MAX_DEPTH = 64;

/** Plain JSON: what `encodeJson` produces and `decodeJson` reads. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

class NotJson extends Error {}

/**
 * `value` as plain JSON with `Date`, `Uint8Array` and `URL` tagged, or `undefined` when it holds anything
 * else JSON cannot carry (a function, a class instance, a bigint, a non-finite number, a hole).
 */
export function encodeJson(value: unknown): Json | undefined {
  try {
    return encode(value, 0);
  } catch (error) {
    if (error instanceof NotJson) return undefined;
    throw error;
  }
}

function encode(value: unknown, depth: number): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new NotJson();
  }
  if (typeof value !== 'object' || depth > MAX_DEPTH) throw new NotJson();
  if (Array.isArray(value)) return value.map((item) => encode(item, depth + 1));
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new NotJson();
    return { [TAG]: 'date', v: value.toISOString() };
  }
  if (value instanceof Uint8Array) return { [TAG]: 'bytes', v: Buffer.from(value).toString('base64') };
  if (value instanceof URL) return { [TAG]: 'url', v: value.href };
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new NotJson();
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = encode(item, depth + 1);
  }
  // An object of the caller's that happens to have the tag key is wrapped, so it is not mistaken for one of ours.
  return Object.hasOwn(out, TAG) ? { [TAG]: 'object', v: out } : out;
}

/** The value `encodeJson` was given, as fresh objects (a cache may hand out frozen ones). */
export function decodeJson(json: unknown): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(decodeJson);
  const record = json as Record<string, unknown>;
  const tag = record[TAG];
  if (typeof tag === 'string' && typeof record.v !== 'undefined') {
    switch (tag) {
      case 'date':
        return new Date(record.v as string);
      case 'bytes':
        return new Uint8Array(Buffer.from(record.v as string, 'base64'));
      case 'url':
        return new URL(record.v as string);
      case 'object':
        return decodeFields(record.v as Record<string, unknown>);
    }
  }
  return decodeFields(record);
}

function decodeFields(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = decodeJson(item);
  return out;
}
