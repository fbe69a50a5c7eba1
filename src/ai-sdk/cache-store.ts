import { COMPUTE_LOCK_TIMEOUT } from '../ai/ai-request.js';
import type { Duration } from '../core/duration.js';
import type { CacheInterface, GetOrSetOptions } from '../core/types.js';
import type { CachePolicy } from './cache-policy.js';
import type { SplitCall } from './request-key.js';
import type { GenerateResult, StreamResult, WrappedModel } from './sdk-types.js';
import {
  readGenerate,
  readStream,
  storeGenerate,
  storeStream,
  type StoredGenerate,
} from './stored-response.js';
import { recordStream, replayStream } from './stream-replay.js';

/** Where the middleware keeps responses: a plain cache, or an AI cache (with its metrics). */
export interface ResponseStore {
  generate(
    digest: string,
    model: WrappedModel,
    doGenerate: () => PromiseLike<GenerateResult>,
    split?: SplitCall,
  ): Promise<GenerateResult>;
  stream(
    digest: string,
    model: WrappedModel,
    doStream: () => PromiseLike<StreamResult>,
    split?: SplitCall,
  ): Promise<StreamResult>;
}

export interface StoreSettings {
  namespace: string;
  ttl: Duration | undefined;
  policy: CachePolicy;
  replay: 'fast' | 'recorded';
  maxStreamParts: number;
}

/** Responses in any tiercache cache, under `{namespace}:generate:{digest}` and `{namespace}:stream:{digest}`. */
export class CacheResponseStore implements ResponseStore {
  readonly #cache: CacheInterface;
  readonly #settings: StoreSettings;

  constructor(cache: CacheInterface, settings: StoreSettings) {
    this.#cache = cache;
    this.#settings = settings;
  }

  /**
   * The cache's `getOrSet` runs the model, so identical concurrent calls make one model call (waiting as
   * long as the AI cache does: model calls are slow); a response the policy refuses is answered but
   * skipped. A caller that joined a skipped call calls the model itself.
   */
  async generate(
    digest: string,
    _model: WrappedModel,
    doGenerate: () => PromiseLike<GenerateResult>,
  ): Promise<GenerateResult> {
    let fresh: GenerateResult | undefined;
    const { ttl } = this.#settings;
    const options: GetOrSetOptions = {
      lockTimeout: COMPUTE_LOCK_TIMEOUT,
      ...(ttl === undefined ? {} : { ttl }),
    };
    const stored = await this.#cache.getOrSet<StoredGenerate | undefined>(
      `${this.#settings.namespace}:generate:${digest}`,
      async (context) => {
        fresh = await doGenerate();
        const entry = this.#settings.policy.generate(fresh) ? storeGenerate(fresh) : undefined;
        if (entry === undefined) context.skip();
        return entry;
      },
      options,
    );
    return fresh ?? readGenerate(stored) ?? doGenerate();
  }

  /** A hit replays the recorded parts; a miss streams the model's parts to the caller while recording them. */
  async stream(
    digest: string,
    _model: WrappedModel,
    doStream: () => PromiseLike<StreamResult>,
  ): Promise<StreamResult> {
    const key = `${this.#settings.namespace}:stream:${digest}`;
    const hit = readStream(await this.#cache.get(key));
    if (hit !== undefined) {
      return { stream: replayStream(hit.parts, this.#settings.replay === 'recorded' ? hit.at : undefined) };
    }
    const result = await doStream();
    const stream = recordStream(result.stream, this.#settings.maxStreamParts, async (parts, at) => {
      const entry = this.#settings.policy.stream(parts) ? storeStream(parts, at) : undefined;
      if (entry === undefined) return;
      const ttl = this.#settings.ttl;
      // The caller already has the whole answer: a failed write must not turn it into an error.
      await this.#cache.set(key, entry, ttl === undefined ? undefined : { ttl }).catch(() => undefined);
    });
    return { ...result, stream };
  }
}
