/** True for `{}`-style objects (a plain prototype or none): not arrays, class instances or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** The object without its `undefined` fields (so spreading it never overwrites a default). */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The named fields of `source` that are set, as an object (to pass on as options). */
export function pickDefined<T extends object, K extends keyof T>(
  source: T,
  names: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const name of names) if (source[name] !== undefined) picked[name] = source[name];
  return picked;
}
