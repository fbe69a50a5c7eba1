import { Redis } from 'ioredis';
// The major most applications still run: an anchor beside the ioredis tiercache depends on.
import { Redis as Redis5 } from 'ioredis5';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { BenchCase, Scenario } from '../harness.js';
import { createBento } from './peers.js';
import { storedBytesNote } from './redis-set.js';
import { hundredKilobytes, kilobyteObject, keysOf } from './data.js';

const KEYS = 1000;
const PREFIX = 'bench:l2:';

/**
 * Which rows a Redis get scenario has. `anchors`: raw ioredis 6 (the one tiercache uses), raw ioredis 5, and
 * ioredis 6 with a command timeout. `peers`: raw ioredis 6 and bentocache. They run in separate processes:
 * bentocache drives the same ioredis 6 module as tiercache and the ioredis 6 row (npm gives a peer
 * dependency the root's copy), and that made its code slower for both, not for the ioredis 5 row (its own
 * copy): with bentocache in the process, raw ioredis 5 read 15% faster than raw ioredis 6; without, 7%.
 */
type RedisGetRows = 'anchors' | 'peers';

/**
 * Redis reads with L1 off, so every get is a round trip: tiercache with its defaults (compression
 * included: a value above the threshold is read compressed) against raw ioredis GET + JSON.parse.
 */
async function setupRedisGet(
  redisUrl: string | undefined,
  inFlight: number,
  valueOf: (i: number) => object = kilobyteObject,
  rows: RedisGetRows = 'anchors',
) {
  const keys = keysOf('doc', KEYS);
  const cache = new GenericRedisCache({
    redisUrl,
    enableMemoryCache: false,
    keyPrefix: PREFIX,
    logger: silentLogger,
  });
  await cache.connect();
  await cache.setMany(keys.map((key, i) => ({ key, value: valueOf(i) })));
  // Raw copies of the same JSON under the same names, read by the raw clients.
  const writer = new Redis(redisUrl as string);
  await Promise.all(keys.map((key, i) => writer.set(`bench:raw:${key}`, JSON.stringify(valueOf(i)))));
  const bento = rows === 'peers' ? createBento(redisUrl, KEYS) : undefined;
  if (bento) await Promise.all(keys.map((key, i) => bento.use('redis').set({ key, value: valueOf(i) })));
  const raw = new Redis(redisUrl as string, { enableAutoPipelining: inFlight > 1 });
  const raw5 =
    rows === 'anchors' ? new Redis5(redisUrl as string, { enableAutoPipelining: inFlight > 1 }) : undefined;
  // The same raw client with the per-command timeout tiercache always sets, to show what that costs.
  const rawTimed =
    rows === 'anchors'
      ? new Redis(redisUrl as string, { enableAutoPipelining: inFlight > 1, commandTimeout: 500 })
      : undefined;
  let i = 0;
  const next = () => keys[i++ % KEYS] as string;
  const batch = inFlight > 1 ? inFlight : 100;
  const drive = (op: (key: string) => Promise<unknown>): (() => Promise<unknown>) =>
    inFlight > 1
      ? () => Promise.all(Array.from({ length: inFlight }, () => op(next())))
      : async () => {
          for (let n = 0; n < batch; n++) await op(next());
        };
  const cases: BenchCase[] = [
    { label: 'tiercache get (L1 off)', opsPerCall: batch, run: drive((key) => cache.get(key)) },
    {
      label: inFlight > 1 ? 'ioredis auto-pipelined GET+parse' : 'ioredis GET+parse',
      opsPerCall: batch,
      run: drive(async (key) => JSON.parse((await raw.get(`bench:raw:${key}`)) as string) as unknown),
    },
  ];
  if (raw5 && rawTimed) {
    cases.push(
      {
        label: inFlight > 1 ? 'ioredis 5 auto-pipelined GET+parse' : 'ioredis 5 GET+parse',
        opsPerCall: batch,
        run: drive(async (key) => JSON.parse((await raw5.get(`bench:raw:${key}`)) as string) as unknown),
      },
      {
        label: 'ioredis GET+parse, commandTimeout 500',
        opsPerCall: batch,
        run: drive(async (key) => JSON.parse((await rawTimed.get(`bench:raw:${key}`)) as string) as unknown),
      },
    );
  }
  if (bento) {
    cases.push({
      label: 'bentocache (Redis only)',
      opsPerCall: batch,
      run: drive((key) => bento.use('redis').get({ key })),
    });
  }
  const teardown = async () => {
    await cache.clear();
    await cache.close();
    await writer.del(...keys.map((key) => `bench:raw:${key}`));
    writer.disconnect();
    raw.disconnect();
    raw5?.disconnect();
    rawTimed?.disconnect();
    if (bento) {
      await bento.use('redis').clear();
      await bento.disconnectAll();
    }
  };
  const notes = () => storedBytesNote(writer, `${PREFIX}${keys[0]}`, valueOf(0));
  return { cases, teardown, notes };
}

export const redisGetSequential: Scenario = {
  name: 'redis-get-sequential',
  description: 'get with L1 off, 1 KB JSON, one request at a time',
  needsRedis: true,
  limit: 'ioredis GET+parse',
  // tiercache, raw ioredis 6 and raw ioredis 5 apart: tiercache's calls and the raw ioredis 6 row's share
  // one ioredis module, which made each slower for the other (see RedisGetRows).
  casesApart: true,
  setup: ({ redisUrl }) => setupRedisGet(redisUrl, 1),
  goals: [
    { subject: 'tiercache get (L1 off)', against: 'ioredis GET+parse', minRatio: 0.9 },
    { subject: 'tiercache get (L1 off)', against: 'ioredis 5 GET+parse', minRatio: 0.85 },
  ],
};

export const redisGet50InFlight: Scenario = {
  name: 'redis-get-50-in-flight',
  description: 'get with L1 off, 1 KB JSON, 50 requests in flight on one connection',
  needsRedis: true,
  limit: 'ioredis auto-pipelined GET+parse',
  // tiercache, raw ioredis 6 and raw ioredis 5 apart: tiercache's calls and the raw ioredis 6 row's share
  // one ioredis module, which made each slower for the other (see RedisGetRows).
  casesApart: true,
  setup: ({ redisUrl }) => setupRedisGet(redisUrl, 50),
  goals: [
    { subject: 'tiercache get (L1 off)', against: 'ioredis auto-pipelined GET+parse', minRatio: 0.9 },
    { subject: 'tiercache get (L1 off)', against: 'ioredis 5 auto-pipelined GET+parse', minRatio: 0.85 },
  ],
};

export const redisGet50InFlightPeers: Scenario = {
  name: 'redis-get-50-in-flight-peers',
  description: 'get with L1 off, 1 KB JSON, 50 requests in flight on one connection, against bentocache',
  needsRedis: true,
  limit: 'ioredis auto-pipelined GET+parse',
  setup: ({ redisUrl }) => setupRedisGet(redisUrl, 50, kilobyteObject, 'peers'),
  goals: [{ subject: 'tiercache get (L1 off)', against: 'bentocache (Redis only)', minRatio: 2 }],
};

export const redisGet100KB: Scenario = {
  name: 'redis-get-100KB-50-in-flight',
  description:
    'get with L1 off, ~100 KB JSON (compressed by default), 50 requests in flight on one connection',
  needsRedis: true,
  limit: 'ioredis auto-pipelined GET+parse',
  setup: ({ redisUrl }) => setupRedisGet(redisUrl, 50, hundredKilobytes),
  goals: [{ subject: 'tiercache get (L1 off)', against: 'ioredis auto-pipelined GET+parse', minRatio: 0.8 }],
};
