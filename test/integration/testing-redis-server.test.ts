import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../../src/testing/redis-server.js';
import { redisBinary } from '../helpers/redis.js';

/** tiercache/testing's private redis-server, as a user's own fault tests drive it. */
describe.runIf(redisBinary)('startRedisServer', () => {
  async function ping(url: string, ca?: string): Promise<string> {
    const client = new Redis(url, { lazyConnect: true, ...(ca && { tls: { ca: readFileSync(ca) } }) });
    try {
      await client.connect();
      return await client.ping();
    } finally {
      client.disconnect();
    }
  }

  it('starts again after a graceful stop, on the same port (TLS too, with the same certificates)', async () => {
    for (const tls of [false, true]) {
      const server = await startRedisServer({ tls });
      try {
        const ca = server.certificates?.caPath;
        expect(await ping(server.url, ca)).toBe('PONG');
        await server.stop();
        expect(server.pid).toBeUndefined();
        if (server.certificates) expect(existsSync(server.certificates.dir)).toBe(false); // keys not left
        await server.restart(); // the stop removed its files: written again, the same CA
        expect(await ping(server.url, ca)).toBe('PONG');
      } finally {
        await server.stop();
      }
      if (server.certificates) expect(existsSync(server.certificates.dir)).toBe(false);
    }
  });
});
