import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { LuaScript } from '../../src/redis/scripts.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { redisBinary } from '../helpers/redis.js';

describe.runIf(redisBinary)('LuaScript on a server that lacks the script (NOSCRIPT)', () => {
  let server: RedisServer;
  let client: Redis;
  const script = new LuaScript("return redis.call('SET', KEYS[1], ARGV[1])");

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it('falls back to EVAL while its caller is still waiting', async () => {
    await client.script('FLUSH');
    await script.run(client, ['lua:live'], ['stored']);
    expect(await client.get('lua:live')).toBe('stored');
  });

  it('issue 23 review: sends no EVAL once the caller was told it failed (its deadline passed)', async () => {
    await client.script('FLUSH');
    await expect(script.run(client, ['lua:late'], ['stored'], () => false)).rejects.toThrow(/NOSCRIPT/);
    expect(await client.get('lua:late')).toBeNull(); // the write did not land after the failure
  });
});
