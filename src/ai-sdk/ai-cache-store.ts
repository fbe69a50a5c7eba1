import type { AIRequest, AIResponseCache } from '../ai/ai-response-cache.js';
import type { Duration } from '../core/duration.js';
import type { ResponseStore, StoreSettings } from './cache-store.js';
import { decodeJson, encodeJson, type Json } from './json-codec.js';
import { modelName, type SplitCall } from './request-key.js';
import type { GenerateResult, StreamPart, StreamResult, WrappedModel } from './sdk-types.js';
import { readGenerate, storeGenerate, tokenUsage, type StoredGenerate } from './stored-response.js';
import { iterableStream } from './stream-replay.js';

/** A stream part as handed to the AI cache: JSON (`p`), or as it came when JSON cannot carry it (never stored). */
type Chunk = { p: Json } | { raw: StreamPart };

/**
 * Responses in an `AIResponseCache`, through `getOrCompute` and `getOrComputeStream`, so its hits, misses,
 * compute time and tokens saved count, under the operation `namespace` (TTL: `ttl`, else `operationTtls`).
 * The request is `{ operation: namespace, text: <digest of the call>, model: 'provider:modelId' }`; when the
 * call ends with a plain user message, `{ …, text: <digest of the rest>, question: <its text> }`, so that
 * semantic matching can compare questions asked in one context.
 */
export class AICacheResponseStore implements ResponseStore {
  readonly #cache: AIResponseCache;
  readonly #settings: StoreSettings;
  readonly #options: { ttl?: Duration };

  constructor(cache: AIResponseCache, settings: StoreSettings) {
    this.#cache = cache;
    this.#settings = settings;
    this.#options = settings.ttl === undefined ? {} : { ttl: settings.ttl };
  }

  async generate(
    digest: string,
    model: WrappedModel,
    doGenerate: () => PromiseLike<GenerateResult>,
    split?: SplitCall,
  ): Promise<GenerateResult> {
    let fresh: GenerateResult | undefined;
    const stored = await this.#cache.getOrCompute<StoredGenerate | undefined>(
      this.#request(digest, model, split),
      async () => {
        fresh = await doGenerate();
        // `undefined` is answered but never stored by the AI cache.
        const entry = this.#settings.policy.generate(fresh) ? storeGenerate(fresh) : undefined;
        const usage = tokenUsage(fresh.usage);
        return entry !== undefined && usage !== undefined ? { value: entry, usage } : entry;
      },
      this.#options,
    );
    return fresh ?? readGenerate(stored) ?? doGenerate();
  }

  async stream(
    digest: string,
    model: WrappedModel,
    doStream: () => PromiseLike<StreamResult>,
    split?: SplitCall,
  ): Promise<StreamResult> {
    const { policy, replay, maxStreamParts } = this.#settings;
    const chunks = this.#cache.getOrComputeStream<Chunk>(
      this.#request(digest, model, split),
      async () => chunksOf((await doStream()).stream),
      {
        ...this.#options,
        replay,
        shouldStore: (recorded) =>
          recorded.length <= maxStreamParts &&
          recorded.every((chunk) => 'p' in chunk) &&
          policy.stream(recorded.map(partOf)),
        tokensSaved: (recorded) => {
          const last = recorded.at(-1);
          const finish = last === undefined ? undefined : partOf(last);
          const usage = finish?.type === 'finish' ? tokenUsage(finish.usage) : undefined;
          return usage ?? { inputTokens: 0, outputTokens: 0 };
        },
      },
    );
    return { stream: iterableStream(mapIterable(chunks, partOf)) };
  }

  #request(digest: string, model: WrappedModel, split: SplitCall | undefined): AIRequest {
    const { namespace } = this.#settings;
    return split === undefined
      ? { operation: namespace, text: digest, model: modelName(model) }
      : { operation: namespace, text: split.context, question: split.question, model: modelName(model) };
  }
}

/** The model's parts as chunks; a reader that stops early cancels the model's stream. */
async function* chunksOf(stream: ReadableStream<StreamPart>): AsyncGenerator<Chunk> {
  const reader = stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) {
        ended = true;
        return;
      }
      const json = encodeJson(step.value);
      yield json === undefined ? { raw: step.value } : { p: json };
    }
  } finally {
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function partOf(chunk: Chunk): StreamPart {
  return 'raw' in chunk ? chunk.raw : (decodeJson(chunk.p) as StreamPart);
}

async function* mapIterable<A, B>(source: AsyncIterable<A>, map: (item: A) => B): AsyncGenerator<B> {
  for await (const item of source) yield map(item);
}
