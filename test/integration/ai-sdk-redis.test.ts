import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { CacheInterface } from '../../src/core/types.js';
import type { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { cachedModel, generated, mockModel, text } from '../helpers/ai-sdk.js';
import { createRedisCache, hasRedis, useRedis } from '../helpers/redis.js';

const bytes = new Uint8Array([0, 1, 2, 250, 255]);

describe.runIf(hasRedis)('issue 22: tiercacheMiddleware over a real redis-server', () => {
  const redis = useRedis();
  let writer: GenericRedisCache;
  let reader: GenericRedisCache;
  beforeAll(async () => {
    writer = await createRedisCache(redis, { enableMemoryCache: false });
    // A second process: its own connection and no memory of the first one's calls.
    reader = await createRedisCache(redis, { keyPrefix: writer.keyPrefix, enableMemoryCache: false });
  });
  afterAll(async () => Promise.all([writer.close(), reader.close()]));

  const caches: [string, () => [CacheInterface, CacheInterface]][] = [
    ['GenericRedisCache', () => [writer, reader]],
    [
      'AIResponseCache',
      () => [new AIResponseCache({ cache: writer }), new AIResponseCache({ cache: reader })],
    ],
  ];

  describe.each(caches)('through %s', (name, pair) => {
    it('a generated answer stored by one process is answered to another: timestamp and file bytes intact', async () => {
      const [one, two] = pair();
      const make = () =>
        mockModel({
          generate: () =>
            generated([{ type: 'file', mediaType: 'image/png', data: bytes }, text(`from ${name}`)]),
        });
      const first = make();
      const second = make();
      const original = await generateText({ model: cachedModel(first, { cache: one }), prompt: name });
      const replayed = await generateText({ model: cachedModel(second, { cache: two }), prompt: name });
      expect(second.doGenerateCalls).toHaveLength(0);
      expect(replayed.text).toBe(original.text);
      expect(replayed.response.timestamp).toStrictEqual(original.response.timestamp);
      expect(replayed.files[0]?.uint8Array).toStrictEqual(bytes);
    });

    it('a streamed answer recorded by one process is replayed by another, text identical', async () => {
      const [one, two] = pair();
      const first = mockModel();
      const second = mockModel();
      const original = streamText({ model: cachedModel(first, { cache: one }), prompt: `stream ${name}` });
      const originalText = await original.text;
      const replayed = streamText({ model: cachedModel(second, { cache: two }), prompt: `stream ${name}` });
      expect(await replayed.text).toBe(originalText);
      expect((await replayed.response).timestamp).toStrictEqual((await original.response).timestamp);
      expect(second.doStreamCalls).toHaveLength(0);
    });
  });
});
