import type { Clock } from '../core/clock.js';
import type { CacheEventEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { escapeGlob } from '../core/pattern.js';
import { GraceBackoff } from '../core/grace-backoff.js';
import type { EntryRead, GetOrSetHost } from '../core/get-or-set.js';
import { TtlPolicy } from '../core/write-plan.js';
import { MemoryStore } from '../memory/memory-store.js';
import { InvalidationBus } from './bus.js';
import { TrackingCoherence } from './tracking.js';
import { createRedisClient, reviveWhenEnded } from './connection.js';
import { RedisFills } from './fills.js';
import { RedisInvalidator } from './invalidator.js';
import type { ResolvedRedisCacheOptions } from './options.js';
import { RemoteTier } from './remote-tier.js';
import { resolveSecurity, securityOfClient, type ResolvedSecurity } from './security.js';
import { ServerStatusReader } from './status.js';
import { CacheCounters, TierIO } from './tier-io.js';
import { ValuePipeline } from './value-pipeline.js';

/** The parts a GenericRedisCache is made of, wired together (DESIGN §3). */
export interface RedisCacheParts {
  l1: MemoryStore | undefined;
  remote: RemoteTier;
  ownsClient: boolean;
  security: ResolvedSecurity;
  values: ValuePipeline;
  io: TierIO;
  serverStatus: ServerStatusReader;
  policy: TtlPolicy;
  fills: RedisFills;
  bus: InvalidationBus | undefined;
  /** Redis client tracking beside the bus (`coherence: 'tracking'`). */
  tracking: TrackingCoherence | undefined;
  invalidator: RedisInvalidator;
  getOrSetHost: GetOrSetHost;
}

/** What the parts ask of the cache that owns them. */
export interface RedisCacheHooks {
  /** Whether L1 may answer now (see `staleOnOutage`). */
  l1Trusted: () => boolean;
  /** A fresh L1 hit, synchronously. */
  peekFresh: (key: string) => unknown;
  /** getOrSet's read: a fresh or stale entry from L1, else Redis. */
  readEntry: (key: string, counted?: boolean) => Promise<EntryRead | undefined>;
}

/** Builds and wires the tiers, the bus, the fills and the invalidator for one cache. */
export function assembleRedisCache(
  o: ResolvedRedisCacheOptions,
  events: CacheEventEmitter,
  logger: Logger,
  hooks: RedisCacheHooks,
): RedisCacheParts {
  const l1 =
    o.memoryCacheSize > 0
      ? new MemoryStore({
          maxSize: o.memoryCacheSize,
          policy: o.memoryCachePolicy,
          maxTtlMs: o.memoryCacheTtlMs,
          clock: o.clock,
          onEvict: (key, reason) => {
            if (events.has('evict')) events.emit('evict', { key, tier: 'l1', reason });
          },
        })
      : undefined;
  const ownsClient = o.redisClient === undefined;
  const values = new ValuePipeline({ codec: o, encryptionKey: o.encryptionKey, l1, events, logger });
  const security = o.redisClient ? securityOfClient(o.redisClient) : resolveSecurity(o.security, o.topology);
  const client = o.redisClient ?? createRedisClient({ ...o, security });
  let bus: InvalidationBus | undefined;
  const remote = new RemoteTier(client, events, logger, {
    adaptivePipelining: ownsClient && o.autoPipelining,
    breaker: o.circuitBreaker,
    onRecovered: (changed) => bus?.afterOutage(changed),
    connectTimeout: o.connectTimeout,
    strict: o.strict,
    commandTimeout: o.commandTimeout,
    probeInterval: o.probeInterval,
  });
  // An adopted client is its owner's to reconnect (or to end).
  if (ownsClient) reviveWhenEnded(client, () => !remote.detached);
  const io = new TierIO(remote, l1, values, o.keyPrefix, o.auxPrefix, new CacheCounters(), hooks.l1Trusted);
  const withBus = l1 !== undefined && o.busChannel !== undefined;
  const fills = new RedisFills(remote, o.auxPrefix, io, events, () => bus, l1 !== undefined, withBus);
  if (l1 && o.busChannel) {
    bus = new InvalidationBus(remote, o.busChannel, l1, events, logger, (m) => fills.onPeerChange(m));
  }
  const tracking =
    l1 && o.coherence === 'tracking'
      ? new TrackingCoherence(remote, l1, events, logger, {
          mode: o.trackingMode,
          keyPrefix: o.keyPrefix,
          onPeerChange: (m) => fills.onPeerChange(m),
          // Not counted as a read: it restores what this instance's own fill put in L1.
          refill: (key) => void io.reads.readEntry(key),
          ownsClient,
          explicit: !o.coherenceAuto,
        })
      : undefined;
  if (tracking) {
    // Default-mode tracking follows the keys this instance read: a write must leave L1 to the next read.
    if (o.trackingMode === 'default') io.l1OnWrite = false;
    io.scriptWrites = {
      expect: (key) => tracking.echoesScriptWrites && (tracking.ownScriptWrites.expect(key), true),
      cancel: (key) => tracking.ownScriptWrites.cancel(key),
    };
  }
  const invalidator = new RedisInvalidator(
    remote,
    l1,
    events,
    o.keyPrefix,
    o.auxPrefix,
    bus,
    (change) => fills.revoke(change),
    fills.lock.epochKey,
    (send) => io.inOrder(undefined, send),
    (change) => io.revokeReadsBefore(change),
  );
  const policy = new TtlPolicy(o.defaultTtl, o.ttlJitter, o.random);
  const getOrSetHost: GetOrSetHost = {
    ttlPolicy: policy,
    flights: fills.flights,
    fence: fills.fence,
    backoff: new GraceBackoff(o.clock ? () => (o.clock as Clock).now() : undefined),
    logger,
    events,
    lock: fills.lock,
    peekFresh: hooks.peekFresh,
    readEntry: hooks.readEntry,
    store: (key, value, plan, lease, admitted) => fills.store(key, value, plan, lease, admitted),
  };
  const serverStatus = new ServerStatusReader(remote, `${escapeGlob(o.keyPrefix)}*`);
  return {
    l1,
    remote,
    ownsClient,
    security,
    values,
    io,
    serverStatus,
    policy,
    fills,
    bus,
    tracking,
    invalidator,
    getOrSetHost,
  };
}
