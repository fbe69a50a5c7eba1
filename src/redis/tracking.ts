import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheEventEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { MemoryStore } from '../memory/memory-store.js';
import type { PeerChangeListener } from './bus.js';
import { duplicateForSubscriber, isCluster } from './connection.js';
import type { RemoteTier } from './remote-tier.js';

/** `broadcast`: every change under the key prefix is announced; `default`: changes to keys this instance read. */
export type TrackingMode = 'default' | 'broadcast';

/** Whether server-assisted invalidation is in force: `pending` until armed, `unsupported` = the bus alone. */
export type TrackingState = 'pending' | 'active' | 'unsupported';

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/**
 * Redis-assisted L1 coherence (CLIENT TRACKING, REDIRECT form): Redis itself announces the keys that
 * changed, whoever changed them (another service, a script, redis-cli), on a connection of our own
 * subscribed to `__redis__:invalidate`. ioredis 6 speaks RESP3 but drops `invalidate` pushes, so the
 * redirect connection speaks RESP2, where they arrive as pub/sub messages.
 *
 * Tracking is armed on the data connection after every (re)connect of either connection, and L1 is
 * cleared each time it is (re)armed: invalidations sent while it was not armed are lost. A server that
 * refuses `CLIENT TRACKING` (older than 6, a proxy, an ACL) leaves the bus alone in charge, with a log
 * line and `state: 'unsupported'`. The bus stays on beside tracking: it carries what keys alone cannot
 * say (tag and pattern invalidations for fills in flight, lock releases that wake waiters).
 */
export class TrackingCoherence {
  readonly #redirect: Redis | undefined;
  #state: TrackingState = 'pending';
  #reason: string | undefined;
  #redirectId: number | undefined;
  #closed = false;
  /** Arming in progress (one at a time; a later trigger re-arms once it ends). */
  #arming: Promise<void> | undefined;
  #rearm = false;
  #armedOnce = false;
  #name = '';

  constructor(
    private readonly remote: RemoteTier,
    private readonly mode: TrackingMode,
    private readonly keyPrefix: string,
    private readonly l1: MemoryStore,
    private readonly events: CacheEventEmitter,
    private readonly logger: Logger,
    private readonly onPeerChange: PeerChangeListener,
    ownsClient: boolean,
  ) {
    const unsupported = isCluster(remote.client)
      ? 'Redis Cluster: tracking would run per node, which is not supported yet'
      : !ownsClient
        ? 'an adopted redisClient: tracking is armed on connections the cache owns'
        : undefined;
    if (unsupported !== undefined) {
      this.#giveUp(unsupported);
      return;
    }
    // Named, so the data connection can find its id (CLIENT ID is refused in subscriber mode).
    this.#name = `tiercache-tracking-${randomUUID()}`;
    const redirect = duplicateForSubscriber(remote.client, { protocol: 2, connectionName: this.#name });
    this.#redirect = redirect;
    redirect.on('error', (error: Error) =>
      this.logger.debug({ err: error.message }, 'tracking connection error'),
    );
    redirect.on('ready', () => {
      this.#redirectId = undefined; // a new connection has a new id
      this.#arm();
    });
    redirect.on('messageBuffer', (channel: Buffer, payload: Buffer[] | Buffer | null) => {
      if (channel.toString() === INVALIDATE_CHANNEL) this.#receive(payload);
    });
    remote.client.on('ready', this.#onDataReady);
    // Connects (and subscribes) once the data connection is first ready: an unused cache opens nothing.
    if (remote.client.status === 'ready') this.#onDataReady();
  }

  /** Server-assisted invalidation in force, pending, or unsupported (then the bus alone keeps L1 coherent). */
  get state(): TrackingState {
    return this.#state;
  }

  /** Why tracking is not in force, when it is not. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** True while invalidations reach this instance (armed, redirect connection up). */
  get live(): boolean {
    return this.#state === 'active' && this.#redirect?.status === 'ready';
  }

  close(): void {
    this.#closed = true;
    this.remote.client.off('ready', this.#onDataReady);
    this.#redirect?.disconnect();
  }

  readonly #onDataReady = (): void => {
    if (this.#closed || this.#state === 'unsupported' || !this.#redirect) return;
    if (this.#redirect.status === 'wait') {
      this.#redirect.connect().catch((error: Error) => {
        this.logger.debug({ err: error.message }, 'tracking connection will be retried');
      });
      return; // its 'ready' arms
    }
    this.#arm(); // a new data connection has no tracking: arm it again
  };

  /** Arms tracking on the data connection, redirected to ours; clears L1 once armed (see the class). */
  #arm(): void {
    if (this.#arming) {
      this.#rearm = true;
      return;
    }
    this.#arming = this.#armOnce()
      .catch((error: Error) => {
        if (isRefusal(error)) this.#giveUp(`the server refused CLIENT TRACKING (${error.message})`);
        else this.logger.debug({ err: error.message }, 'tracking not armed yet; retried on reconnect');
      })
      .finally(() => {
        this.#arming = undefined;
        if (this.#rearm && !this.#closed && this.#state !== 'unsupported') {
          this.#rearm = false;
          this.#arm();
        }
      });
  }

  async #armOnce(): Promise<void> {
    const redirect = this.#redirect;
    if (!redirect || this.#closed || redirect.status !== 'ready' || this.remote.client.status !== 'ready')
      return;
    await redirect.subscribe(INVALIDATE_CHANNEL); // idempotent; subscribed before anything is sent to it
    this.#redirectId ??= await this.#redirectIdOf();
    const args = ['TRACKING', 'ON', 'REDIRECT', String(this.#redirectId)];
    if (this.mode === 'broadcast') args.push('BCAST', 'PREFIX', this.keyPrefix);
    args.push('NOLOOP'); // this instance's own writes update its L1 directly
    // OFF first: re-arming with another redirect id (or prefix) on a connection already tracking.
    const client = this.remote.client;
    const [, armed] =
      (await client
        .multi()
        .call('CLIENT', 'TRACKING', 'OFF')
        .call('CLIENT', ...args)
        .exec()) ?? [];
    if (armed?.[0]) throw armed[0];
    const dropped = this.l1.deleteMatching('');
    this.onPeerChange({ clear: true });
    if (this.#state !== 'active') {
      this.#state = 'active';
      this.#reason = undefined;
      this.logger.info({ mode: this.mode }, `L1 coherence: Redis client tracking (${this.mode}) is active`);
    } else if (this.events.has('bus')) this.events.emit('bus', { type: 'resynced', keys: dropped });
    this.#armedOnce = true;
  }

  /** The redirect connection's id, found by its name from the data connection. */
  async #redirectIdOf(): Promise<number> {
    const list = String(await this.remote.client.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = list.split('\n').find((l) => l.includes(` name=${this.#name} `));
    const id = Number(/(?:^|\s)id=(\d+)/.exec(line ?? '')?.[1]);
    if (!Number.isInteger(id)) throw new Error('tracking connection not found in CLIENT LIST');
    return id;
  }

  #receive(payload: Buffer[] | Buffer | null): void {
    if (!this.#armedOnce) return;
    if (payload === null) {
      // FLUSHALL / FLUSHDB, or the server dropped its tracking table: everything may have changed.
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
    if (this.events.has('bus')) this.events.emit('bus', { type: 'received', keys: dropped });
  }

  #giveUp(reason: string): void {
    this.#state = 'unsupported';
    this.#reason = reason;
    this.#redirect?.disconnect();
    this.logger.warn(
      { reason },
      'L1 coherence: client tracking unavailable, the invalidation bus alone is used',
    );
  }
}

/** A reply that says the server will not track (unknown command, wrong arguments, no permission). */
function isRefusal(error: Error): boolean {
  return (
    /unknown (sub)?command|ERR|NOPERM|syntax/i.test(error.message) &&
    !/LOADING|BUSY|READONLY/.test(error.message)
  );
}
