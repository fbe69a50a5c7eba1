import { performance } from 'node:perf_hooks';
import { simulateReadableStream, streamText } from 'ai';
import { convertArrayToReadableStream, convertReadableStreamToArray } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { tiercacheMiddleware } from '../../src/ai-sdk/index.js';
import type { StreamPart } from '../../src/ai-sdk/sdk-types.js';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { cachedModel, mockModel, streamedText, wrapStream } from '../helpers/ai-sdk.js';

const prompt = 'Stream a greeting';

/** Reads a `streamText` call to its end: its full stream's part types, and its text. */
async function readAll(result: ReturnType<typeof streamText>): Promise<{ types: string[]; text: string }> {
  const types: string[] = [];
  let text = '';
  for await (const part of result.fullStream) {
    types.push(part.type);
    if (part.type === 'text-delta') text += part.text;
  }
  return { types, text };
}

/** A model stream that sends `parts`, then fails as a dropped connection does. */
function failingAfter(parts: StreamPart[]): ReadableStream<StreamPart> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.error(new Error('connection reset'));
    },
  });
}

describe('issue 22: tiercacheMiddleware records streamText and replays it', () => {
  it('replays an identical call without the model: same text, parts, finish reason and timestamp', async () => {
    const mock = mockModel();
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    const first = streamText({ model, prompt });
    const original = await readAll(first);
    const second = streamText({ model, prompt });
    const replayed = await readAll(second);
    expect(mock.doStreamCalls).toHaveLength(1);
    expect(replayed).toStrictEqual(original);
    expect(replayed.text).toBe('Hello!');
    expect(await second.finishReason).toBe('stop');
    expect((await second.response).timestamp).toStrictEqual(new Date('2026-01-02T03:04:05.678Z'));
    expect((await second.usage).outputTokens).toBe(7);
  });

  it('calls the model for another temperature or another model', async () => {
    const cache = new InMemoryCache();
    const a = mockModel();
    const b = mockModel({ modelId: 'm2' });
    await readAll(streamText({ model: cachedModel(a, { cache }), prompt, temperature: 0 }));
    await readAll(streamText({ model: cachedModel(a, { cache }), prompt, temperature: 1 }));
    await readAll(streamText({ model: cachedModel(b, { cache }), prompt, temperature: 0 }));
    expect(a.doStreamCalls).toHaveLength(2);
    expect(b.doStreamCalls).toHaveLength(1);
  });

  it('does not store a stream that failed half-way; the caller sees the error', async () => {
    let fail = true;
    const mock = mockModel({
      stream: () =>
        fail
          ? failingAfter(streamedText(['Hel']).slice(0, 4))
          : convertArrayToReadableStream(streamedText(['Hel', 'lo', '!'])),
    });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    // As without the middleware: the SDK rethrows a failed model stream to the reader.
    await expect(readAll(streamText({ model, prompt }))).rejects.toThrow('connection reset');
    fail = false;
    expect((await readAll(streamText({ model, prompt }))).text).toBe('Hello!');
    expect((await readAll(streamText({ model, prompt }))).text).toBe('Hello!');
    expect(mock.doStreamCalls).toHaveLength(2);
  });

  it.each([
    ['an error part', [...streamedText(['Hel']).slice(0, 4), { type: 'error', error: 'overloaded' }]],
    ['a length cut', streamedText(['Hel', 'lo'], 'length')],
    [
      'tool calls',
      [
        { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{}' },
        ...streamedText([], 'tool-calls').slice(-1),
      ],
    ],
    ['no finish part', streamedText(['Hel', 'lo']).slice(0, -1)],
  ] as [string, StreamPart[]][])('does not store a stream with %s', async (_label, parts) => {
    const mock = mockModel({ stream: () => convertArrayToReadableStream(parts) });
    const model = cachedModel(mock, { cache: new InMemoryCache() });
    await readAll(streamText({ model, prompt, onError: () => undefined }));
    await readAll(streamText({ model, prompt, onError: () => undefined }));
    expect(mock.doStreamCalls).toHaveLength(2);
  });

  it('does not store a stream its reader cancelled', async () => {
    const cache = new InMemoryCache();
    const model = mockModel();
    const reader = (await wrapStream(tiercacheMiddleware({ cache }), model)).stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(cache.keys()).toStrictEqual([]);
    await convertReadableStreamToArray((await wrapStream(tiercacheMiddleware({ cache }), model)).stream);
    expect(cache.keys()).toHaveLength(1);
  });

  it('streams whole but does not store a stream longer than maxStreamParts', async () => {
    const cache = new InMemoryCache();
    const middleware = tiercacheMiddleware({ cache, maxStreamParts: 7 });
    const model = mockModel();
    // The full answer has 8 parts.
    expect(await convertReadableStreamToArray((await wrapStream(middleware, model)).stream)).toHaveLength(8);
    await convertReadableStreamToArray((await wrapStream(middleware, model)).stream);
    expect(model.doStreamCalls).toHaveLength(2);
    expect(cache.keys()).toStrictEqual([]);
  });

  it("replay: 'recorded' replays at the recorded pace, 'fast' at once, both with the same parts", async () => {
    const cache = new InMemoryCache();
    const paced = () =>
      simulateReadableStream({ chunks: streamedText(['a', 'b', 'c', 'd']), chunkDelayInMs: 15 });
    const mock = mockModel({ stream: paced });
    const recorded = await readAll(
      streamText({ model: cachedModel(mock, { cache, replay: 'recorded' }), prompt }),
    );
    const started = performance.now();
    const replayed = await readAll(
      streamText({ model: cachedModel(mock, { cache, replay: 'recorded' }), prompt }),
    );
    // 8 parts recorded 15 ms apart: the replay cannot be quicker than the gaps it reproduces.
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    const fast = await readAll(streamText({ model: cachedModel(mock, { cache }), prompt }));
    expect(mock.doStreamCalls).toHaveLength(1);
    expect(replayed).toStrictEqual(recorded);
    expect(fast).toStrictEqual(recorded);
  });
});

describe('issue 22: stream edge cases over a plain cache', () => {
  it('keeps a stream for ttl, and a tool-call stream only with cacheToolCalls and no provider-run tool', async () => {
    const toolParts = (providerExecuted: boolean): StreamPart[] => [
      { type: 'tool-input-start', id: 'c1', toolName: 'weather', providerExecuted },
      { type: 'tool-input-delta', id: 'c1', delta: '{}' },
      { type: 'tool-input-end', id: 'c1' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{}', providerExecuted },
      ...streamedText([], 'tool-calls').slice(-1),
    ];
    const cache = new InMemoryCache();
    const local = mockModel({ stream: () => convertArrayToReadableStream(toolParts(false)) });
    const remote = mockModel({ modelId: 'm2', stream: () => convertArrayToReadableStream(toolParts(true)) });
    for (let i = 0; i < 2; i++) {
      await readAll(
        streamText({ model: cachedModel(local, { cache, cacheToolCalls: true, ttl: '5m' }), prompt }),
      );
      await readAll(streamText({ model: cachedModel(remote, { cache, cacheToolCalls: true }), prompt }));
    }
    expect(local.doStreamCalls).toHaveLength(1);
    expect(remote.doStreamCalls).toHaveLength(2);
    expect(cache.getTtl(cache.keys()[0]!)).toBe(300);
  });

  it('a paced replay its reader cancels stops there', async () => {
    const cache = new InMemoryCache();
    const mock = mockModel({
      stream: () => simulateReadableStream({ chunks: streamedText(['a', 'b']), chunkDelayInMs: 5 }),
    });
    const middleware = tiercacheMiddleware({ cache, replay: 'recorded' });
    const call = async () => await wrapStream(middleware, mock);
    expect(await convertReadableStreamToArray((await call()).stream)).toHaveLength(7);
    const reader = (await call()).stream.getReader();
    expect((await reader.read()).value).toMatchObject({ type: 'stream-start' });
    await reader.cancel();
    expect(await reader.read()).toStrictEqual({ done: true, value: undefined });
    expect(mock.doStreamCalls).toHaveLength(1);
  });
});

describe('issue 22: streams over an AIResponseCache', () => {
  it('goes through getOrComputeStream: a replay is identical and counts as a hit with its tokens', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    const mock = mockModel();
    const model = cachedModel(mock, { cache: ai, namespace: 'chat' });
    const first = await readAll(streamText({ model, prompt }));
    const second = await readAll(streamText({ model, prompt }));
    expect(mock.doStreamCalls).toHaveLength(1);
    expect(second).toStrictEqual(first);
    expect(ai.getOperationPerformance().chat).toMatchObject({ hits: 1, misses: 1 });
    expect(await ai.getAIPerformanceSummary()).toMatchObject({
      tokensSaved: { inputTokens: 12, outputTokens: 7 },
    });
  });

  it('stores no stream the policy refuses', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    const mock = mockModel({ stream: () => convertArrayToReadableStream(streamedText(['cut'], 'length')) });
    const model = cachedModel(mock, { cache: ai });
    await readAll(streamText({ model, prompt }));
    await readAll(streamText({ model, prompt }));
    expect(mock.doStreamCalls).toHaveLength(2);
  });

  it('makes one model call for identical concurrent streams, and stores none that failed', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    let fail = false;
    const paced = () =>
      fail
        ? failingAfter(streamedText(['a']).slice(0, 3))
        : simulateReadableStream({ chunks: streamedText(['a', 'b']), chunkDelayInMs: 5 });
    const mock = mockModel({ stream: paced });
    const model = cachedModel(mock, { cache: ai, namespace: 'concurrent' });
    const [a, b] = await Promise.all([
      readAll(streamText({ model, prompt })),
      readAll(streamText({ model, prompt })),
    ]);
    expect(mock.doStreamCalls).toHaveLength(1);
    expect(b).toStrictEqual(a);
    fail = true;
    const other = cachedModel(mock, { cache: ai, namespace: 'failing' });
    await expect(readAll(streamText({ model: other, prompt }))).rejects.toThrow('connection reset');
    await expect(readAll(streamText({ model: other, prompt }))).rejects.toThrow('connection reset');
    expect(mock.doStreamCalls).toHaveLength(3);
  });

  it('passes through, unstored, a stream past maxStreamParts or with a part JSON cannot carry', async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    const raw: StreamPart = { type: 'raw', rawValue: { big: 1n } };
    const mock = mockModel({ stream: () => convertArrayToReadableStream([raw, ...streamedText(['a'])]) });
    const model = cachedModel(mock, { cache: ai });
    const long = cachedModel(mockModel(), { cache: ai, namespace: 'long', maxStreamParts: 3 });
    for (let i = 0; i < 2; i++) {
      expect((await readAll(streamText({ model, prompt, includeRawChunks: true }))).types).toContain('raw');
      expect((await readAll(streamText({ model: long, prompt }))).text).toBe('Hello!');
    }
    expect(mock.doStreamCalls).toHaveLength(2);
    expect(ai.getOperationPerformance().long).toMatchObject({ hits: 0, misses: 2 });
  });

  it("cancels the model's stream when the reader stops early, and stores nothing", async () => {
    const ai = new AIResponseCache({ cache: new InMemoryCache() });
    let cancelled = false;
    const parts = streamedText(['a', 'b', 'c']);
    const mock = mockModel({
      stream: () =>
        new ReadableStream<StreamPart>({
          pull: (controller) => controller.enqueue(parts.shift()!),
          cancel: () => void (cancelled = true),
        }),
    });
    const middleware = tiercacheMiddleware({ cache: ai });
    const result = await wrapStream(middleware, mock);
    const reader = result.stream.getReader();
    expect((await reader.read()).value).toMatchObject({ type: 'stream-start' });
    await reader.cancel();
    expect(cancelled).toBe(true);
    expect(await ai.cache.getStats()).toMatchObject({ hits: 0 });
    expect((ai.cache as InMemoryCache).keys()).toStrictEqual([]);
  });
});
