import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheEventEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { MemoryStore } from '../memory/memory-store.js';
import { duplicateForSubscriber, reviveWhenEnded } from './connection.js';
import { FAILED, type RemoteTier } from './remote-tier.js';
import type { Announcement } from './write-batch.js';

/**
 * What one instance tells the others: keys (never values), a pattern, tags invalidated, locks released
 * (wakes `getOrSet` waiters), or "drop everything".
 */
export interface BusMessage {
  keys?: readonly string[];
  pattern?: string;
  tags?: readonly string[];
  released?: readonly string[];
  clear?: boolean;
}

/** Told of every peer's message after L1 has applied it (fill fencing, lock waiters). */
export type PeerChangeListener = (message: BusMessage) => void;

interface WireMessage {
  /** Origin instance id (own messages are ignored). */
  o: string;
  /** Sent at, epoch ms. */
  t: number;
  k?: readonly string[];
  p?: string;
  /** Tags invalidated (their keys, if any were in Redis, are in `k`). */
  g?: readonly string[];
  /** Locks released without a value written. */
  r?: readonly string[];
  c?: 1;
}

/**
 * Cross-instance L1 coherence (DESIGN §5): every change is published on a Redis pub/sub channel scoped by
 * key prefix; peers drop the keys from their L1. A subscriber that reconnects clears its L1, since it may
 * have missed messages; an instance whose Redis comes back tells peers to clear theirs, since changes it
 * made meanwhile were never announced.
 */
export class InvalidationBus {
  readonly origin = randomUUID();
  readonly #subscriber: Redis;
  /** Settles once the channel is subscribed (true) or the first attempt failed (false). */
  readonly subscribed: Promise<boolean>;
  #subscribedBefore = false;
  #closed = false;
  /** A publish failed: peers may have missed a change, so they are told to clear after the outage. */
  #owesClear = false;

  constructor(
    private readonly remote: RemoteTier,
    readonly channel: string,
    private readonly l1: MemoryStore,
    private readonly events: CacheEventEmitter,
    private readonly logger: Logger,
    private readonly onPeerChange: PeerChangeListener,
  ) {
    // A connection of its own (subscriber mode); it may queue SUBSCRIBE until connected, and resubscribes.
    this.#subscriber = duplicateForSubscriber(remote.client);
    reviveWhenEnded(this.#subscriber, () => !this.#closed);
    this.#subscriber.on('error', (error: Error) =>
      this.logger.debug({ err: error.message }, 'bus connection error'),
    );
    this.#subscriber.on('ready', () => this.#onReady());
    this.#subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.#receive(text);
    });
    // Subscribes once the data connection is first ready: a cache nobody uses opens no connection.
    this.subscribed = new Promise<boolean>((resolve) => {
      this.#startSubscription = () => {
        this.#startSubscription = undefined;
        this.#subscribe(resolve);
      };
    });
    if (remote.client.status === 'ready') this.#startSubscription?.();
    remote.client.on('ready', this.#onDataReady);
  }

  #subscribedOnce = false;
  #subscribing = false;

  /**
   * SUBSCRIBE, queued until the subscriber is connected. Once it has succeeded ioredis subscribes again
   * after each reconnect by itself; until then a failed one is sent again on the next 'ready' (the
   * subscriber can be ended by itself and revived before its first SUBSCRIBE was ever answered).
   */
  #subscribe(settled?: (subscribed: boolean) => void): void {
    this.#subscribing = true;
    this.#subscriber.subscribe(this.channel).then(
      () => {
        this.#subscribing = false;
        this.#subscribedOnce = true;
        // What L1 took in before now (reads since the data connection was up, or all along when an
        // earlier SUBSCRIBE failed) was not covered by the bus: a peer's change meanwhile was missed.
        this.#resync('invalidation bus subscribed: L1 cleared (it was filled before)', false);
        settled?.(true);
      },
      (error: Error) => {
        this.#subscribing = false;
        this.logger.debug({ err: error.message }, 'bus subscription will be retried on reconnect');
        settled?.(false);
      },
    );
  }
  /** Starts the subscription; unset once started. */
  #startSubscription: (() => void) | undefined;
  /** The data connection is up: subscribe the first time (the subscriber then reconnects by itself). */
  readonly #onDataReady = (): void => {
    if (this.#closed) return;
    this.#startSubscription?.();
  };

  /** True while peers' messages reach this instance (subscribed, on a connection that is up). */
  get live(): boolean {
    return this.#subscribedOnce && this.#subscriber.status === 'ready';
  }

  /** Publishes a change (fire and forget: a failure is the remote tier's to report). */
  publish(message: BusMessage): void {
    if (this.#closed) return;
    const text = this.#text(message);
    const failed = (): void => {
      if (!message.released) this.#owesClear = true;
    };
    // Fire and forget, strict caches included: a lost message is made up for after the outage.
    void this.remote
      .run('publish', (c) => c.publish(this.channel, text))
      .then((sent) => sent === FAILED && failed(), failed);
  }

  /**
   * The message that keys were written, for a caller that sends it in its own pipeline (WriteBatch: one
   * message for every set of a batch); `failed` when it could not be sent. Undefined once closed.
   */
  announcement(keys: readonly string[]): Announcement | undefined {
    if (this.#closed) return undefined;
    return { channel: this.channel, text: this.#text({ keys }), failed: this.#failedAnnouncement };
  }

  readonly #failedAnnouncement = (): void => {
    this.#owesClear = true;
  };

  /** How this instance's messages start (`o` is written first, see #text). */
  readonly #ownStart = `{"o":${JSON.stringify(this.origin)},`;

  #text(message: BusMessage): string {
    const wire: WireMessage = { o: this.origin, t: Date.now() };
    if (message.keys) wire.k = message.keys;
    if (message.pattern !== undefined) wire.p = message.pattern;
    if (message.tags) wire.g = message.tags;
    if (message.released) wire.r = message.released;
    if (message.clear) wire.c = 1;
    return JSON.stringify(wire);
  }

  /**
   * Redis is back after an outage of this instance's connection. Peers drop their L1 only when they may
   * have missed something from here: this instance changed data meanwhile, or a publish failed.
   */
  afterOutage(changedWhileAway: boolean): void {
    if (!changedWhileAway && !this.#owesClear) return;
    this.#owesClear = false;
    this.logger.info({}, 'redis back after an outage with changes made meanwhile: peers drop their L1');
    this.publish({ clear: true });
  }

  close(): void {
    this.#closed = true;
    this.remote.client.off('ready', this.#onDataReady);
    this.#subscriber.disconnect();
  }

  #onReady(): void {
    const started = this.#startSubscription === undefined;
    if (started && !this.#subscribedOnce && !this.#subscribing && !this.#closed) this.#subscribe();
    if (!this.#subscribedBefore) {
      this.#subscribedBefore = true;
      return;
    }
    this.#resync('invalidation bus reconnected: L1 cleared (messages may have been missed)', true);
  }

  /**
   * Drops L1 and the reads in flight (they may hold what a missed message changed); told when `always`
   * (a reconnect) or when something was dropped.
   */
  #resync(line: string, always: boolean): void {
    const dropped = this.l1.deleteMatching('');
    this.onPeerChange({ clear: true });
    if (dropped === 0 && !always) return;
    this.logger.info({ dropped }, line);
    if (this.events.has('bus')) this.events.emit('bus', { type: 'resynced', keys: dropped });
  }

  #receive(text: string): void {
    // Our own messages come back too (a batch of sets sends one): known by their first bytes, not parsed.
    if (text.startsWith(this.#ownStart)) return;
    let message: WireMessage;
    try {
      message = JSON.parse(text) as WireMessage;
    } catch {
      this.logger.warn({ channel: this.channel }, 'ignored a malformed invalidation bus message');
      return;
    }
    if (message.o === this.origin) return;
    let dropped = 0;
    const change: BusMessage = {};
    try {
      if (message.c) {
        dropped = this.l1.deleteMatching('');
        change.clear = true;
      } else if (typeof message.p === 'string') {
        dropped = this.l1.deleteMatching(message.p);
        change.pattern = message.p;
      }
      if (Array.isArray(message.k)) {
        change.keys = message.k.filter((key): key is string => typeof key === 'string');
        for (const key of change.keys) if (this.l1.delete(key)) dropped++;
      }
      if (Array.isArray(message.g)) change.tags = message.g.filter((t): t is string => typeof t === 'string');
      if (Array.isArray(message.r))
        change.released = message.r.filter((key): key is string => typeof key === 'string');
    } catch (error) {
      // A foreign or malformed message (e.g. an invalid key) must not stop the others being applied.
      this.logger.warn({ err: (error as Error).message }, 'ignored an invalid invalidation bus message');
      return;
    }
    this.onPeerChange(change);
    if (this.events.has('bus') && !(change.released && !change.keys && !change.pattern && !change.clear)) {
      this.events.emit('bus', {
        type: 'received',
        keys: dropped,
        ...(typeof message.p === 'string' ? { pattern: message.p } : {}),
        ...(typeof message.t === 'number' ? { sentAt: message.t } : {}),
        ...(change.keys && !change.pattern && !change.clear && !change.tags
          ? { changedKeys: change.keys }
          : {}),
      });
    }
  }
}
