/** A small object like a session or user record. */
export const smallObject = (i: number) => ({
  id: i,
  name: `user-${i}`,
  active: i % 2 === 0,
  tags: ['a', 'b'],
});

/** A JSON object whose serialized form is about 1 KB (1,024 ± 16 bytes). */
export function kilobyteObject(i: number): Record<string, unknown> {
  const base = { id: i, title: `document ${i}`, tags: ['alpha', 'beta', 'gamma'], score: i / 7 };
  const padding = 1024 - JSON.stringify({ ...base, body: '' }).length;
  return { ...base, body: 'x'.repeat(Math.max(0, padding)) };
}

/**
 * A bare deep copy of plain JSON data (objects, arrays, primitives; no checks, no size count): the least a
 * cache that keeps its own copy of each value must do per write, whichever way it copies.
 */
export function plainDeepCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(plainDeepCopy);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = plainDeepCopy((value as Record<string, unknown>)[key]);
  return copy;
}

export const keysOf = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}:${i}`);

/** A ~100 KB JSON value of compressible text, as API responses are. */
export const hundredKilobytes = (i: number): Record<string, unknown> => ({
  id: i,
  items: Array.from({ length: 1000 }, (_, n) => ({ n, text: `item ${n} of document ${i} `.padEnd(80, '.') })),
});

/** Runs `op` `batch` times sequentially, awaiting each, over rotating keys (one bench call). */
export function sequential(
  keys: string[],
  op: (key: string, i: number) => unknown,
  batch = 1000,
): () => Promise<void> {
  let i = 0;
  return async () => {
    for (let n = 0; n < batch; n++, i++) await op(keys[i % keys.length] as string, i);
  };
}
