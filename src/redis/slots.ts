import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';
import { isCluster } from './connection.js';

/**
 * Positions of `keys` grouped by Redis Cluster hash slot: a multi-key command (MGET, UNLINK) or a
 * pipeline may only touch one slot on a cluster. On a single server everything is one group.
 */
export function groupBySlot(client: Redis, keys: readonly string[], bySlot = isCluster(client)): number[][] {
  const all = keys.map((_, i) => i);
  if (!bySlot) return [all];
  const groups = new Map<number, number[]>();
  for (const i of all) {
    const slot = calculateSlot(keys[i] as string);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  }
  return [...groups.values()];
}

/**
 * UNLINK of many keys, one command per slot group; returns how many existed. `bySlot`: group even when
 * `client` is one node of a cluster (its keys span slots too).
 */
export async function unlinkKeys(
  client: Redis,
  keys: readonly string[],
  bySlot = isCluster(client),
): Promise<number> {
  if (keys.length === 0) return 0;
  const counts = await Promise.all(
    groupBySlot(client, keys, bySlot).map((group) => client.unlink(...group.map((i) => keys[i] as string))),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
