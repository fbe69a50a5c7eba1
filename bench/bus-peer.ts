// The receiving side of the bus-propagation bench: a cache with the bus on, reporting when each message lands.
import { silentLogger } from '../src/core/logger.js';
import { GenericRedisCache } from '../src/redis/generic-redis-cache.js';

const [redisUrl, keyPrefix] = process.argv.slice(2) as [string, string];
const cache = new GenericRedisCache({ redisUrl, keyPrefix, bus: true, logger: silentLogger });
cache.on('bus', (event) => {
  if (event.type === 'received') process.send?.({ at: performance.timeOrigin + performance.now() });
});
process.on('message', () => void cache.close().then(() => process.exit(0)));
await cache.connect();
// The subscription is confirmed asynchronously; give it a moment before saying ready.
await new Promise((resolve) => setTimeout(resolve, 200));
process.send?.({ ready: true });
