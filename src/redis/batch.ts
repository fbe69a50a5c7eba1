import type { Redis } from 'ioredis';
import { isCluster } from './connection.js';
import { groupBySlot } from './slots.js';
import { TAG_ADD_SCRIPT } from './tags.js';

/** Runs a pipeline and returns its replies, throwing the first command error. */
async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** One command, given the connection or a pipeline to issue it on. */
type Command = (target: Redis) => unknown;

/**
 * Several commands on one connection, kept in call order with everything else sent on it. While ioredis
 * auto-pipelines, its batch is written on the next `setImmediate`, and an explicit pipeline would be
 * written at once, ahead of commands queued before it (a set overtaken by the delete called after it);
 * so the commands then join that batch one by one. Otherwise they go as one pipeline (one write). A
 * cluster keeps its per-slot pipelines (its nodes keep no order between them anyway).
 */
export async function inCallOrder(client: Redis, commands: readonly Command[]): Promise<unknown[]> {
  if (client.options.enableAutoPipelining && !isCluster(client)) {
    return Promise.all(commands.map((command) => command(client) as Promise<unknown>));
  }
  const pipeline = client.pipeline();
  // A pipeline takes the same command methods as the client (it returns itself instead of a reply).
  for (const command of commands) command(pipeline as unknown as Redis);
  return execPipeline(pipeline);
}

export interface FetchedValue {
  payload: Buffer | null;
  /** Milliseconds left (-1 no expiry, -2 missing); only when TTLs were asked for. */
  pttl: number;
}

/**
 * MGET in one round trip, with each key's PTTL in the same pipeline when `withTtl`. On a cluster, one
 * such pipeline per hash slot, all in flight at once.
 */
export async function fetchMany(
  client: Redis,
  redisKeys: string[],
  withTtl: boolean,
): Promise<FetchedValue[]> {
  const results: FetchedValue[] = new Array<FetchedValue>(redisKeys.length);
  await Promise.all(
    groupBySlot(client, redisKeys).map(async (group) => {
      const keys = group.map((i) => redisKeys[i] as string);
      if (!withTtl) {
        const payloads = await client.mgetBuffer(...keys);
        group.forEach((index, n) => (results[index] = { payload: payloads[n] ?? null, pttl: -1 }));
        return;
      }
      const [payloads, ...ttls] = await inCallOrder(client, [
        (c) => c.mgetBuffer(...keys),
        ...keys.map((key) => (c: Redis) => c.pttl(key)),
      ]);
      group.forEach(
        (index, n) =>
          (results[index] = { payload: (payloads as (Buffer | null)[])[n] ?? null, pttl: ttls[n] as number }),
      );
    }),
  );
  return results;
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

/**
 * SET of many entries (PX when the TTL is positive) and their tag memberships, in one pipeline (one per
 * hash slot on a cluster, where a tag set usually lives in another slot than its keys).
 */
export async function storeMany(client: Redis, entries: readonly EncodedEntry[]): Promise<void> {
  const cluster = isCluster(client);
  const writes = groupBySlot(
    client,
    entries.map((e) => e.redisKey),
  ).map((group) => {
    const commands: Command[] = [];
    for (const i of group) {
      const { key, redisKey, payload, ttlMs, tagKeys } = entries[i] as EncodedEntry;
      commands.push((c) => (ttlMs > 0 ? c.set(redisKey, payload, 'PX', ttlMs) : c.set(redisKey, payload)));
      const prefix = redisKey.slice(0, redisKey.length - key.length);
      if (!cluster)
        for (const tagKey of tagKeys ?? [])
          commands.push((c) => c.eval(TAG_ADD_SCRIPT, 1, tagKey, key, ttlMs, prefix, '1'));
    }
    return inCallOrder(client, commands);
  });
  if (cluster) {
    for (const { key, ttlMs, tagKeys } of entries) {
      for (const tagKey of tagKeys ?? [])
        writes.push(client.eval(TAG_ADD_SCRIPT, 1, tagKey, key, ttlMs, '', '0') as Promise<unknown[]>);
    }
  }
  await Promise.all(writes);
}

/** DEL of many keys in one pipeline (one per hash slot on a cluster); returns per key whether it existed. */
export async function removeMany(client: Redis, redisKeys: string[]): Promise<boolean[]> {
  const existed: boolean[] = new Array<boolean>(redisKeys.length).fill(false);
  await Promise.all(
    groupBySlot(client, redisKeys).map(async (group) => {
      const deletes = group.map((i) => (c: Redis) => c.del(redisKeys[i] as string));
      (await inCallOrder(client, deletes)).forEach(
        (count, n) => (existed[group[n] as number] = (count as number) > 0),
      );
    }),
  );
  return existed;
}
