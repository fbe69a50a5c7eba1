import type { Redis } from 'ioredis';
import { isCluster, masterNodes } from './connection.js';
import { unlinkKeys } from './slots.js';

const SCAN_COUNT = 1000;

/**
 * Removes every key matching a SCAN MATCH pattern, UNLINKing each SCAN batch as it arrives (never KEYS,
 * never FLUSHDB); on a cluster, SCANs every master and UNLINKs per hash slot. Returns how many keys were
 * removed. With `dryRun`, only counts them.
 */
export async function scanAndUnlink(client: Redis, match: string, dryRun = false): Promise<number> {
  const cluster = isCluster(client);
  const counts = await Promise.all(masterNodes(client).map((node) => scanNode(node, match, dryRun, cluster)));
  return counts.reduce((sum, n) => sum + n, 0);
}

async function scanNode(node: Redis, match: string, dryRun: boolean, cluster: boolean): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) removed += dryRun ? keys.length : await unlinkKeys(node, keys, cluster);
  } while (cursor !== '0');
  return removed;
}

/** Counts the keys matching a SCAN MATCH pattern. */
export function countKeys(client: Redis, match: string): Promise<number> {
  return scanAndUnlink(client, match, true);
}
