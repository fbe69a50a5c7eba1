import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ValidationError } from '../core/errors.js';
import type { ResolvedSecurity } from './security.js';
import { isTopologyUrl, parseTopologyUrl, type Topology } from './topology.js';

/** Returns the SPEC §6 problem with a Redis URL, or `undefined` when it is usable. */
export function redisUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'redisUrl must be a string';
  if (url.trim() === '') return 'redisUrl cannot be empty';
  if (isTopologyUrl(url)) {
    const topology = parseTopologyUrl(url);
    return typeof topology === 'string' ? topology : undefined;
  }
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    return "redisUrl must start with 'redis://' or 'rediss://'";
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'redisUrl format is invalid';
  }
  if (parsed.hostname === '') return 'redisUrl must include host information';
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return 'redisUrl format is invalid';
  return undefined;
}

/** Throws `ValidationError` with the SPEC §6 message when the URL is unusable. */
export function assertRedisUrl(url: unknown): asserts url is string {
  const problem = redisUrlProblem(url);
  if (problem) throw new ValidationError(problem, { option: 'redisUrl' });
}

/** The topology a (valid) URL describes. */
export function topologyOfUrl(url: string): Topology {
  if (isTopologyUrl(url)) {
    const topology = parseTopologyUrl(url);
    if (typeof topology === 'string') throw new ValidationError(topology, { option: 'redisUrl' });
    return topology;
  }
  const parsed = new URL(url);
  return {
    kind: 'standalone',
    url,
    tls: parsed.protocol === 'rediss:',
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

export interface ConnectionSettings {
  topology: Topology;
  /** Milliseconds a command may take before it fails (degraded mode takes over). */
  commandTimeout: number;
  /** Milliseconds one connection attempt may take. */
  connectTimeout: number;
  security: ResolvedSecurity;
}

/** Longest pause between two background reconnection attempts. */
export const MAX_RECONNECT_DELAY_MS = 2000;

/** Capped exponential backoff: 50 ms, 100 ms, 200 ms ... up to `MAX_RECONNECT_DELAY_MS`. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS);
}

/**
 * Builds the ioredis client tiercache owns: lazy (connect() decides when), no offline queue (a command
 * while disconnected fails at once instead of waiting), a timeout on every command, and reconnection
 * in the background with capped backoff. A Cluster is returned typed as `Redis`: it answers the same
 * single-key commands, and the few multi-key paths check `isCluster` (see batch.ts, invalidation.ts).
 * The caller attaches the error listener.
 */
export function createRedisClient(settings: ConnectionSettings): Redis {
  const { topology } = settings;
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    commandTimeout: settings.commandTimeout,
    connectTimeout: settings.connectTimeout,
    maxRetriesPerRequest: 0,
    // Toggled per command by the remote tier (adaptive auto-pipelining) when `autoPipelining` is on.
    enableAutoPipelining: false,
    retryStrategy: reconnectDelay,
    ...(settings.security.password !== undefined && { password: settings.security.password }),
    ...(settings.security.username !== undefined && { username: settings.security.username }),
    ...(settings.security.tls && { tls: settings.security.tls }),
  };
  if (topology.kind === 'standalone') return new Redis(topology.url, options);
  if (topology.kind === 'sentinel') {
    return new Redis({
      ...options,
      sentinels: topology.sentinels,
      name: topology.name,
      db: topology.db,
      // The same credentials and TLS for the sentinels as for the data nodes.
      ...(options.password !== undefined && { sentinelPassword: options.password }),
      ...(options.username !== undefined && { sentinelUsername: options.username }),
      ...(options.tls && { enableTLSForSentinelMode: true, sentinelTLS: options.tls }),
      sentinelRetryStrategy: reconnectDelay,
      // Follow a failover as soon as the sentinels announce it, not only when the old master drops.
      failoverDetector: true,
    });
  }
  const cluster = new Cluster(topology.nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    // Batches commands per node: multi-key work is issued key by key and lands in one write per node.
    enableAutoPipelining: true,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: settings.connectTimeout,
    retryDelayOnFailover: 100,
    redisOptions: { ...options, lazyConnect: false, enableAutoPipelining: false },
  });
  return cluster as unknown as Redis;
}

/** True when the client is an ioredis Cluster (typed as `Redis` inside tiercache). */
export function isCluster(client: Redis): boolean {
  return (client as unknown) instanceof Cluster;
}

/** The clients of every master: the cluster's masters, or the client itself. */
export function masterNodes(client: Redis): Redis[] {
  return isCluster(client) ? (client as unknown as Cluster).nodes('master') : [client];
}

/**
 * Connects `client` again when ioredis gives up on it by itself: status 'end' that nobody asked for
 * (`wanted()` still true). ioredis does that when its connector is disconnected while a reconnect is
 * under way; with Sentinel, the failover detector disconnects it when "+switch-master" arrives in the
 * middle of a reconnect after the master died, and the client then stays down for good ("Connection is
 * closed.": a bus or tracking connection in about 1 failover in 5 of sentinel.test.ts, and with it L1
 * coherence). A Cluster reconnects its nodes itself.
 */
export function reviveWhenEnded(client: Redis, wanted: () => boolean): void {
  if (isCluster(client)) return;
  let attempt = 0;
  // Only an end that came straight out of a connect attempt ('connecting', then 'end' without a 'close'
  // between them) is ioredis giving up by itself. An end after a 'close' is a disconnect() or quit() of
  // a connected client; one during a connect that somebody asked for leaves `manuallyClosing` set.
  let connecting = false;
  client.on('connecting', () => (connecting = true));
  client.on('close', () => (connecting = false));
  client.on('ready', () => (attempt = 0));
  client.on('end', () => {
    const byItself = connecting && !(client as unknown as { manuallyClosing?: boolean }).manuallyClosing;
    connecting = false;
    if (!byItself || !wanted()) return;
    setTimeout(() => {
      if (wanted() && client.status === 'end') client.connect().catch(() => undefined);
    }, reconnectDelay(++attempt)).unref();
  });
}

/**
 * A second connection of the same topology, for pub/sub: it connects on its first command (SUBSCRIBE,
 * queued until connected) and resubscribes after a reconnect.
 */
export function duplicateForSubscriber(client: Redis, extra: Partial<RedisOptions> = {}): Redis {
  // SUBSCRIBE waits for a connection however long it takes (no retry limit), and the subscriber retries
  // at most every 250 ms, so it is back about as soon as the data connection after an outage.
  const retryStrategy = (attempt: number): number => Math.min(reconnectDelay(attempt), 250);
  if (isCluster(client)) {
    return (client as unknown as Cluster).duplicate(undefined, {
      enableOfflineQueue: true,
      lazyConnect: true,
      clusterRetryStrategy: retryStrategy,
      redisOptions: {
        ...(client as unknown as Cluster).options.redisOptions,
        maxRetriesPerRequest: null,
        ...extra,
      },
    }) as unknown as Redis;
  }
  return client.duplicate({
    enableOfflineQueue: true,
    lazyConnect: true,
    autoResubscribe: true,
    maxRetriesPerRequest: null,
    retryStrategy,
    ...extra,
  });
}
