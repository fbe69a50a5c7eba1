import { ValidationError } from '../core/errors.js';
import { isPlainObject } from '../core/objects.js';

/**
 * JSON with object keys sorted at every level, so `{a:1,b:2}` and `{b:2,a:1}` serialize identically.
 * Only plain JSON is accepted (strings, finite numbers, booleans, null, arrays, plain objects); anything
 * else is a `ValidationError` naming the field, e.g. `options.temperature must be plain JSON`.
 */
export function canonicalJson(value: unknown, path: string, skipKey?: string): string {
  const json = serialize(value, skipKey);
  if (json === undefined) throw notJson(locateNonJson(value, path, skipKey) ?? path);
  return json;
}

/** Deeper nesting (or a cycle) is refused rather than overflowing the stack. */
const MAX_DEPTH = 64;

/**
 * The canonical JSON, or `undefined` when something in `value` is not plain JSON. It runs on every AI
 * request with options, so it builds no paths: `locateNonJson` finds the culprit only when there is one.
 */
function serialize(value: unknown, skipKey?: string, depth = 0): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // For finite numbers String() and JSON.stringify() agree (both are Number::toString).
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = serialize(value[i], undefined, depth + 1);
      if (item === undefined) return undefined;
      out += i === 0 ? item : `,${item}`;
    }
    return `${out}]`;
  }
  if (!isPlainObject(value)) return undefined;
  const keys = sortedKeys(value);
  let out = '';
  for (const key of keys) {
    const item = value[key];
    if (item === undefined || key === skipKey) continue;
    const json = serialize(item, undefined, depth + 1);
    if (json === undefined) return undefined;
    out += `${out === '' ? '' : ','}${quote(key)}:${json}`;
  }
  return `{${out}}`;
}

/** Characters JSON.stringify may escape: any surrogate sends the string there (it escapes only unpaired ones). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without its cost (~150 ns here) for the usual string that needs no escape. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Own keys in code-unit order; options are usually written already sorted, and then are not re-sorted. */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort();
  return keys;
}

/** The path of the first value that is not plain JSON, e.g. `options.list[2]`. */
function locateNonJson(value: unknown, path: string, skipKey?: string, depth = 0): string | undefined {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (depth > MAX_DEPTH) {
    const root = path.split(/[.[]/)[0] as string;
    throw new ValidationError(`${root} nests more than ${MAX_DEPTH} levels deep (is it circular?)`, {
      option: root,
    });
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = locateNonJson(value[i], `${path}[${i}]`, undefined, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return path;
  for (const key of sortedKeys(value)) {
    if (value[key] === undefined || key === skipKey) continue;
    const found = locateNonJson(value[key], `${path}.${key}`, undefined, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function notJson(path: string): ValidationError {
  return new ValidationError(
    `${path} must be plain JSON (string, finite number, boolean, null, array or object)`,
    { option: path },
  );
}
