import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/core/logger.js';
import { CacheFactory } from '../src/factory/cache-factory.js';
import { buildServer } from '../src/http/server.js';
import { startRedisServer } from '../src/testing/redis-server.js';

/**
 * `npm run load`: the service with a Redis it starts itself, then autocannon against three endpoints
 * (loopback only). Fails (exit 1) if any request errors or returns a non-2xx status.
 */
const { values } = parseArgs({
  options: { duration: { type: 'string', default: '20' }, connections: { type: 'string', default: '50' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

const redis = await startRedisServer();
const app = await buildServer({
  logger: false,
  env: { CACHE_PRESET: 'simple', CACHE_REDIS_URL: redis.url },
  apiKeys: ['load-test-key'],
  factory: new CacheFactory({ logger: silentLogger }),
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });
await app.cache.setMany(
  Array.from({ length: 1000 }, (_, i) => ({ key: `item:${i}`, value: { i, body: 'x'.repeat(200) } })),
);

let failed = false;
try {
  for (const path of ['/health', '/internal/cache/status', '/internal/cache/metrics']) {
    const result = await autocannon({
      url: `${base}${path}`,
      connections,
      duration,
      headers: { authorization: 'Bearer load-test-key' },
    });
    const errors = result.errors + result.timeouts + result.non2xx;
    failed ||= errors > 0;
    console.log(
      `${path.padEnd(26)} ${Math.round(result.requests.average).toLocaleString('en-US').padStart(8)} req/s  ` +
        `p99 ${result.latency.p99} ms  errors ${errors} (of ${result.requests.total.toLocaleString('en-US')} requests)`,
    );
  }
} finally {
  await app.close();
  await redis.stop();
}
process.exitCode = failed ? 1 : 0;
