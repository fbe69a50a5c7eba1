import type { Redis } from 'ioredis';

const SCAN_COUNT = 1000;

/**
 * Removes every key matching a SCAN MATCH pattern, UNLINKing each SCAN batch as it arrives (never KEYS,
 * never FLUSHDB). Returns how many keys were removed. With `dryRun`, only counts them.
 */
export async function scanAndUnlink(client: Redis, match: string, dryRun = false): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) removed += dryRun ? keys.length : await client.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

/** Counts the keys matching a SCAN MATCH pattern. */
export function countKeys(client: Redis, match: string): Promise<number> {
  return scanAndUnlink(client, match, true);
}
