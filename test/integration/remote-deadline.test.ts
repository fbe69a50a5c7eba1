import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { CacheEventEmitter } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { FAILED, RemoteTier } from '../../src/redis/remote-tier.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { redisBinary } from '../helpers/redis.js';

const COMMAND_TIMEOUT = 200;

describe.runIf(redisBinary)('RemoteTier: a deadline from the call stops the later steps of a command', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('issue 23 review: live() is false once the caller was told the operation failed', async () => {
    const client = new Redis(server.url, { lazyConnect: true, commandTimeout: COMMAND_TIMEOUT });
    const remote = new RemoteTier(client, new CacheEventEmitter(() => undefined), silentLogger, {
      commandTimeout: COMMAND_TIMEOUT,
      adaptivePipelining: true,
    });
    try {
      await Promise.all([remote.run('get', (c) => c.get('x')), remote.run('get', (c) => c.get('y'))]);
      server.pause();
      let liveAfterFirstStep: boolean | undefined;
      try {
        // A batch on the same connection that hangs; the operation below waits behind it.
        const foreign = client.get('z').catch(() => undefined);
        await new Promise((resolve) => setImmediate(resolve));
        const outcome = await remote.run('set', async (c, live) => {
          await c.get('first-step').catch(() => undefined);
          liveAfterFirstStep = live(); // where a second step (a fill's store) would be sent
          return 'second step sent';
        });
        expect(outcome).toBe(FAILED); // the deadline from the call answered
        server.resume();
        await foreign;
      } finally {
        server.resume();
      }
      await new Promise<void>((resolve) => {
        const check = (): void => (liveAfterFirstStep === undefined ? void setTimeout(check, 10) : resolve());
        check();
      });
      expect(liveAfterFirstStep).toBe(false);
    } finally {
      remote.detach();
      client.disconnect();
    }
  });
});
