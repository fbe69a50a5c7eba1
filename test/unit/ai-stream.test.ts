import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { AIRequest } from '../../src/ai/ai-request.js';
import { MAX_STREAM_RECORDINGS, type AIStreamOptions } from '../../src/ai/ai-stream.js';
import { MAX_STREAM_CHUNKS } from '../../src/ai/stream-recording.js';
import { ValidationError } from '../../src/core/errors.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { collect, deferred } from '../helpers/streams.js';

const memoryAI = (options: ConstructorParameters<typeof AIResponseCache>[0] = {}) => {
  const inner = new InMemoryCache({ maxSize: 1000 });
  return { inner, cache: new AIResponseCache({ cache: inner, ...options }) };
};

/** An upstream that counts its calls and closings; `gate` holds it after `holdAfter` chunks. */
function upstream<C>(
  chunks: C[],
  options: { gate?: Promise<void>; holdAfter?: number; failAfter?: number } = {},
) {
  const stats = { calls: 0, closed: 0, produced: 0 };
  const produce = () => {
    stats.calls++;
    return (async function* () {
      try {
        for (const [i, chunk] of chunks.entries()) {
          if (i === options.failAfter) throw new Error('upstream broke');
          if (i === options.holdAfter) await options.gate;
          await new Promise(setImmediate);
          stats.produced++;
          yield chunk;
        }
      } finally {
        stats.closed++;
      }
    })();
  };
  return { produce, stats };
}

const request: AIRequest = { operation: 'chat', text: 'tell me a story', model: 'gpt-x' };
const story = ['Once', ' upon', ' a', ' time', ' — ', '日本', ' 🚀', '.'];

describe('issue 22: getOrComputeStream', () => {
  it('tees a miss to the caller, stores it, and replays it byte-identical on a hit', async () => {
    const { cache } = memoryAI();
    const { produce, stats } = upstream(story);
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(story);
    const replayed = await collect(cache.getOrComputeStream(request, produce));
    expect(Buffer.from(replayed.join(''))).toStrictEqual(Buffer.from(story.join('')));
    expect(stats.calls).toBe(1);
    expect(cache.getOperationPerformance().chat).toMatchObject({
      misses: 1,
      hits: 1,
      streamReplays: 1,
      computes: 1,
    });
    // A value and a stream of one request are kept apart.
    expect(await cache.getOrCompute(request, () => 'a value')).toBe('a value');
    expect(await cache.get(cache.keyFor(request, { stream: true }))).toStrictEqual(story);
  });

  it('gives concurrent identical requests one upstream call, a late one included', async () => {
    const { cache } = memoryAI();
    const gate = deferred();
    const { produce, stats } = upstream(story, { gate: gate.promise, holdAfter: 4 });
    const first = cache.getOrComputeStream(request, produce)[Symbol.asyncIterator]();
    const early = collect(cache.getOrComputeStream(request, produce));
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push((await first.next()).value as string);
    const late = collect(cache.getOrComputeStream(request, produce)); // joins mid-stream
    gate.open();
    for (let r = await first.next(); !r.done; r = await first.next()) seen.push(r.value);
    expect(seen).toStrictEqual(story);
    expect(await early).toStrictEqual(story);
    expect(await late).toStrictEqual(story);
    expect(stats.calls).toBe(1);
    expect(cache.getOperationPerformance().chat).toMatchObject({
      requests: 3,
      misses: 1,
      hits: 2,
      streamReplays: 2,
    });
  });

  it('passes an upstream error mid-way to every reader after the chunks before it, and stores nothing', async () => {
    const { cache } = memoryAI();
    const failing = upstream(story, { failAfter: 3 });
    const read = async () => {
      const got: string[] = [];
      try {
        for await (const chunk of cache.getOrComputeStream(request, failing.produce)) got.push(chunk);
      } catch (error) {
        return { got, error: (error as Error).message };
      }
      return { got, error: undefined };
    };
    const both = await Promise.all([read(), read()]);
    expect(both).toStrictEqual([
      { got: story.slice(0, 3), error: 'upstream broke' },
      { got: story.slice(0, 3), error: 'upstream broke' },
    ]);
    expect(failing.stats.calls).toBe(1);
    expect(await cache.exists(cache.keyFor(request, { stream: true }))).toBe(false);
    const { produce, stats } = upstream(story);
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(story);
    expect(stats.calls).toBe(1);
    expect(cache.getOperationPerformance().chat).toMatchObject({ computeErrors: 1, misses: 2, hits: 0 });
  });

  it('closes the upstream and stores nothing when its only reader breaks out', async () => {
    const { cache } = memoryAI();
    const { produce, stats } = upstream(story);
    for await (const chunk of cache.getOrComputeStream(request, produce)) if (chunk === ' upon') break;
    await vi.waitFor(() => expect(stats.closed).toBe(1));
    expect(stats.produced).toBeLessThan(story.length);
    expect(await cache.exists(cache.keyFor(request, { stream: true }))).toBe(false);
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(story);
    expect(stats.calls).toBe(2);
  });

  it('keeps recording for the other readers when one breaks out, and stores the whole stream', async () => {
    const { cache } = memoryAI();
    const { produce, stats } = upstream(story);
    const quitter = (async () => {
      for await (const chunk of cache.getOrComputeStream(request, produce)) if (chunk === ' upon') break;
    })();
    const stayer = collect(cache.getOrComputeStream(request, produce));
    await quitter;
    expect(await stayer).toStrictEqual(story);
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(story);
    expect(stats.calls).toBe(1);
  });

  it('stores nothing the caller vetoes, or a chunk JSON cannot encode, but streams it whole', async () => {
    const { cache } = memoryAI();
    const cut = upstream(['a', 'b', '[length]']);
    const shouldStore = (chunks: readonly string[]) => chunks.at(-1) !== '[length]';
    expect(await collect(cache.getOrComputeStream(request, cut.produce, { shouldStore }))).toHaveLength(3);
    expect(await collect(cache.getOrComputeStream(request, cut.produce, { shouldStore }))).toHaveLength(3);
    expect(cut.stats.calls).toBe(2);
    const odd = upstream<unknown>(['a', 1n, 'c']);
    const other = { ...request, text: 'bigint' };
    expect(await collect(cache.getOrComputeStream(other, odd.produce))).toStrictEqual(['a', 1n, 'c']);
    expect(await cache.exists(cache.keyFor(other, { stream: true }))).toBe(false);
  });

  it(`passes a stream over ${MAX_STREAM_CHUNKS} chunks through without storing it, reading the upstream only as fast as its reader`, async () => {
    const { cache } = memoryAI();
    let produced = 0;
    const endless = async function* () {
      for (;;) {
        produced++;
        yield 'x';
      }
    };
    let read = 0;
    const iterator = cache.getOrComputeStream(request, endless)[Symbol.asyncIterator]();
    while (read < MAX_STREAM_CHUNKS + 100) if (!(await iterator.next()).done) read++;
    for (let i = 0; i < 20; i++) await new Promise(setImmediate);
    expect(produced).toBeLessThanOrEqual(read + 1);
    await iterator.return?.();
    expect(await cache.exists(cache.keyFor(request, { stream: true }))).toBe(false);
  });

  it(`passes streams through unrecorded past ${MAX_STREAM_RECORDINGS} recordings in flight`, async () => {
    const { cache } = memoryAI();
    const gate = deferred();
    const streams = Array.from({ length: MAX_STREAM_RECORDINGS + 1 }, (_, i) =>
      collect(
        cache.getOrComputeStream(
          { operation: 'chat', text: `t${i}` },
          upstream(['a'], { gate: gate.promise, holdAfter: 0 }).produce,
        ),
      ),
    );
    gate.open();
    await Promise.all(streams);
    const stored = await Promise.all(
      [0, MAX_STREAM_RECORDINGS].map((i) =>
        cache.exists(cache.keyFor({ operation: 'chat', text: `t${i}` }, { stream: true })),
      ),
    );
    expect(stored).toStrictEqual([true, false]);
  });

  it('replays at the recorded pace on request, and counts the time, tokens and money a hit saved', async () => {
    const { cache, inner } = memoryAI({ prices: { 'gpt-x': { inputPerMillion: 2, outputPerMillion: 8 } } });
    const paced = async function* () {
      yield 'a';
      await sleep(40);
      yield 'b';
      await sleep(40);
      yield 'c';
    };
    const tokensSaved = (chunks: readonly string[]) => ({
      inputTokens: 1000,
      outputTokens: chunks.length * 1000,
    });
    await collect(cache.getOrComputeStream(request, paced, { tokensSaved, ttl: '90s' }));
    const key = cache.keyFor(request, { stream: true });
    const stored = (await inner.get(key)) as { d: number[]; ms: number };
    expect(stored.d[0]).toBe(0);
    expect(stored.d[1]! + stored.d[2]!).toBeGreaterThanOrEqual(78);
    expect(inner.getTtl(key)).toBe(90);
    const arrivals: [string, number][] = [];
    for await (const chunk of cache.getOrComputeStream(request, paced, { replay: 'recorded' }))
      arrivals.push([chunk, performance.now()]);
    expect(arrivals.map(([chunk]) => chunk)).toStrictEqual(['a', 'b', 'c']);
    expect(arrivals[2]![1] - arrivals[0]![1]).toBeGreaterThanOrEqual(stored.d[1]! + stored.d[2]! - 2);
    expect(await collect(cache.getOrComputeStream(request, paced))).toStrictEqual(['a', 'b', 'c']);
    const summary = await cache.getAIPerformanceSummary();
    expect(summary).toMatchObject({
      hits: 2,
      streamReplays: 2,
      tokensSaved: { inputTokens: 2000, outputTokens: 6000 },
    });
    expect(summary.costSaved).toBeCloseTo((2 * (1000 * 2 + 3000 * 8)) / 1e6, 10);
    expect(summary.timeSavedMs).toBeGreaterThanOrEqual(2 * 78);
  });

  it('gives each reader its own object chunks, so changing one changes neither the others nor what is stored', async () => {
    const { cache } = memoryAI();
    const { produce } = upstream([{ type: 'text', delta: 'hi' }]);
    const first = (async () => {
      for await (const part of cache.getOrComputeStream(request, produce))
        part.delta = 'changed by its reader';
    })();
    const joined = collect(cache.getOrComputeStream(request, produce));
    await first;
    expect(await joined).toStrictEqual([{ type: 'text', delta: 'hi' }]);
    const [hit] = await collect(cache.getOrComputeStream(request, produce));
    expect(hit).toStrictEqual({ type: 'text', delta: 'hi' });
    expect(Object.isFrozen(hit)).toBe(true);
  });

  it('is typed by its chunks, with no any in its options', () => {
    const { cache } = memoryAI();
    const stream = cache.getOrComputeStream(request, async function* () {
      yield { n: 1 };
    });
    expectTypeOf(stream).toEqualTypeOf<AsyncIterable<{ n: number }>>();
    expectTypeOf<AIStreamOptions<string>['shouldStore']>().toEqualTypeOf<
      ((chunks: readonly string[]) => boolean) | undefined
    >();
    expectTypeOf<Parameters<typeof cache.getOrComputeStream<string>>[2]>().not.toBeAny();
  });

  it('refuses bad input at the call, naming the field', () => {
    const { cache } = memoryAI();
    const produce = upstream(['a']).produce;
    const refused = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return [(error as ValidationError).option, (error as Error).message];
      }
      return 'accepted';
    };
    expect(refused(() => cache.getOrComputeStream({ text: 't' } as never, produce))).toStrictEqual([
      'operation',
      "operation must be 1-64 characters of letters, digits, '_', '-' or '.'",
    ]);
    expect(
      refused(() => cache.getOrComputeStream({ operation: 'op', text: 4 } as never, produce)),
    ).toStrictEqual(['text', 'text must be a string']);
    expect(refused(() => cache.getOrComputeStream({ operation: 'op' } as never, produce))).toStrictEqual([
      'text',
      'text must be a string',
    ]);
    expect(refused(() => cache.getOrComputeStream(request, 'x' as never))[0]).toBe('produce');
    expect(refused(() => cache.getOrComputeStream(request, produce, { replay: 'slow' as never }))[0]).toBe(
      'replay',
    );
    expect(refused(() => cache.getOrComputeStream(request, produce, { ttl: -1 }))[0]).toBe('ttl');
    expect(refused(() => cache.getOrComputeStream(request, produce, { tokensSaved: -1 }))[0]).toBe(
      'tokensSaved',
    );
    expect(refused(() => cache.getOrComputeStream(request, produce, { shouldStore: true as never }))[0]).toBe(
      'shouldStore',
    );
    expect(refused(() => cache.getOrComputeStream(request, produce, { speed: 2 } as never))[0]).toBe('speed');
  });

  it('fails the stream with the error of a produce that throws at once, or of a shouldStore that throws', async () => {
    const { cache } = memoryAI();
    const broken = () => {
      throw new Error('no connection');
    };
    await expect(collect(cache.getOrComputeStream(request, broken))).rejects.toThrow('no connection');
    const veto = () => {
      throw new Error('veto broke');
    };
    await expect(
      collect(cache.getOrComputeStream(request, upstream(story).produce, { shouldStore: veto })),
    ).rejects.toThrow('veto broke');
    expect(await cache.exists(cache.keyFor(request, { stream: true }))).toBe(false);
    expect(cache.getOperationPerformance().chat).toMatchObject({ computeErrors: 2, misses: 2 });
  });

  it('passes a produce that returns no AsyncIterable to the reader as a ValidationError', async () => {
    const { cache } = memoryAI();
    await expect(collect(cache.getOrComputeStream(request, () => ['a'] as never))).rejects.toThrow(
      'produce must return an AsyncIterable',
    );
  });
});
