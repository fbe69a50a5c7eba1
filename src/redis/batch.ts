import type { Redis } from 'ioredis';
import { TAG_ADD_SCRIPT } from './tags.js';

/** Runs a pipeline and returns its replies, throwing the first command error. */
async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

export interface FetchedValue {
  payload: Buffer | null;
  /** Milliseconds left (-1 no expiry, -2 missing); only when TTLs were asked for. */
  pttl: number;
}

/** MGET in one round trip, with each key's PTTL in the same pipeline when `withTtl`. */
export async function fetchMany(
  client: Redis,
  redisKeys: string[],
  withTtl: boolean,
): Promise<FetchedValue[]> {
  if (!withTtl) {
    const payloads = await client.mgetBuffer(...redisKeys);
    return payloads.map((payload) => ({ payload, pttl: -1 }));
  }
  const pipeline = client.pipeline().mgetBuffer(...redisKeys);
  for (const key of redisKeys) pipeline.pttl(key);
  const [payloads, ...ttls] = await execPipeline(pipeline);
  return (payloads as (Buffer | null)[]).map((payload, i) => ({ payload, pttl: ttls[i] as number }));
}

/** One value on its way to Redis. */
export interface EncodedEntry {
  key: string;
  redisKey: string;
  payload: Buffer | string;
  /** Milliseconds, 0 = no expiry. */
  ttlMs: number;
  /** Redis keys of the tag sets to add `key` to. */
  tagKeys: readonly string[] | undefined;
}

/** SET of many entries (PX when the TTL is positive) and their tag memberships, in one pipeline. */
export async function storeMany(client: Redis, entries: readonly EncodedEntry[]): Promise<void> {
  const pipeline = client.pipeline();
  for (const { key, redisKey, payload, ttlMs, tagKeys } of entries) {
    if (ttlMs > 0) pipeline.set(redisKey, payload, 'PX', ttlMs);
    else pipeline.set(redisKey, payload);
    for (const tagKey of tagKeys ?? []) pipeline.eval(TAG_ADD_SCRIPT, 1, tagKey, key, ttlMs);
  }
  await execPipeline(pipeline);
}

/** DEL of many keys in one pipeline; returns per key whether it existed. */
export async function removeMany(client: Redis, redisKeys: string[]): Promise<boolean[]> {
  const pipeline = client.pipeline();
  for (const key of redisKeys) pipeline.del(key);
  return (await execPipeline(pipeline)).map((count) => (count as number) > 0);
}
