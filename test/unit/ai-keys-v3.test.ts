import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { AIRequest } from '../../src/ai/ai-request.js';
import { canonicalJson } from '../../src/ai/canonical-json.js';
import { CacheKeyGenerator, operationOfKey } from '../../src/ai/key-generator.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { validateConfig } from '../../src/config/validator.js';
import { ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { seededRandom } from '../../src/testing/seeded-random.js';

const h32 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
const gen = new CacheKeyGenerator({ textHashThreshold: 20 });
const bytes = (key: string) => Buffer.byteLength(key);
const memoryAI = (options: ConstructorParameters<typeof AIResponseCache>[0] = {}) =>
  new AIResponseCache({ cache: new InMemoryCache({ maxSize: 1000 }), ...options });

describe("AI cache keys, keyScheme 'v3' (the default)", () => {
  it.each<[string, AIRequest, string]>([
    ['a short text', { operation: 'summarize', text: 'Sample document' }, 'summarize|txt:Sample document'],
    ['reserved characters escaped', { operation: 'qa', text: 'a|b:c%d' }, 'qa|txt:a%7Cb%3Ac%25d'],
    ['lone surrogates escaped', { operation: 'qa', text: 'x\ud800🚀\udfff' }, 'qa|txt:x%uD800🚀%uDFFF'],
    [
      'model and tenant keyed, escaped',
      { operation: 'qa', text: 'x', model: 'openai:gpt-4o', tenant: 'acme|eu' },
      'qa|tenant:acme%7Ceu|model:openai%3Agpt-4o|txt:x',
    ],
    [
      'options and question hashed to 128 bits',
      { operation: 'qa', text: 'x', options: { k: 1 }, question: 'Why?' },
      `qa|txt:x|opts:${h32('{"k":1}')}|q:${h32('Why?')}`,
    ],
    [
      'a text over the threshold hashed',
      { operation: 'op', text: 'y'.repeat(21) },
      `op|txt:hash:${h32('y'.repeat(21))}`,
    ],
    [
      'a hashed text with a lone surrogate hashed escaped',
      { operation: 'op', text: `${'y'.repeat(21)}\ud800` },
      `op|txt:uhash:${h32(`${'y'.repeat(21)}%uD800`)}`,
    ],
  ])('%s', (_label, request, rest) => {
    expect(gen.keyFor(request)).toBe(`ai_cache:v3:op:${rest}`);
  });

  it("refuses options.question in a request, since it would share a key with the request's question", () => {
    const ask = (request: Omit<AIRequest, 'operation' | 'text'>) => () =>
      gen.keyFor({ operation: 'qa', text: 't', ...request });
    expect(ask({ options: { question: 'a' }, question: 'b' })).toThrow(
      /options\.question is not allowed in a request: use the request's question field/,
    );
    expect(ask({ options: { question: 'x' } })).toThrow(ValidationError);
    expect(ask({ question: 'x' })).not.toThrow();
    expect(gen.buildKey('t', 'qa', { question: 'x' })).toBe(
      gen.keyFor({ operation: 'qa', text: 't', question: 'x' }),
    );
    const v2 = new CacheKeyGenerator({ keyScheme: 'v2' }); // the original's keys: lossy, documented
    expect(v2.keyFor({ operation: 'qa', text: 't', options: { question: 'x' } })).toBe(
      v2.keyFor({ operation: 'qa', text: 't', question: 'x' }),
    );
  });

  it('keys a stream apart from a value, and reads the operation back', () => {
    const key = gen.keyFor({ operation: 'summarize', text: 't' }, true);
    expect(key).toBe('ai_cache:v3:op:summarize|txt:t|stream');
    expect(operationOfKey(key)).toBe('summarize');
    expect(operationOfKey('ai_cache:op:qa|txt:t')).toBe('qa');
    expect(operationOfKey('ai_cache:v3:op:broken')).toBeUndefined();
  });

  it('embeds a text that fits in 1024 bytes and hashes one byte more', () => {
    const loose = new CacheKeyGenerator({ textHashThreshold: 5000 });
    const budget = 1024 - 'ai_cache:v3:op:summarize|txt:'.length;
    const fits = loose.buildKey('x'.repeat(budget), 'summarize');
    expect(bytes(fits)).toBe(1024);
    expect(fits).toContain(`|txt:${'x'.repeat(budget)}`);
    expect(loose.buildKey(`${'x'.repeat(budget - 1)}é`, 'summarize')).toContain('|txt:hash:');
    expect(loose.buildKey(':'.repeat(budget / 3), 'summarize')).toContain('|txt:%3A');
    expect(loose.buildKey(':'.repeat(budget / 3 + 1), 'summarize')).toContain('|txt:hash:');
  });

  it('hashes a very long tenant or model, and refuses empty or non-string ones', () => {
    const key = gen.keyFor({ operation: 'op', text: 't', tenant: 't'.repeat(129), model: 'm'.repeat(128) });
    expect(key).toBe(`ai_cache:v3:op:op|tenant:hash:${h32('t'.repeat(129))}|model:${'m'.repeat(128)}|txt:t`);
    expect(() => gen.keyFor({ operation: 'op', text: 't', tenant: '' })).toThrow(
      'tenant must be a non-empty string',
    );
    expect(() => gen.keyFor({ operation: 'op', text: 't', model: 5 as never })).toThrow(
      'model must be a non-empty string',
    );
    expect(() => new CacheKeyGenerator({ keyScheme: 'v1' as never })).toThrow(
      "keyScheme must be 'v3' or 'v2'",
    );
  });
});

describe('issue 22: keys for every text', () => {
  it('caches a 1000-character text and a 400-character CJK text (they threw a key-length ValidationError)', async () => {
    const cache = memoryAI();
    for (const text of ['x'.repeat(1000), '日本語のテキスト'.repeat(50)]) {
      expect(
        await cache.getOrCompute({ operation: 'summarize', text }, () => `summary of ${text.length}`),
      ).toBe(`summary of ${text.length}`);
      expect(await cache.getOrCompute({ operation: 'summarize', text }, () => 'recomputed')).toBe(
        `summary of ${text.length}`,
      );
      expect(bytes(cache.keyFor({ operation: 'summarize', text }))).toBeLessThanOrEqual(1024);
    }
  });

  it("gives 'ratio 1:2' and 'ratio 1_2' their own answers (they shared a key)", async () => {
    const cache = memoryAI();
    expect(await cache.getOrCompute({ operation: 'qa', text: 'ratio 1:2' }, () => 'half')).toBe('half');
    expect(await cache.getOrCompute({ operation: 'qa', text: 'ratio 1_2' }, () => 'underscore')).toBe(
      'underscore',
    );
  });

  it('keeps two models and two tenants apart (model and tenant were refused as request fields)', async () => {
    const cache = memoryAI();
    const ask = (model: string, tenant: string) =>
      cache.getOrCompute({ operation: 'qa', text: 'same prompt', model, tenant }, () => `${model}/${tenant}`);
    expect(await ask('a', 'one')).toBe('a/one');
    expect(await ask('b', 'one')).toBe('b/one');
    expect(await ask('a', 'two')).toBe('a/two');
    expect(await ask('a', 'one')).toBe('a/one');
    await expect(
      cache.getOrCompute({ operation: 'qa', text: 't', temperature: 1 } as never, () => 1),
    ).rejects.toThrow('unknown request field: temperature');
  });

  it('keeps the v2 format on request, refuses model and tenant there, and hashes a text too long for a key', async () => {
    const v2 = memoryAI({ keyScheme: 'v2' });
    expect(v2.keyFor({ operation: 'qa', text: 'a:b' })).toBe('ai_cache:op:qa|txt:a_b');
    const long = v2.keyFor({ operation: 'summarize', text: 'x'.repeat(1000) });
    expect(long).toBe(`ai_cache:op:summarize|txt:hash:${h32('x'.repeat(1000)).slice(0, 16)}`);
    await expect(v2.getOrCompute({ operation: 'qa', text: 't', model: 'm' }, () => 1)).rejects.toThrow(
      "model and tenant are keyed with keyScheme 'v3' only",
    );
    expect(() => memoryAI({ keyScheme: 'v4' as never })).toThrow("keyScheme must be 'v3' or 'v2'");
  });

  it("lets a configuration choose keyScheme 'v2' (to keep sharing keys with the original) and reports a bad one", async () => {
    const env = (scheme: string) => ({
      CACHE_PRESET: 'ai-development',
      CACHE_CUSTOM_CONFIG: JSON.stringify({ aiConfig: { keyScheme: scheme } }),
    });
    const { config } = resolveConfig({ env: env('v2') });
    const cache = (await new CacheFactory({ logger: silentLogger }).fromConfig(config)) as AIResponseCache;
    expect(cache.keyFor({ operation: 'qa', text: 'a:b' })).toBe('ai_cache:op:qa|txt:a_b');
    await cache.close();
    expect(validateConfig(resolveConfig({ env: env('v9') }).config).errors).toContain(
      "keyScheme must be 'v3' or 'v2'",
    );
  });

  it('invalidates an operation, or one tenant or model of it, across both tiers of keys', async () => {
    const cache = memoryAI();
    const requests: AIRequest[] = [];
    for (const operation of ['summarize', 'summarize_v2'])
      for (const tenant of [undefined, 'acme', '🚀|x'])
        for (const model of [undefined, 'gpt:4', 'small'])
          requests.push({ operation, text: 't', tenant, model });
    const load = async () => {
      for (const r of requests) await cache.getOrCompute(r, () => 'v');
    };
    const left = async () => {
      const present = await Promise.all(requests.map((r) => cache.exists(cache.keyFor(r))));
      return requests.filter((_, i) => present[i]).map((r) => `${r.operation}/${r.tenant}/${r.model}`);
    };
    await load();
    expect(await cache.invalidateByOperation('summarize', { tenant: '🚀|x' })).toBe(3);
    expect(await cache.invalidateByOperation('summarize', { model: 'gpt:4' })).toBe(2);
    expect(await cache.invalidateByOperation('summarize', { tenant: 'acme', model: 'small' })).toBe(1);
    expect((await left()).filter((r) => r.startsWith('summarize/'))).toStrictEqual([
      'summarize/undefined/undefined',
      'summarize/undefined/small',
      'summarize/acme/undefined',
    ]);
    expect(await cache.invalidateByOperation('summarize')).toBe(3);
    expect(await left()).toHaveLength(9);
    await expect(cache.invalidateByOperation('summarize', { tenant: '' })).rejects.toThrow(
      'tenant must be a non-empty string',
    );
    await expect(memoryAI({ keyScheme: 'v2' }).invalidateByOperation('qa', { model: 'm' })).rejects.toThrow(
      "a tenant or model scope needs keyScheme 'v3'",
    );
  });
});

// Separators, escapes and the part names of both schemes, unicode of every width, lone surrogates, glob.
// prettier-ignore
const PIECES = ['a', 'b', 'Z', '0', ' ', '|', ':', '%', '_', '%7C', '%3A', '%25', '%u', '%uD800', 'hash:', 'uhash:', 'txt:', '|txt:', '|tenant:', '|model:', '|opts:', '|q:', '|stream', 'é', '日本', '🚀', '\ud800', '\udc00', '\ufffd', '\u0000', '\n', '*', '?', '[', '\\'];

function textOf(next: () => number): string {
  const long = next() < 0.15;
  const count = long ? 150 + Math.floor(next() * 400) : Math.floor(next() * 12);
  let text = '';
  for (let i = 0; i < count; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

function requestOf(next: () => number): [AIRequest, boolean] {
  const maybe = <T>(p: number, make: () => T): T | undefined => (next() < p ? make() : undefined);
  const request: AIRequest = {
    operation: ['qa', 'summarize', 'op.v2'][Math.floor(next() * 3)] as string,
    text: textOf(next),
    options: maybe(0.3, () => ({
      k: textOf(next),
      n: Math.floor(next() * 3),
      ...(next() < 0.2 ? { question: textOf(next) } : {}),
    })),
    question: maybe(0.3, () => textOf(next)),
    model: maybe(0.4, () => textOf(next) || 'm'),
    tenant: maybe(0.4, () => textOf(next) || 't'),
  };
  return [request, next() < 0.2];
}

/** Close relatives of a request: one character swapped for a look-alike, a part moved to another field. */
function nearDuplicates([request, stream]: [AIRequest, boolean]): [AIRequest, boolean][] {
  const { text } = request;
  const swaps: [RegExp, string][] = [
    [/:/, '_'],
    [/\|/, '_'],
    [/%/, '%25'],
    [/\ud800/, '\ufffd'],
    [/\udc00/, '\ud800'],
    [/[\s\S]$/u, ''],
  ];
  const out: [AIRequest, boolean][] = swaps.map(([from, to]) => [
    { ...request, text: text.replace(from, to) },
    stream,
  ]);
  out.push([request, !stream]);
  out.push([{ ...request, text: `${text}|tenant:x`, tenant: undefined }, stream]);
  out.push([{ ...request, tenant: request.model, model: request.tenant }, stream]);
  out.push([{ ...request, text: request.question ?? '', question: text }, stream]);
  out.push([{ ...request, options: { ...request.options, question: request.question ?? text } }, stream]);
  return out;
}

function identity([request, stream]: [AIRequest, boolean]): string {
  const { operation, text, options, question, model, tenant } = request;
  return JSON.stringify([
    operation,
    text,
    canonicalJson(options ?? {}, 'options'),
    question,
    model,
    tenant,
    stream,
  ]);
}

describe('issue 22: no two distinct requests share a key (seeded property test)', () => {
  it.each([0, 40, 1000, Number.MAX_SAFE_INTEGER])(
    'over random unicode, separators and near-duplicates, textHashThreshold %i',
    (threshold) => {
      const next = seededRandom(22 + threshold);
      const keys = new CacheKeyGenerator({ textHashThreshold: threshold });
      const seen = new Map<string, string>();
      let longest = 0;
      let refused = 0;
      for (let i = 0; i < 2500; i++) {
        for (const candidate of [requestOf(next)].flatMap((r) => [r, ...nearDuplicates(r)])) {
          if (candidate[0].options !== undefined && 'question' in candidate[0].options) {
            expect(() => keys.keyFor(candidate[0], candidate[1])).toThrow(ValidationError);
            refused++;
            continue;
          }
          const key = keys.keyFor(candidate[0], candidate[1]);
          const who = identity(candidate);
          const before = seen.get(key);
          if (before !== undefined && before !== who)
            expect.fail(`two requests share ${JSON.stringify(key)}:\n${before}\n${who}`);
          seen.set(key, who);
          longest = Math.max(longest, bytes(key));
        }
      }
      expect(longest).toBeLessThanOrEqual(1024);
      expect(seen.size).toBeGreaterThan(17_000);
      expect(refused).toBeGreaterThan(2500); // every request with options.question
    },
  );
});
