import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { AIRequest } from '../../src/ai/ai-request.js';
import { MAX_STREAM_BYTES } from '../../src/ai/stream-recording.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { collect, deferred } from '../helpers/streams.js';
import { NoContextCache } from '../helpers/no-context-cache.js';

/** An upstream whose answer is the source's version at the call (`v1:1`, `v1:2`); `hold` pauses it after one chunk. */
function versioned() {
  const source = { version: 1, calls: 0, hold: undefined as Promise<void> | undefined };
  const produce = () => {
    source.calls++;
    const { version, hold } = source;
    return (async function* () {
      yield `v${version}:1`;
      await hold;
      yield `v${version}:2`;
    })();
  };
  return { source, produce };
}

const request: AIRequest = { operation: 'chat', text: 'tell me a story' };
const memoryAI = () => new AIResponseCache({ cache: new InMemoryCache({ maxSize: 1000 }) });

describe('streams and invalidations (review of issue 22)', () => {
  const invalidations: [string, (cache: AIResponseCache, key: string) => Promise<unknown>][] = [
    ['delete', (cache, key) => cache.delete(key)],
    ['deleteMany', (cache, key) => cache.deleteMany([key])],
    ['set', (cache, key) => cache.set(key, ['set:1'])],
    ['clear', (cache) => cache.clear()],
    ['invalidatePattern', (cache) => cache.invalidatePattern('chat')],
    ['invalidateTags', (cache) => cache.invalidateTags(['any'])],
    ['invalidateByOperation', (cache) => cache.invalidateByOperation('chat')],
  ];

  it.each(invalidations)(
    'a request after %s does not join a recording that started before it, nor get its chunks',
    async (name, invalidate) => {
      const cache = memoryAI();
      const key = cache.keyFor(request, { stream: true });
      const { source, produce } = versioned();
      const gate = deferred();
      source.hold = gate.promise;
      const first = cache.getOrComputeStream(request, produce)[Symbol.asyncIterator]();
      expect((await first.next()).value).toBe('v1:1');
      source.version = 2;
      source.hold = undefined;
      await invalidate(cache, key);
      const reading = collect(cache.getOrComputeStream(request, produce));
      gate.open();
      const second = await reading;
      expect(second).toStrictEqual(name === 'set' ? ['set:1'] : ['v2:1', 'v2:2']);
      expect(source.calls).toBe(name === 'set' ? 1 : 2);
      expect((await first.next()).value).toBe('v1:2'); // the dropped recording serves its reader to the end
      expect((await first.next()).done).toBe(true);
      expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(second);
    },
  );

  it('a request right after an invalidation does not replay a recording that just finished', async () => {
    const cache = memoryAI();
    const { source, produce } = versioned();
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(['v1:1', 'v1:2']);
    source.version = 2;
    await cache.delete(cache.keyFor(request, { stream: true }));
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(['v2:1', 'v2:2']);
    expect(source.calls).toBe(2);
  });

  it('a request after every reader left starts anew instead of throwing undefined', async () => {
    const cache = memoryAI();
    const { source, produce } = versioned();
    source.hold = new Promise(() => undefined); // the first upstream never ends
    const first = cache.getOrComputeStream(request, produce)[Symbol.asyncIterator]();
    expect((await first.next()).value).toBe('v1:1');
    await first.return?.();
    source.version = 2;
    source.hold = undefined;
    expect(await collect(cache.getOrComputeStream(request, produce))).toStrictEqual(['v2:1', 'v2:2']);
    expect(cache.getOperationPerformance().chat).toMatchObject({ hits: 0, misses: 2 });
  });

  it('a request after a stream became unstorable gets its own stream without waiting for the old one', async () => {
    const cache = memoryAI();
    const gate = deferred();
    let calls = 0;
    const produce = async function* () {
      calls++;
      yield 'x'.repeat(MAX_STREAM_BYTES + 1);
      if (calls === 1) await gate.promise;
      yield 'end';
    };
    const first = cache.getOrComputeStream(request, produce)[Symbol.asyncIterator]();
    expect((await first.next()).value).toHaveLength(MAX_STREAM_BYTES + 1);
    const second = await collect(cache.getOrComputeStream(request, produce));
    expect(second.at(-1)).toBe('end');
    expect(calls).toBe(2);
    gate.open();
    expect((await first.next()).value).toBe('end');
    expect(await cache.exists(cache.keyFor(request, { stream: true }))).toBe(false);
  });

  it("return() lets a reader leave at once while the upstream hangs, and closes the upstream's iterator", async () => {
    const cache = memoryAI();
    let returned = 0;
    let pulls = 0;
    const hung: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          pulls++ === 0
            ? Promise.resolve({ done: false, value: 'a' })
            : new Promise<IteratorResult<string>>(() => undefined),
        return: () => {
          returned++;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
    const reader = cache.getOrComputeStream(request, () => hung)[Symbol.asyncIterator]();
    expect((await reader.next()).value).toBe('a');
    const pending = reader.next();
    expect(await reader.return?.()).toStrictEqual({ done: true, value: undefined });
    expect(await pending).toStrictEqual({ done: true, value: undefined });
    expect(returned).toBe(1);
    expect(await cache.exists(cache.keyFor(request, { stream: true }))).toBe(false);
  });

  it('a vetoed stream is not stored by a composed cache that passes no factory context', async () => {
    const inner = new NoContextCache({ maxSize: 100 });
    const cache = new AIResponseCache({ cache: inner });
    const chunks = await collect(
      cache.getOrComputeStream(request, versioned().produce, { shouldStore: () => false }),
    );
    expect(chunks).toStrictEqual(['v1:1', 'v1:2']);
    expect(await inner.exists(cache.keyFor(request, { stream: true }))).toBe(false);
  });
});
