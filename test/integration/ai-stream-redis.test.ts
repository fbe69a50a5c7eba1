import { describe, expect, it, vi } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { AIRequest } from '../../src/ai/ai-request.js';
import { silentLogger } from '../../src/core/logger.js';
import { eventually } from '../helpers/fleet.js';
import { hasRedis, uniquePrefix, useRedis } from '../helpers/redis.js';

async function collect<C>(stream: AsyncIterable<C>): Promise<C[]> {
  const out: C[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

/** An upstream held by `gate` after its first chunk, failing there instead when `fail` is set. */
function heldUpstream(chunks: string[], gate: Promise<void>, fail = false) {
  const stats = { calls: 0 };
  const produce = async function* () {
    stats.calls++;
    yield chunks[0] as string;
    await gate;
    if (fail) throw new Error('upstream broke');
    for (const chunk of chunks.slice(1)) yield chunk;
  };
  return { produce, stats };
}

const story = ['Once', ' upon', ' a', ' time'];
const request: AIRequest = { operation: 'chat', text: 'a story', tenant: 'acme' };

describe.runIf(hasRedis)('issue 22: streams across instances on a real redis-server', () => {
  const redis = useRedis();
  const pair = async () => {
    const prefix = uniquePrefix('ai-stream');
    const make = async (options = {}) => {
      const cache = new AIResponseCache({
        redisUrl: redis.url,
        keyPrefix: prefix,
        logger: silentLogger,
        commandTimeout: '5s',
        ...options,
      });
      await cache.connect();
      return cache;
    };
    return { a: await make(), b: await make({ enableMemoryCache: false }), prefix };
  };

  it('lets a second instance wait for the recording instead of calling the upstream, then replay it', async () => {
    const { a, b, prefix } = await pair();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { produce, stats } = heldUpstream(story, gate);
    const first = a.getOrComputeStream(request, produce, { tokensSaved: 40 })[Symbol.asyncIterator]();
    expect((await first.next()).value).toBe('Once'); // A holds the lock now
    let misses = 0;
    b.on('operation', (e) => (misses += e.outcome === 'miss' ? 1 : 0));
    let second: string[] | undefined;
    const reading = collect(b.getOrComputeStream(request, produce)).then((chunks) => (second = chunks));
    // B missed in Redis: it goes for the lock A holds (a Redis round trip: more than waitFor's default 1 s
    // may pass on a loaded machine).
    await vi.waitFor(() => expect(misses).toBe(1), { timeout: 10_000 });
    expect(second).toBeUndefined();
    open();
    const rest: string[] = [];
    for (let r = await first.next(); !r.done; r = await first.next()) rest.push(r.value);
    expect(['Once', ...rest]).toStrictEqual(story);
    await reading;
    expect(second).toStrictEqual(story);
    expect(stats.calls).toBe(1);
    expect(b.getOperationPerformance().chat).toMatchObject({
      hits: 1,
      streamReplays: 1,
      tokensSaved: { outputTokens: 40 },
    });
    const ttl = await redis.raw.ttl(`${prefix}${a.keyFor(request, { stream: true })}`);
    expect(ttl).toBeGreaterThan(0);
    await a.clear();
    await Promise.all([a.close(), b.close()]);
  });

  it('lets the waiting instance run its own upstream when the recording fails, and stores only that one', async () => {
    const { a, b } = await pair();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const failing = heldUpstream(story, gate, true);
    const first = a.getOrComputeStream(request, failing.produce)[Symbol.asyncIterator]();
    expect((await first.next()).value).toBe('Once');
    const working = heldUpstream(story, Promise.resolve());
    const second = collect(b.getOrComputeStream(request, working.produce));
    open();
    await expect(first.next()).rejects.toThrow('upstream broke');
    expect(await second).toStrictEqual(story);
    expect([failing.stats.calls, working.stats.calls]).toStrictEqual([1, 1]);
    expect(await collect(a.getOrComputeStream(request, failing.produce))).toStrictEqual(story);
    expect(failing.stats.calls).toBe(1);
    await a.clear();
    await Promise.all([a.close(), b.close()]);
  });

  it("does not let a request after a peer's invalidation join a recording that started before it", async () => {
    const { a, b, prefix } = await pair();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const old = heldUpstream(['v1:1', 'v1:2'], gate);
    const first = a.getOrComputeStream(request, old.produce)[Symbol.asyncIterator]();
    expect((await first.next()).value).toBe('v1:1');
    const received = new Promise<void>((resolve) => a.on('bus', (e) => e.type === 'received' && resolve()));
    const peer = new AIResponseCache({
      redisUrl: redis.url,
      keyPrefix: prefix,
      logger: silentLogger,
      commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
    });
    await peer.connect();
    await peer.delete(a.keyFor(request, { stream: true }));
    await received;
    const fresh = heldUpstream(['v2:1', 'v2:2'], Promise.resolve());
    const second = collect(a.getOrComputeStream(request, fresh.produce));
    open();
    expect((await first.next()).value).toBe('v1:2');
    expect(await second).toStrictEqual(['v2:1', 'v2:2']);
    expect(fresh.stats.calls).toBe(1);
    await a.clear();
    await Promise.all([a.close(), b.close(), peer.close()]);
  });

  it("stores every recording of a burst: the echo of one store drops no other key's recording", async () => {
    const { a: writer, b: reader } = await pair();
    const requests = Array.from({ length: 6 }, (_, i) => ({ operation: 'chat', text: `question ${i}` }));
    for (const [i, asked] of requests.entries())
      await collect(
        writer.getOrComputeStream(asked, async () =>
          (async function* () {
            yield `answer ${i}`;
          })(),
        ),
      );
    await eventually(async () => {
      const stored = await Promise.all(
        requests.map((asked) => writer.exists(writer.keyFor(asked, { stream: true }))),
      );
      return stored.every(Boolean);
    });
    const upstream = vi.fn(async () =>
      (async function* () {
        yield 'called';
      })(),
    );
    for (const [i, asked] of requests.entries())
      expect(await collect(reader.getOrComputeStream(asked, upstream))).toStrictEqual([`answer ${i}`]);
    expect(upstream).not.toHaveBeenCalled();
  });
});
