import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { CacheEventEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { MemoryStore } from '../memory/memory-store.js';
import type { PeerChangeListener } from './bus.js';
import { duplicateForSubscriber, isCluster, reconnectDelay, reviveWhenEnded } from './connection.js';
import { OwnScriptWrites } from './own-script-writes.js';
import type { RemoteTier } from './remote-tier.js';

/** `broadcast`: every change under the key prefix is announced; `default`: changes to keys this instance read. */
export type TrackingMode = 'default' | 'broadcast';

/** Whether server-assisted invalidation is in force: `pending` until armed, `unsupported` = the bus alone. */
export type TrackingState = 'pending' | 'active' | 'unsupported';

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** How a cache's L1 is wired to client tracking. */
export interface TrackingSettings {
  mode: TrackingMode;
  keyPrefix: string;
  /** Revokes fills and reads in flight for the keys that changed (see RedisFills.onPeerChange). */
  onPeerChange: PeerChangeListener;
  /** Reads a key again from Redis into L1 (a fenced read): after this instance's own script write. */
  refill: (key: string) => void;
  /** False for a client the caller handed in: tracking needs connections of its own. */
  ownsClient: boolean;
  /** Asked for by name (`coherence: 'tracking'`), so its absence is a warning; `'auto'` only notes it. */
  explicit: boolean;
}

/** One tracked server: the connection commands go to, and ours that receives its invalidations. */
interface Link {
  data: Redis;
  redirect: Redis;
  name: string;
  armed: boolean;
  /** Arms run one after another per link (an older arm must not land after a newer one). */
  queue: Promise<void>;
  /** An arm is queued and has not started yet (another request would do the same work). */
  queued: boolean;
  onDataReady: () => void;
}

/**
 * Redis-assisted L1 coherence (CLIENT TRACKING, REDIRECT form): Redis itself announces the keys that
 * changed, whoever changed them (another service, a script, redis-cli), on a connection of our own
 * subscribed to `__redis__:invalidate`. ioredis 6 speaks RESP3 but drops `invalidate` pushes, so the
 * redirect connection speaks RESP2, where they arrive as pub/sub messages.
 *
 * One link per server: the standalone (or Sentinel-chosen) server, or each Cluster master (tracking is
 * per node; the set of masters is followed as the cluster changes). Tracking is armed on a link's data
 * connection after every (re)connect of either connection, and L1 is cleared each time a link is
 * (re)armed: invalidations sent while it was not armed are lost. A server that refuses `CLIENT TRACKING`
 * (older than 6, a proxy, an ACL) leaves the bus alone in charge, with a log line and
 * `state: 'unsupported'`. The bus stays on beside tracking: it carries what keys alone cannot say (tag
 * and pattern invalidations for fills in flight, lock releases that wake waiters).
 */
export class TrackingCoherence {
  readonly #links = new Map<Redis, Link>();
  readonly #cluster: Cluster | undefined;
  #resync: NodeJS.Timeout | undefined;
  #settle: () => void = () => undefined;
  /** Settles once tracking is first active or known unsupported (`connect()` waits for it). */
  readonly settled = new Promise<void>((resolve) => (this.#settle = resolve));
  #state: TrackingState = 'pending';
  #reason: string | undefined;
  #closed = false;
  /** Fills this instance stored by script, whose invalidation comes back to it (see OwnScriptWrites). */
  readonly ownScriptWrites = new OwnScriptWrites();
  private readonly mode: TrackingMode;
  private readonly keyPrefix: string;
  private readonly onPeerChange: PeerChangeListener;

  constructor(
    private readonly remote: RemoteTier,
    private readonly l1: MemoryStore,
    private readonly events: CacheEventEmitter,
    private readonly logger: Logger,
    private readonly settings: TrackingSettings,
  ) {
    this.mode = settings.mode;
    this.keyPrefix = settings.keyPrefix;
    this.onPeerChange = settings.onPeerChange;
    this.#cluster = isCluster(remote.client) ? (remote.client as unknown as Cluster) : undefined;
    if (!settings.ownsClient) {
      this.#giveUp('an adopted redisClient: tracking is armed on connections the cache owns');
      return;
    }
    const client = remote.client as unknown as NodeJS.EventEmitter;
    // A cluster's masters change (failover, resharding): follow them. A standalone server's link is
    // opened on the first 'ready'; its data connection's later 'ready's re-arm it (see #open).
    if (this.#cluster)
      for (const event of ['ready', '+node', '-node', 'refresh']) client.on(event, this.#sync);
    else client.once('ready', this.#sync);
    // Every second: links to masters that changed without an event, and arms that failed (a slow
    // CLIENT LIST, a redirect connection gone mid-arm) while both connections stayed up, are retried.
    this.#resync = setInterval(() => {
      if (this.remote.client.status === 'ready') this.#sync();
    }, 1000).unref();
    // Links open once the data connection is first ready: an unused cache opens nothing.
    if (remote.client.status === 'ready') this.#sync();
  }

  /** Server-assisted invalidation in force, pending, or unsupported (then the bus alone keeps L1 coherent). */
  get state(): TrackingState {
    return this.#state;
  }

  /**
   * Whether this instance's script writes (fenced fills) come back to it as invalidations: broadcast
   * mode on a single server (on a Cluster a fill is stored by plain commands, which NOLOOP covers; in
   * default mode a written key is not tracked and not kept in L1).
   */
  get echoesScriptWrites(): boolean {
    return this.mode === 'broadcast' && this.#cluster === undefined && this.#state === 'active';
  }

  /** Why tracking is not in force, when it is not. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** True while invalidations reach this instance (every link armed, its redirect connection up). */
  get live(): boolean {
    if (this.#state !== 'active' || this.#links.size === 0) return false;
    for (const link of this.#links.values())
      if (!link.armed || link.redirect.status !== 'ready') return false;
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#settle();
    clearInterval(this.#resync);
    const client = this.remote.client as unknown as NodeJS.EventEmitter;
    for (const event of ['ready', '+node', '-node', 'refresh']) client.off(event, this.#sync);
    for (const link of [...this.#links.values()]) this.#drop(link);
  }

  /** Opens a link per server commands go to, closes links to servers that left, arms what is not armed. */
  readonly #sync = (): void => {
    if (this.#closed || this.#state === 'unsupported') return;
    const servers = this.#cluster ? this.#cluster.nodes('master') : [this.remote.client];
    for (const [data, link] of this.#links) if (!servers.includes(data)) this.#drop(link);
    for (const data of servers) {
      const link = this.#links.get(data) ?? this.#open(data);
      if (!link.armed) this.#arm(link);
    }
  };

  #open(data: Redis): Link {
    // Named, so the data connection can find its id (CLIENT ID is refused in subscriber mode).
    const name = `tiercache-tracking-${randomUUID()}`;
    const options = { protocol: 2 as const, connectionName: name };
    const redirect = this.#cluster
      ? data.duplicate({
          ...options,
          lazyConnect: true,
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          retryStrategy: (attempt: number) => Math.min(reconnectDelay(attempt), 250),
        })
      : duplicateForSubscriber(data, options);
    const link: Link = {
      data,
      redirect,
      name,
      armed: false,
      queue: Promise.resolve(),
      queued: false,
      onDataReady: () => this.#rearm(link),
    };
    reviveWhenEnded(redirect, () => !this.#closed && this.#links.get(data) === link);
    redirect.on('error', (error: Error) =>
      this.logger.debug({ err: error.message }, 'tracking connection error'),
    );
    redirect.on('ready', () => this.#rearm(link)); // a new redirect connection has a new id
    redirect.on('close', () => (link.armed = false));
    redirect.on('messageBuffer', (channel: Buffer, payload: Buffer[] | Buffer | null) => {
      if (channel.toString() === INVALIDATE_CHANNEL && link.armed) this.#receive(payload);
    });
    data.on('ready', link.onDataReady); // a new data connection has no tracking

    this.#links.set(data, link);
    redirect.connect().catch((error: Error) => {
      this.logger.debug({ err: error.message }, 'tracking connection will be retried');
    });
    return link;
  }

  #rearm(link: Link): void {
    link.armed = false;
    if (!this.#closed && this.#state !== 'unsupported' && this.#links.get(link.data) === link)
      this.#arm(link);
  }

  #arm(link: Link): void {
    if (link.queued) return;
    link.queued = true;
    link.queue = link.queue.then(() => {
      link.queued = false;
      return this.#armOnce(link);
    });
  }

  /** Arms tracking on a link's data connection, redirected to its redirect connection; then clears L1. */
  async #armOnce(link: Link): Promise<void> {
    const { data, redirect } = link;
    if (this.#closed || redirect.status !== 'ready' || data.status !== 'ready') return; // their 'ready' arms
    try {
      await redirect.subscribe(INVALIDATE_CHANNEL); // idempotent; subscribed before anything is sent to it
      const id = await redirectIdOf(data, link.name);
      const args = ['TRACKING', 'ON', 'REDIRECT', String(id)];
      if (this.mode === 'broadcast') args.push('BCAST', 'PREFIX', this.keyPrefix);
      args.push('NOLOOP'); // this instance's own writes update its L1 directly
      // OFF first: re-arming with another redirect id on a connection already tracking.
      const [, armed] =
        (await data
          .multi()
          .call('CLIENT', 'TRACKING', 'OFF')
          .call('CLIENT', ...args)
          .exec()) ?? [];
      if (armed?.[0]) throw armed[0];
    } catch (error) {
      const err = error as Error;
      if (isRefusal(err)) this.#giveUp(`the server refused CLIENT TRACKING (${err.message})`);
      else this.logger.debug({ err: err.message }, 'tracking not armed yet; retried on reconnect');
      return;
    }
    if (this.#links.get(data) !== link || redirect.status !== 'ready') return;
    link.armed = true;
    this.ownScriptWrites.clear();
    const dropped = this.l1.deleteMatching('');
    this.onPeerChange({ clear: true });
    if (this.#state !== 'active') {
      this.#state = 'active';
      this.#reason = undefined;
      this.#settle();
      this.logger.info({ mode: this.mode }, `L1 coherence: Redis client tracking (${this.mode}) is active`);
    } else if (this.events.has('bus')) this.events.emit('bus', { type: 'resynced', keys: dropped });
  }

  #receive(payload: Buffer[] | Buffer | null): void {
    if (payload === null) {
      // FLUSHALL / FLUSHDB, or the server dropped its tracking table: everything may have changed.
      this.ownScriptWrites.clear();
      const dropped = this.l1.deleteMatching('');
      this.onPeerChange({ clear: true });
      if (this.events.has('bus')) this.events.emit('bus', { type: 'received', keys: dropped });
      return;
    }
    const keys: string[] = [];
    for (const raw of Array.isArray(payload) ? payload : [payload]) {
      const redisKey = raw.toString();
      if (redisKey.startsWith(this.keyPrefix)) keys.push(redisKey.slice(this.keyPrefix.length));
    }
    if (keys.length === 0) return;
    let dropped = 0;
    for (const key of keys) if (this.l1.delete(key)) dropped++;
    this.onPeerChange({ keys });
    if (this.events.has('bus'))
      this.events.emit('bus', { type: 'received', keys: dropped, changedKeys: keys });
    // After the eviction and the revocations: the read sees this write or a newer one, never an older.
    for (const key of keys) if (this.ownScriptWrites.take(key)) this.settings.refill(key);
  }

  #drop(link: Link): void {
    this.#links.delete(link.data);
    link.data.off('ready', link.onDataReady);
    link.redirect.disconnect();
  }

  #giveUp(reason: string): void {
    clearInterval(this.#resync);
    this.#settle();
    this.#state = 'unsupported';
    this.#reason = reason;
    for (const link of [...this.#links.values()]) this.#drop(link);
    const line = 'L1 coherence: client tracking unavailable, the invalidation bus alone is used';
    if (this.settings.explicit) this.logger.warn({ reason }, line);
    else this.logger.info({ reason }, line);
  }
}

/** A redirect connection's id, found by its name from the data connection of the same server. */
async function redirectIdOf(data: Redis, name: string): Promise<number> {
  const list = String(await data.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  const id = Number(/(?:^|\s)id=(\d+)/.exec(line ?? '')?.[1]);
  if (!Number.isInteger(id)) throw new Error('tracking connection not found in CLIENT LIST');
  return id;
}

/** A reply that says the server will not track (unknown command, wrong arguments, no permission); exported for tests. */
export function isRefusal(error: Error): boolean {
  // Only definite answers: a transient failure (a timeout, a redirect id gone mid-arm) is retried.
  return /unknown (sub)?command|NOPERM|ERR syntax error|wrong number of arguments/i.test(error.message);
}
