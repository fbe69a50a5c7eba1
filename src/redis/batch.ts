import type { Redis } from 'ioredis';

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

/** SET of many entries in one pipeline (EX when the TTL is positive). */
export async function storeMany(
  client: Redis,
  entries: { redisKey: string; payload: Buffer | string; ttl: number }[],
): Promise<void> {
  const pipeline = client.pipeline();
  for (const { redisKey, payload, ttl } of entries) {
    if (ttl > 0) pipeline.set(redisKey, payload, 'EX', ttl);
    else pipeline.set(redisKey, payload);
  }
  await execPipeline(pipeline);
}

/** DEL of many keys in one pipeline; returns per key whether it existed. */
export async function removeMany(client: Redis, redisKeys: string[]): Promise<boolean[]> {
  const pipeline = client.pipeline();
  for (const key of redisKeys) pipeline.del(key);
  return (await execPipeline(pipeline)).map((count) => (count as number) > 0);
}
