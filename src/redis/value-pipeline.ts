import type { CacheEventEmitter } from '../core/events.js';
import type { EntryRead } from '../core/get-or-set.js';
import type { Logger } from '../core/logger.js';
import type { Snapshot } from '../core/values.js';
import type { MemoryStore } from '../memory/memory-store.js';
import { encodeValue, type CodecOptions, type Encoded, type Sealing } from './codec.js';
import { inTurn, LARGE_VALUE_BYTES } from '../core/turns.js';
import { DecryptError, ValueCipher } from './encryption.js';
import { decodeAndPromote, type Admission } from './read-path.js';
import type { DecodeError } from './decode-error.js';

/**
 * The way values go to and come back from Redis: serialize → compress → encrypt, and back, promoting
 * reads into L1. Unreadable values become misses, counted and announced, never errors for the caller.
 */
export class ValuePipeline {
  readonly #codec: CodecOptions;
  readonly #cipher: ValueCipher | undefined;
  readonly #l1: MemoryStore | undefined;
  readonly #events: CacheEventEmitter;
  readonly #logger: Logger;
  decodeErrors = 0;
  decryptErrors = 0;

  constructor(options: {
    codec: CodecOptions;
    encryptionKey: string | string[] | undefined;
    l1: MemoryStore | undefined;
    events: CacheEventEmitter;
    logger: Logger;
  }) {
    this.#codec = options.codec;
    this.#cipher = options.encryptionKey === undefined ? undefined : new ValueCipher(options.encryptionKey);
    this.#l1 = options.l1;
    this.#events = options.events;
    this.#logger = options.logger;
  }

  /** Ids of the encryption keys (the encrypting one first); empty without encryption. */
  get encryptionKeyIds(): number[] {
    return this.#cipher?.keyIds ?? [];
  }

  /** `freshUntil`: epoch ms after which a grace entry is stale (0 = none). */
  encode(snapshot: Snapshot, redisKey: string, freshUntil = 0): Buffer | string | Promise<Buffer | string> {
    // A large value is serialized in a later turn of the event loop (its own copy: see snapshotForWrite).
    if (snapshot.owned && snapshot.bytes >= LARGE_VALUE_BYTES)
      return this.#encodeInTurn(snapshot, redisKey, freshUntil);
    const encoded = encodeValue(snapshot, this.#codec, this.#sealing(redisKey), freshUntil);
    return encoded instanceof Promise ? encoded.then((e) => this.#report(e)) : this.#report(encoded);
  }

  async #encodeInTurn(snapshot: Snapshot, redisKey: string, freshUntil: number): Promise<Buffer | string> {
    const sealing = this.#sealing(redisKey);
    return this.#report(await inTurn(() => encodeValue(snapshot, this.#codec, sealing, freshUntil)));
  }

  #report(encoded: Encoded): Buffer | string {
    if (encoded.compression) this.#events.emit('compression', encoded.compression);
    return encoded.payload;
  }

  /**
   * The entry of a Redis reply (undefined when missing or unreadable), promoted into L1 for at most `pttl`
   * unless `admitted` says no (an invalidation overtook the read), or `promote` is false. A promise only
   * for a large compressed value (inflated on the thread pool).
   */
  decode(
    key: string,
    redisKey: string,
    payload: Buffer | null,
    pttl: number,
    admitted: Admission | false | undefined = undefined,
  ): EntryRead | undefined | Promise<EntryRead | undefined> {
    const l1 = admitted === false ? undefined : this.#l1;
    const admits = admitted === false ? undefined : admitted;
    return decodeAndPromote(key, payload, pttl, l1, this.#sealing(redisKey), admits, this.#unreadable);
  }

  /** An unreadable stored value: counted, logged once per value, announced; the read is a miss. */
  readonly #unreadable = (error: DecodeError, key: string): void => {
    const kind = error instanceof DecryptError ? 'decrypt' : 'decode';
    if (kind === 'decrypt') this.decryptErrors++;
    else this.decodeErrors++;
    this.#logger.warn(
      { reason: error.message },
      `a stored value could not be ${kind}d and is treated as a miss`,
    );
    this.#events.emit('error', { kind, operation: 'get', tier: 'redis', error, key });
  };

  #sealing(redisKey: string): Sealing | undefined {
    return this.#cipher ? { cipher: this.#cipher, redisKey } : undefined;
  }
}
