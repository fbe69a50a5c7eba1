import { describe, expect, it, vi } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { AIRequest } from '../../src/ai/ai-request.js';
import { hashingEmbedder } from '../../src/ai/semantic/hashing-embedder.js';
import type { SemanticOptions } from '../../src/ai/semantic/semantic-options.js';
import type { SemanticEvent } from '../../src/core/events.js';
import { ValidationError } from '../../src/core/errors.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { ManualClock } from '../../src/testing/manual-clock.js';
import { eventually } from '../helpers/fleet.js';
import { NoContextCache } from '../helpers/no-context-cache.js';
import { collect } from '../helpers/streams.js';

/** A test embedder with the id every embedder needs. */
const named = <F extends (texts: string[]) => Promise<ArrayLike<number>[]>>(embed: F) =>
  Object.assign(embed, { id: 'test-embedder' });

const STORED: AIRequest = {
  operation: 'qa',
  text: 'How do I enable two-factor authentication on my account?',
};
const NEAR: AIRequest = { operation: 'qa', text: 'how do i enable two factor authentication on my acount' };

function semanticCache(semantic: Partial<SemanticOptions> = {}, clock?: ManualClock) {
  const cache = new AIResponseCache({
    cache: new InMemoryCache(clock ? { clock } : {}),
    semantic: { embed: hashingEmbedder(), ...semantic },
  });
  const events: SemanticEvent[] = [];
  cache.on('semantic', (e) => events.push(e));
  let computes = 0;
  const compute =
    (answer = 'computed') =>
    () => {
      computes++;
      return answer;
    };
  return { cache, events, compute, computes: () => computes };
}

describe('AIResponseCache semantic matching (issue 25)', () => {
  it('answers a near-identical request with the stored answer, reported as a semantic hit', async () => {
    const { cache, events, compute, computes } = semanticCache();
    await cache.getOrCompute(STORED, compute('stored answer'));
    const result = await cache.getOrComputeResult(NEAR, compute('fresh answer'));
    expect(result).toMatchObject({
      value: 'stored answer',
      source: 'semantic',
      key: cache.keyFor(NEAR),
      matchedKey: cache.keyFor(STORED),
    });
    expect(result.similarity).toBeGreaterThanOrEqual(0.75);
    expect(computes()).toBe(1);
    expect(events.map((e) => e.outcome)).toStrictEqual(['miss', 'hit']);
    expect(events[1]).toMatchObject({
      operation: 'qa',
      key: cache.keyFor(NEAR),
      matchedKey: cache.keyFor(STORED),
    });
    const summary = await cache.getAIPerformanceSummary();
    expect(summary).toMatchObject({ hits: 1, misses: 1, semanticHits: 1, semanticRejectedByGuard: 0 });
    expect(cache.getOperationPerformance().qa).toMatchObject({ semanticHits: 1 });
  });

  it('reports the matched request itself, asked again, as a plain hit', async () => {
    const { cache, compute } = semanticCache();
    await cache.getOrCompute(STORED, compute('stored'));
    expect((await cache.getOrComputeResult(NEAR, compute('x'))).source).toBe('semantic');
    expect(await cache.getOrComputeResult(STORED, compute('x'))).toStrictEqual({
      value: 'stored',
      source: 'cache',
      key: cache.keyFor(STORED),
    });
  });

  it('lets the exact key win over a semantic match', async () => {
    const { cache, compute } = semanticCache();
    await cache.getOrCompute(STORED, compute('stored'));
    await cache.set(cache.keyFor(NEAR), 'exact');
    expect(await cache.getOrComputeResult(NEAR, compute('x'))).toStrictEqual({
      value: 'exact',
      source: 'cache',
      key: cache.keyFor(NEAR),
    });
  });

  it('vetoes the opposite request by the guard, counts and announces the veto, and computes', async () => {
    const { cache, events, compute, computes } = semanticCache({ threshold: 0.5 });
    await cache.getOrCompute({ operation: 'qa', text: 'How do I enable 2FA on my account?' }, compute('on'));
    const value = await cache.getOrCompute(
      { operation: 'qa', text: 'How do I disable 2FA on my account?' },
      compute('off'),
    );
    expect(value).toBe('off');
    expect(computes()).toBe(2);
    expect(events.at(-2)).toMatchObject({
      outcome: 'rejected',
      reason: 'opposite wording (e.g. enable/disable)',
    });
    expect((await cache.getAIPerformanceSummary()).semanticRejectedByGuard).toBe(1);
  });

  it('serves the opposite request without the guard: what the guard is for', async () => {
    const { cache, compute } = semanticCache({ threshold: 0.5, guard: false });
    await cache.getOrCompute({ operation: 'qa', text: 'How do I enable 2FA on my account?' }, compute('on'));
    expect(
      await cache.getOrCompute(
        { operation: 'qa', text: 'How do I disable 2FA on my account?' },
        compute('off'),
      ),
    ).toBe('on');
  });

  it.each<[string, Partial<AIRequest>]>([
    ['operation', { operation: 'summarize' }],
    ['tenant', { tenant: 'acme' }],
    ['model', { model: 'gpt-4o' }],
    ['options', { options: { temperature: 0 } }],
  ])('never matches across partitions: another %s', async (_, change) => {
    const { cache, compute } = semanticCache();
    await cache.getOrCompute(STORED, compute('stored'));
    expect(await cache.getOrCompute({ ...NEAR, ...change }, compute('own'))).toBe('own');
  });

  it('matches questions about the same document only', async () => {
    const { cache, compute } = semanticCache();
    const asked = {
      operation: 'qa',
      text: 'The refund policy: 30 days.',
      question: 'How long do I have to get a refund?',
    };
    await cache.getOrCompute(asked, compute('30 days'));
    expect(
      await cache.getOrCompute({ ...asked, question: 'how long do i have to get a refund' }, compute('x')),
    ).toBe('30 days');
    expect(
      await cache.getOrCompute(
        { ...asked, text: 'The refund policy: 14 days.', question: 'how long do i have to get a refund' },
        compute('14 days'),
      ),
    ).toBe('14 days');
  });

  it.each<[string, (cache: AIResponseCache) => Promise<unknown>]>([
    ['deleted', (c) => c.delete(c.keyFor(STORED))],
    ['invalidated by operation', (c) => c.invalidateByOperation('qa')],
    ['invalidated by pattern', (c) => c.invalidatePattern('ai_cache:*')],
    ['cleared', (c) => c.clear()],
    ['overwritten by set', (c) => c.set(c.keyFor(STORED), 'replaced')],
    ['removed from the composed cache directly', (c) => c.cache.delete(c.keyFor(STORED))],
    ['invalidated by pattern in the composed cache', (c) => c.cache.invalidatePattern('ai_cache:*')],
    ['cleared in the composed cache', (c) => c.cache.clear()],
  ])('never serves an entry that was %s', async (_, change) => {
    const { cache, compute } = semanticCache();
    await cache.getOrCompute(STORED, compute('stored'));
    await change(cache);
    expect(await cache.getOrCompute(NEAR, compute('fresh'))).toBe('fresh');
  });

  it('never serves an expired entry', async () => {
    const clock = new ManualClock();
    const { cache, compute } = semanticCache({}, clock);
    await cache.getOrCompute(STORED, compute('stored'), { ttl: 60 });
    clock.advance(61_000);
    expect(await cache.getOrCompute(NEAR, compute('fresh'))).toBe('fresh');
  });

  it('runs the verifier after the checks: false or a throw vetoes with a reason', async () => {
    const verify = vi.fn<(a: string, b: string) => boolean>().mockReturnValueOnce(false);
    const { cache, events, compute } = semanticCache({ guard: { verify } });
    await cache.getOrCompute(STORED, compute('stored'));
    expect(await cache.getOrCompute(NEAR, compute('first'))).toBe('first');
    expect(verify).toHaveBeenCalledWith(NEAR.text, STORED.text);
    expect(events.at(-2)).toMatchObject({ outcome: 'rejected', reason: 'refused by semantic.guard.verify' });
    verify.mockImplementation(() => {
      throw new Error('judge down');
    });
    const other = { ...NEAR, text: `${NEAR.text}?` };
    expect(await cache.getOrCompute(other, compute('second'))).toBe('second');
    expect(events.find((e) => e.reason?.includes('judge down'))).toBeDefined();
    verify.mockReturnValue(true);
    const accepted = await cache.getOrComputeResult({ ...NEAR, text: `${NEAR.text}!` }, compute('third'));
    expect(accepted.source).toBe('semantic');
  });

  it('uses only the checks given', async () => {
    const { cache, compute } = semanticCache({ threshold: 0.5, guard: { checks: ['negation'] } });
    await cache.getOrCompute({ operation: 'qa', text: 'How do I enable 2FA on my account?' }, compute('on'));
    expect(
      await cache.getOrCompute(
        { operation: 'qa', text: 'How do I disable 2FA on my account?' },
        compute('off'),
      ),
    ).toBe('on');
  });

  it('runs one compute and one lookup for concurrent near-identical requests of one key', async () => {
    const { cache, events, compute, computes } = semanticCache();
    await cache.getOrCompute(STORED, compute('stored'));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => cache.getOrComputeResult(NEAR, compute('x'))),
    );
    expect(results.map((r) => [r.value, r.source])).toStrictEqual(Array(5).fill(['stored', 'semantic']));
    expect(computes()).toBe(1);
    expect(events.filter((e) => e.outcome === 'hit')).toHaveLength(1);
    // Counted per caller, as hits are.
    expect(await cache.getAIPerformanceSummary()).toMatchObject({ hits: 5, semanticHits: 5 });
  });

  it.each<[string, SemanticOptions['embed']]>([
    ['throws', named(async () => Promise.reject(new Error('quota exceeded')))],
    ['returns NaN', named(async () => [new Float32Array([Number.NaN, 1])])],
    ['returns a zero vector', named(async () => [new Float32Array(4)])],
    ['returns no vector', named(async () => [])],
    ['returns a string', named(async () => ['vector'] as never)],
    ['never answers (past semantic.timeout)', named(() => new Promise<never>(() => undefined))],
  ])(
    'treats a lookup whose embed %s as an exact-key miss: computes, announces why, indexes nothing',
    async (_, embed) => {
      const { cache, events, compute, computes } = semanticCache({ embed, timeout: '20ms' });
      expect(await cache.getOrCompute(STORED, compute('a'))).toBe('a');
      expect(await cache.getOrCompute(NEAR, compute('b'))).toBe('b');
      expect(computes()).toBe(2);
      expect(events.map((e) => e.outcome)).toStrictEqual(['error', 'error']);
      expect(events[0]?.error).toBeInstanceOf(Error);
      expect(events[0]?.reason).toMatch(/semantic\.embed/);
      expect((await cache.getAIPerformanceSummary()).semanticIndexed).toBe(0);
    },
  );

  it('refuses a vector of another dimension than the partition holds', async () => {
    let dimensions = 8;
    const embed = named(async (texts: string[]) => texts.map(() => new Float32Array(dimensions).fill(1)));
    const { cache, events, compute } = semanticCache({ embed });
    await cache.getOrCompute(STORED, compute('a'));
    dimensions = 6;
    expect(await cache.getOrCompute(NEAR, compute('b'))).toBe('b');
    expect(events.at(-1)).toMatchObject({ outcome: 'error' });
    expect(events.at(-1)?.reason).toMatch(/6 dimensions where this index holds 8/);
  });

  it('keeps at most maxEntries requests per partition: the oldest leaves first', async () => {
    const { cache, compute } = semanticCache({ maxEntries: 2 });
    const texts = [
      'How do I rotate my API key?',
      'How do I export my invoices?',
      'How do I invite a teammate?',
    ];
    for (const text of texts) await cache.getOrCompute({ operation: 'qa', text }, compute(text));
    const near = (text: string) => ({ operation: 'qa', text: text.toLowerCase().replace('?', '') });
    expect(await cache.getOrCompute(near(texts[0]!), compute('fresh'))).toBe('fresh');
    expect(await cache.getOrCompute(near(texts[2]!), compute('fresh'))).toBe(texts[2]);
  });

  it('keeps at most maxPartitions partitions in process: the least recently used leaves first', async () => {
    const { cache, compute } = semanticCache({ maxPartitions: 1 });
    await cache.getOrCompute(STORED, compute('qa'));
    await cache.getOrCompute({ ...STORED, operation: 'other' }, compute('other'));
    expect(await cache.getOrCompute({ ...NEAR, operation: 'other' }, compute('x'))).toBe('other');
    expect(await cache.getOrCompute(NEAR, compute('fresh'))).toBe('fresh');
  });

  it("replays a near-identical request's recorded stream, never a value's, and never after an invalidation", async () => {
    const { cache } = semanticCache();
    let produced = 0;
    const produce = (chunks: string[]) => () =>
      (async function* () {
        produced++;
        yield* chunks;
      })();
    expect(await collect(cache.getOrComputeStream(STORED, produce(['a', 'b'])))).toStrictEqual(['a', 'b']);
    // The reader has every chunk before the recording is stored and indexed.
    await eventually(async () => (await cache.getAIPerformanceSummary()).semanticIndexed === 1);
    expect(await collect(cache.getOrComputeStream(NEAR, produce(['x'])))).toStrictEqual(['a', 'b']);
    expect(produced).toBe(1);
    expect((await cache.getAIPerformanceSummary()).semanticHits).toBe(1);
    expect(await cache.getOrCompute(NEAR, () => 'a value')).toBe('a value');
    await cache.invalidateByOperation('qa');
    expect(
      await collect(cache.getOrComputeStream({ ...NEAR, text: `${NEAR.text}?` }, produce(['y']))),
    ).toStrictEqual(['y']);
    expect(produced).toBe(2);
  });

  it('does not index a stream that is not stored', async () => {
    const { cache } = semanticCache();
    const produce = () =>
      (async function* () {
        yield 'partial';
      })();
    await collect(cache.getOrComputeStream(STORED, produce, { shouldStore: () => false }));
    expect((await cache.getAIPerformanceSummary()).semanticIndexed).toBe(0);
    expect(
      await collect(
        cache.getOrComputeStream(NEAR, () =>
          (async function* () {
            yield 'own';
          })(),
        ),
      ),
    ).toStrictEqual(['own']);
  });

  it('does not index a response that is not cached', async () => {
    const { cache, compute } = semanticCache();
    await cache.getOrCompute(STORED, compute(''));
    expect((await cache.getAIPerformanceSummary()).semanticIndexed).toBe(0);
    expect(await cache.getOrCompute(NEAR, compute('fresh'))).toBe('fresh');
  });

  it.each<[unknown, RegExp]>([
    [{}, /semantic\.embed must be a function/],
    [{ embed: async () => [] }, /semantic\.embed needs an id naming its model/],
    [{ embed: hashingEmbedder(), timeout: 5 }, /semantic\.timeout/],
    [{ embed: hashingEmbedder(), maxTextLength: 0 }, /maxTextLength must be an integer from 1/],
    [{ embed: hashingEmbedder(), treshold: 0.9 }, /unknown semantic option: treshold/],
    [{ embed: hashingEmbedder(), threshold: 1.5 }, /threshold must be a cosine similarity/],
    [{ embed: hashingEmbedder(), threshold: 0 }, /threshold must be a cosine similarity/],
    [{ embed: hashingEmbedder(), maxCandidates: 0 }, /maxCandidates must be an integer from 1/],
    [{ embed: hashingEmbedder(), maxEntries: 1.5 }, /maxEntries must be an integer/],
    [{ embed: hashingEmbedder(), guard: true }, /guard must be false or/],
    [{ embed: hashingEmbedder(), guard: { check: [] } }, /unknown semantic.guard option: check/],
    [{ embed: hashingEmbedder(), guard: { checks: ['spelling'] } }, /checks must list some of: negation/],
    [{ embed: hashingEmbedder(), guard: { verify: 'llm' } }, /verify must be a function/],
    ['on', /semantic must be an object/],
  ])('refuses bad semantic options with a message naming the option: %j', (semantic, message) => {
    expect(() => new AIResponseCache({ cache: new InMemoryCache(), semantic: semantic as never })).toThrow(
      ValidationError,
    );
    expect(() => new AIResponseCache({ cache: new InMemoryCache(), semantic: semantic as never })).toThrow(
      message,
    );
  });

  it('answers getOrComputeResult from an in-process hit and refuses bad input', async () => {
    const cache = new AIResponseCache({ cache: new InMemoryCache() });
    await cache.getOrCompute(STORED, () => 'a');
    expect(await cache.getOrComputeResult(STORED, () => 'b')).toStrictEqual({
      value: 'a',
      source: 'cache',
      key: cache.keyFor(STORED),
    });
    await expect(cache.getOrComputeResult(STORED, 'x' as never)).rejects.toThrow(
      /compute must be a function/,
    );
    await expect(cache.getOrComputeResult(STORED, () => 'b', { tll: 1 } as never)).rejects.toThrow(
      /unknown option: tll/,
    );
  });

  it('never serves an answer invalidated while the verifier was deciding', async () => {
    let release: (() => void) | undefined;
    const verify = () => new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const { cache, compute } = semanticCache({ guard: { verify }, timeout: '1m' });
    await cache.getOrCompute(STORED, compute('stored'));
    const asked = cache.getOrComputeResult(NEAR, compute('fresh'));
    await vi.waitFor(() => expect(release).toBeDefined()); // the verifier is deciding
    await cache.invalidateByOperation('qa');
    release?.();
    expect(await asked).toMatchObject({ value: 'fresh', source: 'compute' });
  });

  it('vetoes when the verifier never answers (past semantic.timeout)', async () => {
    const { cache, events, compute } = semanticCache({
      guard: { verify: () => new Promise(() => undefined) },
      timeout: '20ms',
    });
    await cache.getOrCompute(STORED, compute('stored'));
    expect(await cache.getOrCompute(NEAR, compute('fresh'))).toBe('fresh');
    expect(events.find((e) => e.outcome === 'rejected')?.reason).toMatch(
      /semantic\.guard\.verify took longer/,
    );
  });

  it('matches entries stored without expiry', async () => {
    const { cache, compute } = semanticCache();
    await cache.getOrCompute(STORED, compute('kept'), { ttl: 0 });
    expect(await cache.getOrComputeResult(NEAR, compute('fresh'))).toMatchObject({
      value: 'kept',
      source: 'semantic',
    });
  });

  it('matches texts longer than maxTextLength by exact key only', async () => {
    const { cache, events, compute } = semanticCache({ maxTextLength: 20 });
    await cache.getOrCompute(STORED, compute('stored'));
    expect(await cache.getOrCompute(NEAR, compute('fresh'))).toBe('fresh');
    expect(events).toStrictEqual([]);
    expect((await cache.getAIPerformanceSummary()).semanticIndexed).toBe(0);
  });

  it('answers long texts and words without blocking or throwing', async () => {
    const { cache, compute } = semanticCache({ maxTextLength: 1_000_000 });
    const bases = 'ACGT'.repeat(50_000);
    await cache.getOrCompute(
      { operation: 'qa', text: `Find the open reading frames in ${bases}` },
      compute('orfs A'),
    );
    const changed = `${bases.slice(0, 1000)}T${bases.slice(1001)}`;
    expect(
      await cache.getOrCompute(
        { operation: 'qa', text: `Find the open reading frames in ${changed}` },
        compute('orfs B'),
      ),
    ).toBe('orfs B');
  });

  it('does no semantic lookup over a cache that passes no factory context (it would store a copy)', async () => {
    const noContext = new NoContextCache();
    const cache = new AIResponseCache({ cache: noContext, semantic: { embed: hashingEmbedder() } });
    await cache.getOrCompute(STORED, () => 'stored');
    expect(await cache.getOrComputeResult(NEAR, () => 'fresh')).toMatchObject({
      source: 'compute',
      value: 'fresh',
    });
    const stream = (chunk: string) => () =>
      (async function* () {
        yield chunk;
      })();
    await collect(cache.getOrComputeStream(STORED, stream('a')));
    expect(await collect(cache.getOrComputeStream(NEAR, stream('b')))).toStrictEqual(['b']);
  });
});
