import { ValidationError } from './errors.js';
import type { CacheEntry } from './types.js';
import type { TtlPolicy, WritePlan } from './write-plan.js';
import { LARGE_VALUE_BYTES } from './turns.js';

const KEY_MESSAGE = 'key must be a non-empty string of at most 1024 bytes';
/** Any string this short is under 1024 bytes even if every code unit takes 3 bytes. */
const SAFE_KEY_LENGTH = 341;

/** Throws the SPEC §2 key message unless `key` is a non-empty string of at most 1024 UTF-8 bytes. */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new ValidationError(KEY_MESSAGE, { option: 'key' });
  if (key.length > SAFE_KEY_LENGTH && Buffer.byteLength(key) > 1024) {
    throw new ValidationError(KEY_MESSAGE, { option: 'key' });
  }
}

/** Checks a list of keys (batch operations). */
export function assertKeys(keys: unknown): asserts keys is string[] {
  if (!Array.isArray(keys)) throw new ValidationError('keys must be an array of strings', { option: 'keys' });
  for (const key of keys) assertKey(key);
}

const ENTRY_FIELDS = new Set(['key', 'value', 'ttl', 'tags']);

/** Checks the argument of `setMany` and plans each entry's TTL and tags. */
export function resolveEntries(
  entries: unknown,
  policy: TtlPolicy,
): { key: string; value: unknown; plan: WritePlan }[] {
  if (!Array.isArray(entries)) {
    throw new ValidationError('entries must be an array of { key, value, ttl?, tags? }', {
      option: 'entries',
    });
  }
  return (entries as CacheEntry[]).map((entry) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new ValidationError('entries must be an array of { key, value, ttl?, tags? }', {
        option: 'entries',
      });
    }
    for (const name of Object.keys(entry)) {
      if (!ENTRY_FIELDS.has(name)) {
        throw new ValidationError(`unknown setMany entry field: ${name} (known: key, value, ttl, tags)`, {
          option: name,
        });
      }
    }
    assertKey(entry.key);
    return { key: entry.key, value: entry.value, plan: policy.plan({ ttl: entry.ttl, tags: entry.tags }) };
  });
}

/** A validated value, usually a private copy of it. */
export interface Snapshot {
  /**
   * A private deep copy (nobody else holds it); the caller's own value when taken with `copy: false`.
   * Its plain objects and arrays are frozen when `frozen`, else by whoever first hands it out
   * (`freezeValue`): a copy that is only stored, and never read, never pays for freezing (issue 23).
   */
  value: unknown;
  /** True once `value` is deep-frozen (a decoded value is frozen before it is shared). */
  frozen: boolean;
  /** True when `value` is the holder's own (a copy, or a decoded value): it may be serialized later. */
  owned: boolean;
  /** True when the value holds types that JSON cannot carry (Date, Buffer, Map, Set, BigInt, NaN...). */
  special: boolean;
  /** Rough size in bytes, used for `maxBytes` and memory figures. */
  bytes: number;
}

/**
 * Validates a value (SPEC §2) and takes a private deep copy of it, not yet frozen: its holder freezes it
 * (`freezeValue`) before handing it out, so a value without special types can then be handed out on
 * every hit without cloning. With `copy: false` it only validates (for a value that is serialized at
 * once and not kept).
 */
export function snapshotValue(value: unknown, copy = true): Snapshot {
  if (value === undefined) throw new ValidationError('value is undefined', { option: 'value' });
  // Most values are plain JSON: copied (and checked) by a lean walk; anything else, or anything wrong,
  // goes through the full walker, which knows the special types and words the error.
  plainBytes = 0;
  const plain = plainCopy(value, 0, copy);
  if (plain !== NOT_PLAIN)
    return { value: plain, special: false, bytes: plainBytes, frozen: false, owned: copy };
  const walker = new SnapshotWalker(copy);
  const result = walker.visit(value);
  return { value: result, special: walker.special, bytes: walker.bytes, frozen: false, owned: copy };
}

/**
 * The snapshot a write to Redis takes: a copy when L1 keeps it, or when the value is large (it is then
 * serialized in a later turn of the event loop, see `inTurn`, and the caller may change it meanwhile);
 * otherwise only validated (it is serialized at once).
 */
export function snapshotForWrite(value: unknown, keep: boolean): Snapshot {
  const snapshot = snapshotValue(value, keep);
  return snapshot.owned || snapshot.bytes < LARGE_VALUE_BYTES ? snapshot : snapshotValue(value, true);
}

const NOT_PLAIN = Symbol('not plain JSON');
/** Bytes counted by the running `plainCopy` (one walk at a time: it is synchronous). */
let plainBytes = 0;

/**
 * The fast path of `snapshotValue`: strings, finite numbers, booleans, null, arrays and plain objects,
 * copied (or only checked, without `copy`). NOT_PLAIN as soon as anything else appears (a Date, a Map,
 * undefined in an array, an own `__proto__` key, nesting past MAX_VALUE_DEPTH, which is also where a
 * cycle ends up) and the full walker redoes the value. No path or seen-set bookkeeping: those, and the
 * freezing, were most of a small value's cost.
 */
function plainCopy(value: unknown, depth: number, copy: boolean): unknown {
  switch (typeof value) {
    case 'string':
      plainBytes += value.length + 2;
      return value;
    case 'number':
      if (!Number.isFinite(value)) return NOT_PLAIN;
      plainBytes += 8;
      return value;
    case 'boolean':
      plainBytes += 4;
      return value;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) {
    plainBytes += 4;
    return null;
  }
  if (depth >= MAX_VALUE_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    // Copied item by item into a new plain array: never through the array's own methods (`slice`, its
    // `constructor` or species), which a caller's array may override.
    const items: unknown[] = copy ? new Array<unknown>(value.length) : value;
    for (let i = 0; i < value.length; i++) {
      const item = plainCopy(value[i], depth + 1, copy);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      if (copy) items[i] = item;
    }
    plainBytes += 2;
    return items;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  const fields: Record<string, unknown> = copy ? {} : (value as Record<string, unknown>);
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue; // JSON semantics: an undefined property is absent
    if (key === '__proto__') return NOT_PLAIN;
    plainBytes += key.length + 4;
    const itemCopy = plainCopy(item, depth + 1, copy);
    if (itemCopy === NOT_PLAIN) return NOT_PLAIN;
    if (copy) fields[key] = itemCopy;
  }
  return fields;
}

/** How deep a value may nest (objects, arrays, maps and sets inside each other). */
export const MAX_VALUE_DEPTH = 256;

class SnapshotWalker {
  special = false;
  bytes = 0;
  readonly #seen = new Set<object>();
  /** Path segments to the node being visited; joined only to report a problem. */
  readonly #path: (string | number)[] = [];

  constructor(private readonly copy: boolean) {}

  visit(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
        this.bytes += value.length + 2;
        return value;
      case 'number':
        this.bytes += 8;
        if (!Number.isFinite(value)) this.special = true;
        return value;
      case 'boolean':
        this.bytes += 4;
        return value;
      case 'bigint':
        this.bytes += 16;
        this.special = true;
        return value;
      case 'function':
        throw this.#invalid('is a function');
      case 'symbol':
        throw this.#invalid('is a symbol');
      case 'undefined':
        throw this.#invalid('is undefined');
    }
    if (value === null) {
      this.bytes += 4;
      return null;
    }
    const object = value as object;
    if (this.#seen.has(object)) throw this.#invalid('is a circular reference');
    this.#seen.add(object);
    try {
      return this.#visitObject(object);
    } finally {
      this.#seen.delete(object);
    }
  }

  #child(segment: string | number, value: unknown): unknown {
    // A bound well below the stack's, so a deep value is a ValidationError, not a RangeError.
    if (this.#path.length >= MAX_VALUE_DEPTH)
      throw this.#invalid(`nests more than ${MAX_VALUE_DEPTH} levels deep (is it circular?)`);
    this.#path.push(segment);
    const result = this.visit(value);
    this.#path.pop();
    return result;
  }

  #visitObject(object: object): unknown {
    if (Array.isArray(object)) {
      const copy: unknown[] | undefined = this.copy ? new Array<unknown>(object.length) : undefined;
      for (let i = 0; i < object.length; i++) {
        const item = this.#child(i, object[i]);
        if (copy) copy[i] = item;
      }
      this.bytes += 2;
      return copy ?? object;
    }
    if (object instanceof Date) {
      this.special = true;
      this.bytes += 24;
      return this.copy ? new Date(object.getTime()) : object;
    }
    if (object instanceof Uint8Array) {
      this.special = true;
      this.bytes += object.byteLength;
      if (!this.copy) return object;
      return Buffer.isBuffer(object) ? Buffer.from(object) : new Uint8Array(object);
    }
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      throw this.#invalid('is an unsupported binary type (use a Buffer or Uint8Array)');
    }
    if (object instanceof Map) return this.#visitMap(object);
    if (object instanceof Set) {
      this.special = true;
      const copy = new Set<unknown>();
      for (const item of object) copy.add(this.#child('<set item>', item));
      return this.copy ? copy : object;
    }
    const proto = Object.getPrototypeOf(object) as object | null;
    const keys = Object.keys(object);
    if (proto !== Object.prototype && proto !== null && keys.length === 0) {
      throw this.#invalid('is a class instance with no data (only methods)');
    }
    const copy: Record<string, unknown> | undefined = this.copy ? {} : undefined;
    for (const key of keys) {
      const item = (object as Record<string, unknown>)[key];
      if (item === undefined) continue; // JSON semantics: an undefined property is absent
      this.bytes += key.length + 4;
      const itemCopy = this.#child(key, item);
      if (!copy) continue;
      if (key === '__proto__') Object.defineProperty(copy, key, { value: itemCopy, enumerable: true });
      else copy[key] = itemCopy;
    }
    return copy ?? object;
  }

  #visitMap(map: Map<unknown, unknown>): unknown {
    this.special = true;
    const copy = new Map<unknown, unknown>();
    for (const [k, v] of map) {
      copy.set(this.#child('<map key>', k), this.#child(`get(${String(k)})`, v));
    }
    return this.copy ? copy : map;
  }

  #invalid(problem: string): ValidationError {
    let path = 'value';
    for (const segment of this.#path) {
      path += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
    }
    return new ValidationError(`${path} ${problem}`, { option: 'value' });
  }
}

/** A fresh, mutable deep copy of a snapshot that holds special types (their containers cannot be frozen). */
export function cloneSnapshotValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneSnapshotValue);
  if (value instanceof Date) return new Date(value.getTime());
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    for (const [k, v] of value) copy.set(cloneSnapshotValue(k), cloneSnapshotValue(v));
    return copy;
  }
  if (value instanceof Set) return new Set([...value].map(cloneSnapshotValue));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = cloneSnapshotValue((value as Record<string, unknown>)[key]);
    if (key === '__proto__')
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}

/**
 * Wraps a freshly decoded value (nobody else holds it) as a snapshot without copying: plain JSON is
 * frozen in place; values with special types are kept as they are and cloned on every read.
 */
export function adoptDecoded(value: unknown, special: boolean, bytes: number): Snapshot {
  if (!special) freezeValue(value);
  return { value, special, bytes, frozen: !special, owned: true };
}

/** Deep-freezes a snapshot's plain objects and arrays (before it is first handed out). */
export function freezeValue(value: unknown): void {
  deepFreeze(value);
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Array.isArray(value) ? value : Object.values(value)) deepFreeze(item);
}
