import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type { ChatGeneration, Generation } from '@langchain/core/outputs';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { BaseCache } from '@langchain/core/caches';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { Duration } from '../../src/core/duration.js';
import { ValidationError } from '../../src/core/errors.js';
import type { CacheInterface } from '../../src/core/types.js';
import { TiercacheLangChainCache, type TiercacheLangChainCacheOptions } from '../../src/langchain/index.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { createRedisCache, hasRedis, useRedis } from '../helpers/redis.js';

const chat = (cache: TiercacheLangChainCache) =>
  new FakeListChatModel({ responses: ['first', 'second'], cache });

/** What a real chat model's generation carries: tool calls, metadata, usage. */
const toolGeneration = (): ChatGeneration => ({
  text: '',
  message: new AIMessage({
    content: '',
    tool_calls: [{ id: 'call-1', name: 'weather', args: { city: 'Paris' }, type: 'tool_call' }],
    additional_kwargs: { refusal: null },
    response_metadata: { finish_reason: 'tool_calls', model: 'gpt-x' },
    usage_metadata: { input_tokens: 10, output_tokens: 3, total_tokens: 13 },
    id: 'msg-1',
  }),
  generationInfo: { finish_reason: 'tool_calls', logprobs: null },
});

let namespaces = 0;

function cacheSuite(name: string, backing: () => CacheInterface) {
  // A namespace per test: a Redis-backed suite shares one cache.
  const fresh = () => new TiercacheLangChainCache(backing(), { namespace: `lc${++namespaces}` });
  describe(`issue 22: TiercacheLangChainCache over ${name}`, () => {
    it("serves a second identical call from the cache (the fake model's responses advance once)", async () => {
      const model = chat(fresh());
      const first = await model.invoke('Hello');
      const second = await model.invoke('Hello');
      expect(first.content).toBe('first');
      expect(second.content).toBe('first');
      expect(AIMessage.isInstance(second)).toBe(true);
      expect(model.i).toBe(1);
    });

    it('calls the model for another prompt or other call options', async () => {
      const model = chat(fresh());
      await model.invoke('Hello');
      expect((await model.invoke('Goodbye')).content).toBe('second');
      // The fake model answers a call with stop sequences with its first stop sequence: a model call.
      expect((await model.invoke('Hello', { stop: ['.'] })).content).toBe('.');
      expect((await model.invoke('Hello')).content).toBe('first');
    });

    it('round-trips chat messages with tool calls, metadata and usage, and plain generations', async () => {
      const cache = fresh();
      const plain: Generation = { text: 'just text', generationInfo: { score: 1 } };
      await cache.update('prompt', 'llm', [toolGeneration(), plain]);
      const [restored, text] = (await cache.lookup('prompt', 'llm')) as [ChatGeneration, Generation];
      const original = toolGeneration();
      expect(AIMessage.isInstance(restored.message)).toBe(true);
      expect(restored.message.toDict()).toStrictEqual(original.message.toDict());
      expect(restored.generationInfo).toStrictEqual(original.generationInfo);
      expect(text).toStrictEqual(plain);
    });
  });
}

cacheSuite('InMemoryCache', () => new InMemoryCache());

describe.runIf(hasRedis)('on a real redis-server', () => {
  const redis = useRedis();
  let cache: GenericRedisCache;
  beforeAll(async () => {
    cache = await createRedisCache(redis);
  });
  afterAll(async () => cache.close());
  cacheSuite('GenericRedisCache', () => cache);

  it('issue 22: another process (another cache on the same Redis) reads what one stored', async () => {
    const writer = new TiercacheLangChainCache(cache, { namespace: 'lc', ttl: 120 });
    await writer.update('prompt', 'llm', [toolGeneration()]);
    const other = await createRedisCache(redis, { keyPrefix: cache.keyPrefix });
    const [restored] = (await new TiercacheLangChainCache(other, { namespace: 'lc' }).lookup(
      'prompt',
      'llm',
    )) as ChatGeneration[];
    await other.close();
    expect(restored?.message.toDict()).toStrictEqual(toolGeneration().message.toDict());
    const [key] = await redis.raw.keys(`${cache.keyPrefix}lc:*`);
    expect(await redis.raw.ttl(key!)).toBeGreaterThan(100);
  });
});

describe('issue 22: TiercacheLangChainCache keys and options', () => {
  it('keeps prompts apart that LangChain’s default key would join ("a_b"+"c" vs "a"+"b_c")', async () => {
    const cache = new TiercacheLangChainCache(new InMemoryCache());
    await cache.update('a_b', 'c', [{ text: 'one' }]);
    expect(await cache.lookup('a', 'b_c')).toBeNull();
    expect(await cache.lookup('a_b', 'c')).toStrictEqual([{ text: 'one' }]);
  });

  it('applies the namespace and ttl, and a key encoder set with makeDefaultKeyEncoder', async () => {
    const inner = new InMemoryCache();
    const cache = new TiercacheLangChainCache(inner, { namespace: 'llm', ttl: '10m' });
    cache.makeDefaultKeyEncoder((prompt, llmKey) => `${llmKey}/${prompt}`);
    await cache.update('hi', 'model', [{ text: 'hello' }]);
    expect(inner.keys()).toStrictEqual(['llm:model/hi']);
    expect(inner.getTtl('llm:model/hi')).toBe(600);
  });

  it('drops generationInfo that is not plain JSON, keeps the rest', async () => {
    const cache = new TiercacheLangChainCache(new InMemoryCache());
    await cache.update('p', 'k', [{ text: 't', generationInfo: { when: new Date(0) } }]);
    expect(await cache.lookup('p', 'k')).toStrictEqual([{ text: 't' }]);
  });

  it('reads a value written by something else as a miss', async () => {
    const inner = new InMemoryCache();
    const cache = new TiercacheLangChainCache(inner, { namespace: 'x' });
    cache.makeDefaultKeyEncoder(() => 'k');
    await inner.set('x:k', 'not generations');
    expect(await cache.lookup('p', 'l')).toBeNull();
  });

  it('hands out copies: a caller may change what a lookup returned', async () => {
    const cache = new TiercacheLangChainCache(new InMemoryCache());
    await cache.update('p', 'k', [{ text: 't', message: new HumanMessage('hi') } as ChatGeneration]);
    const [first] = (await cache.lookup('p', 'k')) as ChatGeneration[];
    first!.message.additional_kwargs.changed = true;
    const [second] = (await cache.lookup('p', 'k')) as ChatGeneration[];
    expect(second!.message.additional_kwargs).toStrictEqual({});
  });

  it.each([
    ['a cache that is not one', () => new TiercacheLangChainCache({} as never), 'needs a tiercache cache'],
    [
      'an empty namespace',
      () => new TiercacheLangChainCache(new InMemoryCache(), { namespace: '' }),
      'namespace',
    ],
    ['a negative ttl', () => new TiercacheLangChainCache(new InMemoryCache(), { ttl: -1 }), 'ttl must be'],
  ])('refuses %s', (_label, build, message) => {
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(message);
  });
});

describe('issue 22: the public types of tiercache/langchain', () => {
  it('is a LangChain BaseCache of generations, with no any', () => {
    expectTypeOf<TiercacheLangChainCache>().toMatchTypeOf<BaseCache<Generation[]>>();
    expectTypeOf<TiercacheLangChainCache['lookup']>().returns.toEqualTypeOf<Promise<Generation[] | null>>();
    expectTypeOf<TiercacheLangChainCacheOptions['ttl']>().toEqualTypeOf<Duration | undefined>();
    expect(new TiercacheLangChainCache(new InMemoryCache())).toBeInstanceOf(BaseCache);
  });
});
