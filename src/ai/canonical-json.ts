import { ValidationError } from '../core/errors.js';

/**
 * JSON with object keys sorted at every level, so `{a:1,b:2}` and `{b:2,a:1}` serialize identically.
 * Only plain JSON is accepted (strings, finite numbers, booleans, null, arrays, plain objects); anything
 * else is a `ValidationError` naming the field, e.g. `options.temperature must be plain JSON`.
 */
export function canonicalJson(value: unknown, path: string, skipKey?: string): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path);
      return JSON.stringify(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i], `${path}[${i}]`);
    return `${out}]`;
  }
  if (!isPlainObject(value)) throw notJson(path);
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const item = value[key];
    if (item === undefined || key === skipKey) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item, `${path}.${key}`)}`;
  }
  return `${out}}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

function notJson(path: string): ValidationError {
  return new ValidationError(
    `${path} must be plain JSON (string, finite number, boolean, null, array or object)`,
    {
      option: path,
    },
  );
}
