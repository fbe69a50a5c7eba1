import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('issue 19 item 8: strict input', () => {
  it('item 8: a value nested 3,000 deep is a ValidationError, not a stack overflow', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const error = await cache.set('deep', nested(3000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/nests more than 256 levels deep/);
    await cache.set('fine', nested(200));
    expect(await cache.get('fine')).toStrictEqual(nested(200));
    const deepArray: unknown[] = [];
    let cursor = deepArray;
    for (let i = 0; i < 500; i++) cursor.push((cursor = []));
    await expect(cache.set('array', deepArray)).rejects.toBeInstanceOf(ValidationError);
  });

  it('item 8: a misspelled set or setMany option is refused with the names it knows', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    await expect(cache.set('k', 1, { tll: 5 } as never)).rejects.toThrow(
      'unknown set option: tll (known: ttl, tags)',
    );
    await expect(cache.setMany([{ key: 'k', value: 1, tl: 5 } as never])).rejects.toThrow(
      'unknown setMany entry field: tl (known: key, value, ttl, tags)',
    );
    expect(await cache.exists('k')).toBe(false);
  });
});
