import type { Redis } from 'ioredis';
import type { CacheStats } from '../core/types.js';
import type { MemoryCacheStats } from '../memory/memory-store.js';
import type { BreakerStatus } from './circuit-breaker.js';
import type { CacheCounters } from './tier-io.js';
import { masterNodes } from './connection.js';
import { countKeys } from './invalidation.js';
import { FAILED, type RemoteStatus, type RemoteTier } from './remote-tier.js';

/** What `getServerStatus()` reports about the Redis server (the `redis` part of `/internal/cache/status`). */
export interface RedisServerStatus {
  status: RemoteStatus | 'error';
  /** Keys under this cache's prefix (SCAN count), 0 when not connected. */
  keys: number;
  /** Redis `used_memory_human`, e.g. `'1.2M'`. */
  memoryUsed: string;
  memoryUsedBytes: number;
  connectedClients: number;
}

/** Parses `INFO` output into a field map. */
export function parseInfo(info: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Reads memory, clients and the prefix's key count from a connected server (summed over a cluster's masters). */
export async function readServerStatus(client: Redis, match: string): Promise<RedisServerStatus> {
  const nodes = masterNodes(client);
  const [infos, keys] = await Promise.all([
    Promise.all(
      nodes.map(async (node) => parseInfo(`${await node.info('memory')}\r\n${await node.info('clients')}`)),
    ),
    countKeys(client, match),
  ]);
  const sum = (field: string) => infos.reduce((total, fields) => total + Number(fields.get(field) ?? 0), 0);
  const memoryUsedBytes = sum('used_memory');
  return {
    status: 'connected',
    keys,
    memoryUsed:
      nodes.length === 1 ? (infos[0]?.get('used_memory_human') ?? '0B') : humanBytes(memoryUsedBytes),
    memoryUsedBytes,
    connectedClients: sum('connected_clients'),
  };
}

/** Bytes the way Redis prints `used_memory_human` (e.g. `1.21M`). */
function humanBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(2)}${units[unit]}`;
}

/** Status of a server that could not be asked. */
export function offlineStatus(status: RedisServerStatus['status']): RedisServerStatus {
  return { status, keys: 0, memoryUsed: '0B', memoryUsedBytes: 0, connectedClients: 0 };
}

/**
 * Redis figures (SCAN key count, INFO) at most one second old: status pages and metric scrapes under
 * load share one reading instead of each scanning the key space. Only good readings are reused.
 */
export class ServerStatusReader {
  #last: { at: number; value: Promise<RedisServerStatus> } | undefined;

  constructor(
    private readonly remote: RemoteTier,
    private readonly match: string,
    private readonly maxAgeMs = 1000,
  ) {}

  read(): Promise<RedisServerStatus> {
    const now = performance.now();
    if (this.#last && now - this.#last.at < this.maxAgeMs && this.remote.usable) return this.#last.value;
    const value = this.remote
      .run('status', (c) => readServerStatus(c, this.match))
      .then((server) => {
        if (server !== FAILED) return server;
        this.#last = undefined;
        return offlineStatus(this.remote.usable ? 'error' : this.remote.status);
      });
    this.#last = { at: now, value };
    return value;
  }
}

/** Library stats of a GenericRedisCache. */
export interface RedisCacheStats extends CacheStats {
  l1Hits: number;
  redisHits: number;
  sets: number;
  deletes: number;
  /** Stored values that could not be decoded (served as misses). */
  decodeErrors: number;
  /** Stored values that failed decryption (served as misses). */
  decryptErrors: number;
  redis: RemoteStatus;
  breaker: BreakerStatus;
  l1: MemoryCacheStats | undefined;
}

/** The library stats of a two-tier cache from its counters and tiers. */
export function redisCacheStats(
  counters: CacheCounters,
  values: { decodeErrors: number; decryptErrors: number },
  remote: RemoteTier,
  l1: MemoryCacheStats | undefined,
): RedisCacheStats {
  const { l1Hits, redisHits, misses, sets, deletes } = counters;
  const hits = l1Hits + redisHits;
  const lookups = hits + misses;
  return {
    hits,
    misses,
    hitRate: lookups === 0 ? 0 : Math.round((hits / lookups) * 10_000) / 100,
    l1Hits,
    redisHits,
    sets,
    deletes,
    decodeErrors: values.decodeErrors,
    decryptErrors: values.decryptErrors,
    redis: remote.status,
    breaker: remote.breaker,
    l1,
  };
}
