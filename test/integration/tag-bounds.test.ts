import { describe, expect, it } from 'vitest';
import { useFleet, eventually } from '../helpers/fleet.js';
import { hasRedis, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const { cache } = useFleet(redis);

describe.skipIf(!hasRedis)('issue 19 item 6: Redis tag sets stay bounded by the live keys', () => {
  it('item 6: a hot tag written continuously does not keep the members whose keys expired', async () => {
    const c = await cache({ enableMemoryCache: false });
    const tagSet = `__tiercache__:${c.keyPrefix}tag:hot`;
    const write = async (from: number, ttl: string | number): Promise<void> => {
      for (let i = from; i < from + 2000; i += 100) {
        await c.setMany(
          Array.from({ length: 100 }, (_, n) => ({ key: `k${i + n}`, value: i + n, ttl, tags: ['hot'] })),
        );
      }
    };
    await write(0, '100ms'); // 2,000 members whose keys expire at once
    await eventually(async () => (await redis.raw.exists(`${c.keyPrefix}k1999`)) === 0);
    await write(2000, 60); // 2,000 live keys on the same hot tag
    const members = await redis.raw.scard(tagSet);
    // Without pruning the set would hold all 4,000; each add prunes dead members as it goes.
    expect(members).toBeLessThan(3000);
    expect(members).toBeGreaterThanOrEqual(2000);
    expect(await c.invalidateTags(['hot'])).toBe(2000);
    expect(await redis.raw.exists(tagSet)).toBe(0);
  });

  it('item 6: getOrSet fills prune their tag sets too', async () => {
    const c = await cache({ enableMemoryCache: false });
    const tagSet = `__tiercache__:${c.keyPrefix}tag:fills`;
    for (let i = 0; i < 300; i++) await c.getOrSet(`old${i}`, () => i, { ttl: '100ms', tags: ['fills'] });
    await eventually(async () => (await redis.raw.exists(`${c.keyPrefix}old299`)) === 0);
    for (let i = 0; i < 300; i++) await c.getOrSet(`new${i}`, () => i, { ttl: 60, tags: ['fills'] });
    expect(await redis.raw.scard(tagSet)).toBeLessThan(450);
  });
});
