import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { CacheKeyGenerator, codePointsExceed, operationOfKey } from '../../src/ai/key-generator.js';

const h16 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
const gen = new CacheKeyGenerator({ textHashThreshold: 20, keyScheme: 'v2' });

describe("AI cache keys, keyScheme 'v2' (SPEC §5, the original's format)", () => {
  it.each([
    [
      'short text, no options',
      'Sample document',
      'summarize',
      undefined,
      'ai_cache:op:summarize|txt:Sample document',
    ],
    ['empty options are omitted', 'abc', 'sentiment', {}, 'ai_cache:op:sentiment|txt:abc'],
    ['| and : are replaced', 'a|b:c', 'qa', undefined, 'ai_cache:op:qa|txt:a_b_c'],
    ['unicode stays', 'café 日本 🚀', 'summarize', undefined, 'ai_cache:op:summarize|txt:café 日本 🚀'],
    [
      'options hashed canonically',
      'x',
      'summarize',
      { max_length: 100 },
      `ai_cache:op:summarize|txt:x|opts:${h16('{"max_length":100}')}`,
    ],
    [
      'nested options sorted',
      'x',
      'op',
      { b: { y: 1, x: [2, { d: 1, c: 2 }] }, a: 'z' },
      `ai_cache:op:op|txt:x|opts:${h16('{"a":"z","b":{"x":[2,{"c":2,"d":1}],"y":1}}')}`,
    ],
    [
      'strings escaped exactly as JSON.stringify does (quotes, controls, lone surrogates)',
      'x',
      'op',
      { 'k"\t': 'a\\b\n', lone: '\ud800!', pair: '🚀', num: -0, big: 1e21, small: 1e-7, ok: [true, null] },
      `ai_cache:op:op|txt:x|opts:${h16(
        '{"big":1e+21,"k\\"\\t":"a\\\\b\\n","lone":"\\ud800!","num":0,"ok":[true,null],"pair":"🚀","small":1e-7}',
      )}`,
    ],
    ['question keyed apart', 'x', 'qa', { question: 'Why?' }, `ai_cache:op:qa|txt:x|q:${h16('Why?')}`],
    [
      'options and question',
      'x',
      'qa',
      { question: 'Why?', k: 1 },
      `ai_cache:op:qa|txt:x|opts:${h16('{"k":1}')}|q:${h16('Why?')}`,
    ],
    [
      'text over the threshold hashed',
      'y'.repeat(21),
      'summarize',
      undefined,
      `ai_cache:op:summarize|txt:hash:${h16('y'.repeat(21))}`,
    ],
    [
      'text at the threshold kept',
      'y'.repeat(20),
      'summarize',
      undefined,
      `ai_cache:op:summarize|txt:${'y'.repeat(20)}`,
    ],
    [
      '20 emoji (40 UTF-16 units) kept',
      '🚀'.repeat(20),
      'summarize',
      undefined,
      `ai_cache:op:summarize|txt:${'🚀'.repeat(20)}`,
    ],
    [
      '21 emoji hashed',
      '🚀'.repeat(21),
      'summarize',
      undefined,
      `ai_cache:op:summarize|txt:hash:${h16('🚀'.repeat(21))}`,
    ],
  ])('%s', (_label, text, operation, options, expected) => {
    expect(gen.buildKey(text, operation, options)).toBe(expected);
  });

  it('gives the same key for options in any order', () => {
    expect(gen.buildKey('t', 'op', { a: 1, b: 2 })).toBe(gen.buildKey('t', 'op', { b: 2, a: 1 }));
    expect(gen.buildKey('t', 'op', { a: 1, b: undefined })).toBe(gen.buildKey('t', 'op', { a: 1 }));
    expect(gen.buildKey('t', 'op', { a: 1 })).not.toBe(gen.buildKey('t', 'op', { a: 2 }));
  });

  it('hashes every text with threshold 0, and empty text is kept', () => {
    const strict = new CacheKeyGenerator({ textHashThreshold: 0, keyScheme: 'v2' });
    expect(strict.buildKey('secret', 'op')).toBe(`ai_cache:op:op|txt:hash:${h16('secret')}`);
    expect(strict.buildKey('', 'op')).toBe('ai_cache:op:op|txt:');
  });

  it.each([
    ['', "operation must be 1-64 characters of letters, digits, '_', '-' or '.'"],
    ['has space', "operation must be 1-64 characters of letters, digits, '_', '-' or '.'"],
    ['x'.repeat(65), "operation must be 1-64 characters of letters, digits, '_', '-' or '.'"],
    [42, "operation must be 1-64 characters of letters, digits, '_', '-' or '.'"],
  ])('rejects operation %j', (operation, message) => {
    expect(() => gen.buildKey('t', operation as string)).toThrow(new ValidationError(message).message);
  });

  it('rejects non-string text and options that are not plain JSON, naming the field', () => {
    expect(() => gen.buildKey(42 as never, 'op')).toThrow('text must be a string');
    expect(() => gen.buildKey('t', 'op', [] as never)).toThrow('options must be a plain JSON object');
    expect(() => gen.buildKey('t', 'op', new Map() as never)).toThrow('options must be a plain JSON object');
    expect(() => gen.buildKey('t', 'op', { temperature: Number.NaN })).toThrow(
      'options.temperature must be plain JSON',
    );
    expect(() => gen.buildKey('t', 'op', { nested: { when: new Date() } })).toThrow(
      'options.nested.when must be plain JSON',
    );
    expect(() =>
      gen.buildKey('t', 'op', { a: undefined, list: [1, 'two', [null, () => 3]], ok: true }),
    ).toThrow('options.list[2][1] must be plain JSON');
    expect(() => gen.buildKey('t', 'op', { a: [1], b: { c: 1 }, d: -Infinity })).toThrow(
      'options.d must be plain JSON',
    );
    expect(() => gen.buildKey('t', 'op', { b: 1n, a: [Infinity] })).toThrow(
      'options.a[0] must be plain JSON',
    );
    const circular: Record<string, unknown> = { model: 'x' };
    circular.self = { again: circular };
    expect(() => gen.buildKey('t', 'op', circular)).toThrow(
      'options nests more than 64 levels deep (is it circular?)',
    );
    expect(() => gen.buildKey('t', 'op', { question: 5 } as never)).toThrow('question must be a string');
    expect(() => new CacheKeyGenerator({ textHashThreshold: -1 })).toThrow(
      'textHashThreshold must be a non-negative integer',
    );
    expect(() => new CacheKeyGenerator({ hashAlgorithm: 'nope' })).toThrow(
      "hashAlgorithm must be one of Node's hash algorithms",
    );
  });

  it('counts code points without walking texts far from the limit', () => {
    expect(codePointsExceed('abc', 3)).toBe(false);
    expect(codePointsExceed('abcd', 3)).toBe(true);
    expect(codePointsExceed('🚀🚀🚀', 3)).toBe(false);
    expect(codePointsExceed('🚀🚀🚀a', 3)).toBe(true);
    expect(codePointsExceed('\ud83d', 0)).toBe(true); // a lone surrogate is one code point
  });

  it('reads the operation back from a key', () => {
    expect(operationOfKey('ai_cache:op:summarize|txt:x')).toBe('summarize');
    expect(operationOfKey('user:1')).toBeUndefined();
    expect(operationOfKey('ai_cache:op:broken')).toBeUndefined();
  });
});
