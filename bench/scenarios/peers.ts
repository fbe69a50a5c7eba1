import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Cacheable } from 'cacheable';

/** bentocache with a memory-only store, a memory+Redis store and a Redis-only store, as its users set it up. */
export function createBento(
  redisUrl: string | undefined,
  maxItems: number,
): BentoCache<Record<string, ReturnType<typeof bentostore>>> {
  const stores: Record<string, ReturnType<typeof bentostore>> = {
    memory: bentostore().useL1Layer(memoryDriver({ maxItems })),
  };
  if (redisUrl) {
    const { hostname, port } = new URL(redisUrl);
    const connection = { host: hostname, port: Number(port) };
    stores.tiered = bentostore()
      .useL1Layer(memoryDriver({ maxItems }))
      .useL2Layer(redisDriver({ connection, prefix: 'bench:bento' }));
    stores.redis = bentostore().useL2Layer(redisDriver({ connection, prefix: 'bench:bento-l2' }));
  }
  return new BentoCache({ default: 'memory', stores });
}

/** cacheable (in-memory primary) and cache-manager (Keyv's default in-memory store). */
export function createMemoryPeers() {
  return { cacheable: new Cacheable(), cacheManager: createCache() };
}
