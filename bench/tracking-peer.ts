// The receiving side of the tracking bench: a cache with client tracking, reporting each invalidation.
import { silentLogger } from '../src/core/logger.js';
import { GenericRedisCache } from '../src/redis/generic-redis-cache.js';

const [redisUrl, keyPrefix, mode] = process.argv.slice(2) as [string, string, 'default' | 'broadcast'];
const cache = new GenericRedisCache({
  redisUrl,
  keyPrefix,
  coherence: 'tracking',
  tracking: { mode },
  logger: silentLogger,
});
cache.on('bus', (event) => {
  if (event.type === 'received') process.send?.({ at: performance.timeOrigin + performance.now() });
});
process.on('message', (message: { warm?: string[]; stop?: true }) => {
  if (message.stop) void cache.close().then(() => process.exit(0));
  else if (message.warm)
    void Promise.all(message.warm.map((key) => cache.get(key))).then(() => process.send?.({ warmed: true }));
});
await cache.connect();
while (cache.coherenceStatus.tracking?.state !== 'active')
  await new Promise((resolve) => setTimeout(resolve, 10));
process.send?.({ ready: true });
