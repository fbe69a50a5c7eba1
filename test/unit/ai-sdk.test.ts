import { generateObject, generateText, jsonSchema, type LanguageModelMiddleware } from 'ai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { tiercacheMiddleware, type TiercacheMiddlewareOptions } from '../../src/ai-sdk/index.js';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { Duration } from '../../src/core/duration.js';
import { ValidationError } from '../../src/core/errors.js';
import type { CacheInterface } from '../../src/core/types.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { hashingEmbedder } from '../../src/ai/semantic/hashing-embedder.js';
import { cachedModel, generated, mockModel, text } from '../helpers/ai-sdk.js';

const prompt = 'Say hello';

describe('issue 22: tiercacheMiddleware caches generateText and generateObject', () => {
  it('answers a second identical call from the cache, timestamp and usage included', async () => {
    const mock = mockModel();
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    const first = await generateText({ model, prompt });
    const second = await generateText({ model, prompt });
    expect(mock.doGenerateCalls).toHaveLength(1);
    expect(second.text).toBe('Hello, world');
    expect(second.response.timestamp).toStrictEqual(first.response.timestamp);
    expect(second.response.timestamp).toBeInstanceOf(Date);
    expect(second.usage.outputTokens).toBe(7);
  });

  it('calls the model again when the temperature, the prompt or another setting changes', async () => {
    const mock = mockModel();
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    await generateText({ model, prompt, temperature: 0 });
    await generateText({ model, prompt, temperature: 0.7 });
    await generateText({ model, prompt: 'Say goodbye', temperature: 0 });
    await generateText({ model, prompt, temperature: 0, maxOutputTokens: 10 });
    await generateText({ model, prompt, temperature: 0, seed: 1 });
    await generateText({ model, prompt, temperature: 0, stopSequences: ['.'] });
    await generateText({ model, prompt, temperature: 0, providerOptions: { mock: { mode: 'x' } } });
    await generateText({ model, system: 'Be brief', prompt, temperature: 0 });
    expect(mock.doGenerateCalls).toHaveLength(8);
    await generateText({ model, prompt, temperature: 0.7 });
    expect(mock.doGenerateCalls).toHaveLength(8);
  });

  it('keeps two models apart, even behind one cache', async () => {
    const cache = new InMemoryCache();
    const a = mockModel({ modelId: 'model-a' });
    const b = mockModel({ modelId: 'model-b' });
    await generateText({ model: cachedModel(a, { cache }), prompt });
    await generateText({ model: cachedModel(b, { cache }), prompt });
    expect(a.doGenerateCalls).toHaveLength(1);
    expect(b.doGenerateCalls).toHaveLength(1);
  });

  it('ignores the abort signal and the headers: they do not change the answer', async () => {
    const mock = mockModel();
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    await generateText({ model, prompt, headers: { 'x-request': '1' } });
    await generateText({
      model,
      prompt,
      headers: { 'x-request': '2' },
      abortSignal: new AbortController().signal,
    });
    expect(mock.doGenerateCalls).toHaveLength(1);
  });

  it('makes one model call for identical concurrent calls', async () => {
    const mock = mockModel();
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    const answers = await Promise.all([1, 2, 3].map(() => generateText({ model, prompt })));
    expect(answers.map((a) => a.text)).toStrictEqual(['Hello, world', 'Hello, world', 'Hello, world']);
    expect(mock.doGenerateCalls).toHaveLength(1);
  });

  it('caches generateObject per schema (the response format is part of the key)', async () => {
    const mock = mockModel({ generate: () => generated([text('{"city":"Paris"}')]) });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    const city = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } });
    const town = jsonSchema<{ city: string }>({
      type: 'object',
      properties: { city: { type: 'string', minLength: 1 } },
    });
    expect((await generateObject({ model, schema: city, prompt })).object).toStrictEqual({ city: 'Paris' });
    expect((await generateObject({ model, schema: city, prompt })).object).toStrictEqual({ city: 'Paris' });
    expect(mock.doGenerateCalls).toHaveLength(1);
    await generateObject({ model, schema: town, prompt });
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('restores file bytes and reasoning from the cache', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);
    const mock = mockModel({
      generate: () =>
        generated([
          { type: 'reasoning', text: 'thinking' },
          { type: 'file', mediaType: 'image/png', data: bytes },
          text('done'),
        ]),
    });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    await generateText({ model, prompt });
    const hit = await generateText({ model, prompt });
    expect(mock.doGenerateCalls).toHaveLength(1);
    expect(hit.files[0]?.uint8Array).toStrictEqual(bytes);
    expect(hit.reasoningText).toBe('thinking');
  });
});

describe('issue 22: what the middleware does not cache', () => {
  const toolCall = {
    type: 'tool-call',
    toolCallId: 'call-1',
    toolName: 'weather',
    input: '{"city":"Paris"}',
  } as const;

  it.each(['length', 'error', 'content-filter', 'other'] as const)(
    'a response that finished with %s',
    async (finish) => {
      const mock = mockModel({ generate: () => generated([text('partial')], finish) });
      const model = cachedModel(mock, { cache: new InMemoryCache() });
      await generateText({ model, prompt });
      await generateText({ model, prompt });
      expect(mock.doGenerateCalls).toHaveLength(2);
    },
  );

  it('an empty response', async () => {
    const mock = mockModel({ generate: () => generated([text('')]) });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    await generateText({ model, prompt });
    await generateText({ model, prompt });
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('tool calls by default; with cacheToolCalls, the ones the application runs', async () => {
    const calls = (cacheToolCalls: boolean) => {
      const mock = mockModel({ generate: () => generated([toolCall], 'tool-calls') });
      return { mock, model: cachedModel(mock, { cache: new InMemoryCache(), cacheToolCalls }) };
    };
    const plain = calls(false);
    await generateText({ model: plain.model, prompt });
    await generateText({ model: plain.model, prompt });
    expect(plain.mock.doGenerateCalls).toHaveLength(2);
    const opted = calls(true);
    await generateText({ model: opted.model, prompt });
    const hit = await generateText({ model: opted.model, prompt });
    expect(opted.mock.doGenerateCalls).toHaveLength(1);
    expect(hit.toolCalls[0]?.input).toStrictEqual({ city: 'Paris' });
  });

  it('never a tool a provider ran (its output is live data), even with cacheToolCalls', async () => {
    const mock = mockModel({
      generate: () =>
        generated([
          { ...toolCall, toolName: 'web_search', providerExecuted: true },
          { type: 'tool-result', toolCallId: 'call-1', toolName: 'web_search', result: { hits: 3 } },
          text('Paris is sunny'),
        ]),
    });
    const model = cachedModel(mock, { cache: new InMemoryCache(), cacheToolCalls: true });
    await generateText({ model, prompt });
    await generateText({ model, prompt });
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('a call that JSON cannot describe is passed through, not refused', async () => {
    const mock = mockModel();
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    const providerOptions = { mock: { big: 1n } } as never;
    expect((await generateText({ model, prompt, providerOptions })).text).toBe('Hello, world');
    await generateText({ model, prompt, providerOptions });
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('a model error reaches the caller and nothing is stored', async () => {
    let fail = true;
    const mock = mockModel({
      generate: () => {
        if (fail) throw new Error('provider down');
        return generated([text('back')]);
      },
    });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    await expect(generateText({ model, prompt, maxRetries: 0 })).rejects.toThrow('provider down');
    fail = false;
    expect((await generateText({ model, prompt })).text).toBe('back');
  });
});

describe('issue 22: tiercacheMiddleware edge cases', () => {
  it('answers concurrent callers of a response the policy refuses, each with a model call of its own', async () => {
    const mock = mockModel({ generate: () => generated([text('cut')], 'length') });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    const answers = await Promise.all([1, 2].map(() => generateText({ model, prompt })));
    expect(answers.map((a) => a.text)).toStrictEqual(['cut', 'cut']);
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('reads a value it did not write as a miss (and answers from the model)', async () => {
    const cache = new InMemoryCache();
    const mock = mockModel();
    const model = cachedModel(mock, { cache });
    await generateText({ model, prompt });
    const [key] = cache.keys();
    await cache.set(key!, { something: 'else' });
    expect((await generateText({ model, prompt })).text).toBe('Hello, world');
    expect(mock.doGenerateCalls).toHaveLength(2);
  });

  it('stores a response without response metadata or usage', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    const bare = (): ReturnType<typeof generated> => {
      const rest = { ...generated([text('bare')]), response: undefined };
      const none = { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined };
      return {
        ...rest,
        usage: {
          inputTokens: none,
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
      };
    };
    const mock = mockModel({ generate: bare });
    const model = cachedModel(mock, { cache: ai });
    await generateText({ model, prompt });
    expect((await generateText({ model, prompt })).text).toBe('bare');
    expect(mock.doGenerateCalls).toHaveLength(1);
  });
});

describe('issue 22: tiercacheMiddleware over an AIResponseCache', () => {
  it('goes through getOrCompute: hits, misses and tokens saved are counted under the namespace', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    const mock = mockModel();
    const model = cachedModel(mock, { cache: ai, namespace: 'chat' });
    await generateText({ model, prompt });
    await generateText({ model, prompt });
    expect(mock.doGenerateCalls).toHaveLength(1);
    const chat = ai.getOperationPerformance().chat;
    expect(chat).toMatchObject({ hits: 1, misses: 1 });
    const summary = await ai.getAIPerformanceSummary();
    expect(summary).toMatchObject({ tokensSaved: { inputTokens: 12, outputTokens: 7 } });
  });

  it('does not store in the AI cache what the policy refuses', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    const mock = mockModel({ generate: () => generated([text('cut')], 'length') });
    const model = cachedModel(mock, { cache: ai });
    await generateText({ model, prompt });
    await generateText({ model, prompt });
    expect(mock.doGenerateCalls).toHaveLength(2);
    expect(ai.getOperationPerformance()['ai-sdk']).toMatchObject({ hits: 0, misses: 2 });
  });
});

describe('issue 22: tiercacheMiddleware ttl', () => {
  it('applies to entries in a plain cache and in an AI cache', async () => {
    const plain = new InMemoryCache();
    const inner = new InMemoryCache();
    for (const cache of [plain, new AIResponseCache({ cache: inner })])
      await generateText({ model: cachedModel(mockModel(), { cache, ttl: 60 }), prompt });
    for (const cache of [plain, inner]) {
      const [key] = cache.keys();
      expect(cache.getTtl(key!)).toBe(60);
    }
  });
});

describe('issue 22: tiercacheMiddleware options are checked', () => {
  const cache = new InMemoryCache();
  it.each([
    ['no cache', {}, 'cache must be a tiercache cache'],
    ['a cache that is not one', { cache: {} }, 'cache must be a tiercache cache'],
    ['a negative ttl', { cache, ttl: -1 }, 'ttl must be non-negative'],
    ['an unknown replay', { cache, replay: 'slow' }, "replay must be 'fast' or 'recorded'"],
    ['a namespace with a space', { cache, namespace: 'a b' }, 'namespace is also the AI operation name'],
    ['maxStreamParts 0', { cache, maxStreamParts: 0 }, 'maxStreamParts must be a positive integer'],
    ['cacheToolCalls as a string', { cache, cacheToolCalls: 'yes' }, 'cacheToolCalls must be a boolean'],
    ['a misspelt option', { cache, tll: 60 }, 'unknown tiercacheMiddleware option: tll'],
  ])('%s is refused', (_label, options, message) => {
    expect(() => tiercacheMiddleware(options as never)).toThrow(ValidationError);
    expect(() => tiercacheMiddleware(options as never)).toThrow(message);
  });
});

describe('issue 22: the public types of tiercache/ai-sdk', () => {
  it('are the SDK middleware type and tiercache types, with no any', () => {
    expectTypeOf(tiercacheMiddleware).parameter(0).toEqualTypeOf<TiercacheMiddlewareOptions>();
    expectTypeOf(tiercacheMiddleware).returns.toEqualTypeOf<LanguageModelMiddleware>();
    expectTypeOf<TiercacheMiddlewareOptions['cache']>().toEqualTypeOf<CacheInterface>();
    expectTypeOf<TiercacheMiddlewareOptions['ttl']>().toEqualTypeOf<Duration | undefined>();
    expectTypeOf<TiercacheMiddlewareOptions['replay']>().toEqualTypeOf<'fast' | 'recorded' | undefined>();
  });
});

describe('issue 25: semantic matching through tiercacheMiddleware', () => {
  const semanticModel = () => {
    const mock = mockModel();
    const ai = new AIResponseCache({ cache: new InMemoryCache(), semantic: { embed: hashingEmbedder() } });
    return { mock, ai, model: cachedModel(mock, { cache: ai }) };
  };

  it('answers a near-identical last user message in the same context from the cache', async () => {
    const { mock, ai, model } = semanticModel();
    await generateText({ model, system: 'Be brief.', prompt: 'How do I enable two-factor authentication?' });
    const near = await generateText({
      model,
      system: 'Be brief.',
      prompt: 'how do i enable two factor authentication',
    });
    expect(near.text).toBe('Hello, world');
    expect(mock.doGenerateCalls).toHaveLength(1);
    expect((await ai.getAIPerformanceSummary()).semanticHits).toBe(1);
  });

  it('calls the model for the opposite question, or the same question in another context', async () => {
    const { mock, model } = semanticModel();
    await generateText({ model, system: 'Be brief.', prompt: 'How do I enable two-factor authentication?' });
    await generateText({ model, system: 'Be brief.', prompt: 'How do I disable two-factor authentication?' });
    await generateText({
      model,
      system: 'Answer in French.',
      prompt: 'how do i enable two factor authentication',
    });
    await generateText({
      model,
      system: 'Be brief.',
      prompt: 'How do I enable two-factor authentication?',
      temperature: 1,
    });
    expect(mock.doGenerateCalls).toHaveLength(4);
  });

  it('keys a call ending with something else than a user text by its whole digest, as before', async () => {
    const { mock, model } = semanticModel();
    const messages = [
      { role: 'user' as const, content: 'Hello' },
      { role: 'assistant' as const, content: 'Hi! How can I help?' },
    ];
    await generateText({ model, messages });
    await generateText({ model, messages });
    expect(mock.doGenerateCalls).toHaveLength(1);
  });
});
