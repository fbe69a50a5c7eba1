import { ValidationError } from './errors.js';
import { parseDuration, type Duration } from './duration.js';
import type { CacheEntry, SetOptions } from './types.js';

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

/** Resolves the `ttl` argument of `set` (a duration or `{ ttl }`) into seconds. */
export function resolveTtl(arg: Duration | SetOptions | undefined, defaultTtl: number): number {
  if (arg === undefined) return defaultTtl;
  if (typeof arg === 'object' && arg !== null) {
    return arg.ttl === undefined ? defaultTtl : parseDuration(arg.ttl, 'ttl');
  }
  return parseDuration(arg, 'ttl');
}

/** Checks the argument of `setMany` and resolves each entry's TTL. */
export function resolveEntries(
  entries: unknown,
  defaultTtl: number,
): { key: string; value: unknown; ttl: number }[] {
  if (!Array.isArray(entries)) {
    throw new ValidationError('entries must be an array of { key, value, ttl? }', { option: 'entries' });
  }
  return (entries as CacheEntry[]).map((entry) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new ValidationError('entries must be an array of { key, value, ttl? }', { option: 'entries' });
    }
    assertKey(entry.key);
    return { key: entry.key, value: entry.value, ttl: resolveTtl(entry.ttl, defaultTtl) };
  });
}

/** A validated, private copy of a value. */
export interface Snapshot {
  /** Deep copy; plain objects and arrays are frozen. */
  value: unknown;
  /** True when the value holds types that JSON cannot carry (Date, Buffer, Map, Set, BigInt, NaN...). */
  special: boolean;
  /** Rough size in bytes, used for `maxBytes` and memory figures. */
  bytes: number;
}

/**
 * Validates a value and takes a private deep copy of it (SPEC §2). Plain objects and arrays in the copy
 * are frozen, so a value without special types can be handed out on every hit without cloning.
 */
export function snapshotValue(value: unknown): Snapshot {
  if (value === undefined) throw new ValidationError('value is undefined', { option: 'value' });
  const state = { special: false, bytes: 0 };
  const copy = copyValue(value, 'value', new Set(), state);
  return { value: copy, special: state.special, bytes: state.bytes };
}

function copyValue(
  value: unknown,
  path: string,
  seen: Set<object>,
  state: { special: boolean; bytes: number },
): unknown {
  switch (typeof value) {
    case 'string':
      state.bytes += value.length + 2;
      return value;
    case 'number':
      state.bytes += 8;
      if (!Number.isFinite(value)) state.special = true;
      return value;
    case 'boolean':
      state.bytes += 4;
      return value;
    case 'bigint':
      state.bytes += 16;
      state.special = true;
      return value;
    case 'function':
      throw invalid(`${path} is a function`);
    case 'symbol':
      throw invalid(`${path} is a symbol`);
    case 'undefined':
      throw invalid(`${path} is undefined`);
  }
  if (value === null) {
    state.bytes += 4;
    return null;
  }
  const object = value as object;
  if (seen.has(object)) throw invalid(`${path} is a circular reference`);
  seen.add(object);
  try {
    return copyObject(object, path, seen, state);
  } finally {
    seen.delete(object);
  }
}

function copyObject(
  object: object,
  path: string,
  seen: Set<object>,
  state: { special: boolean; bytes: number },
): unknown {
  if (Array.isArray(object)) {
    const copy: unknown[] = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) {
      copy[i] = copyValue(object[i], `${path}[${i}]`, seen, state);
    }
    state.bytes += 2;
    return Object.freeze(copy);
  }
  if (object instanceof Date) {
    state.special = true;
    state.bytes += 24;
    return new Date(object.getTime());
  }
  if (object instanceof Uint8Array) {
    state.special = true;
    state.bytes += object.byteLength;
    return Buffer.isBuffer(object) ? Buffer.from(object) : new Uint8Array(object);
  }
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    throw invalid(`${path} is an unsupported binary type (use a Buffer or Uint8Array)`);
  }
  if (object instanceof Map) {
    state.special = true;
    const copy = new Map<unknown, unknown>();
    for (const [k, v] of object) {
      copy.set(
        copyValue(k, `${path}.<map key>`, seen, state),
        copyValue(v, `${path}.get(${String(k)})`, seen, state),
      );
    }
    return copy;
  }
  if (object instanceof Set) {
    state.special = true;
    const copy = new Set<unknown>();
    for (const item of object) copy.add(copyValue(item, `${path}.<set item>`, seen, state));
    return copy;
  }
  const proto = Object.getPrototypeOf(object) as object | null;
  const keys = Object.keys(object);
  if (proto !== Object.prototype && proto !== null && keys.length === 0) {
    throw invalid(`${path} is a class instance with no data (only methods)`);
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const item = (object as Record<string, unknown>)[key];
    if (item === undefined) continue; // JSON semantics: an undefined property is absent
    state.bytes += key.length + 4;
    const itemCopy = copyValue(item, `${path}.${key}`, seen, state);
    if (key === '__proto__') Object.defineProperty(copy, key, { value: itemCopy, enumerable: true });
    else copy[key] = itemCopy;
  }
  return Object.freeze(copy);
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, { option: 'value' });
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
  if (!special) deepFreeze(value);
  return { value, special, bytes };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Array.isArray(value) ? value : Object.values(value)) deepFreeze(item);
}
