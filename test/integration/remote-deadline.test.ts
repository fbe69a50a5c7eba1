import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { CacheEventEmitter } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ErrorEvent } from '../../src/core/events.js';
import { FAILED, RemoteTier } from '../../src/redis/remote-tier.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { redisBinary } from '../helpers/redis.js';

const COMMAND_TIMEOUT = 200;

describe.runIf(redisBinary)('RemoteTier: commands bounded from the call', () => {
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

  /** A RemoteTier on its own client, which records the client's commandTimeout as each command is sent. */
  function recordingTier() {
    const client = new Redis(server.url, { lazyConnect: true, commandTimeout: COMMAND_TIMEOUT });
    const timers: [string, number | undefined][] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command, stream) => {
      timers.push([command.name, client.options.commandTimeout]);
      return send(command, stream);
    };
    const errors: ErrorEvent[] = [];
    const events = new CacheEventEmitter(() => undefined);
    events.on('error', (e) => errors.push(e));
    const remote = new RemoteTier(client, events, silentLogger, {
      commandTimeout: COMMAND_TIMEOUT,
      adaptivePipelining: true,
      probeInterval: 0, // no PING of its own among the recorded commands
    });
    return { client, remote, timers, errors };
  }

  it('issue 23: a command sent in its own turn gets no ioredis timer: one cache timer bounds it from the call', async () => {
    const { client, remote, timers, errors } = recordingTier();
    try {
      await remote.run('get', (c) => c.get('x'));
      timers.length = 0;
      await remote.run('get', (c) => c.get('y')); // sequential: written at once, in its own turn
      expect(timers).toStrictEqual([['get', undefined]]);
      expect(client.options.commandTimeout).toBe(COMMAND_TIMEOUT); // switched off only while it was written
      server.pause();
      try {
        expect(await remote.run('get', (c) => c.get('hung'))).toBe(FAILED);
      } finally {
        server.resume();
      }
      // Answered by the cache's deadline, not ioredis's ("Command timed out"), and never left hanging.
      expect(errors.map((e) => e.error.message)).toStrictEqual([
        `Command timed out after ${COMMAND_TIMEOUT} ms (measured from the call)`,
      ]);
    } finally {
      remote.detach();
      client.disconnect();
    }
  });

  it("issue 23: a later step of a command, and operations of several round trips, keep ioredis's timer", async () => {
    const { client, remote, timers } = recordingTier();
    try {
      await remote.run('get', (c) => c.get('x'));
      timers.length = 0;
      await remote.run('set', async (c) => {
        await c.get('first-step');
        return c.get('second-step'); // sent after an await: the client's own timer bounds it
      });
      await remote.run('invalidatePattern', (c) => c.scan('0', 'MATCH', 'none:*')); // SCAN loops: per command
      expect(timers).toStrictEqual([
        ['get', undefined],
        ['get', COMMAND_TIMEOUT],
        ['scan', COMMAND_TIMEOUT],
      ]);
    } finally {
      remote.detach();
      client.disconnect();
    }
  });
});
