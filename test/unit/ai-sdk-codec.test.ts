import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../src/ai-sdk/json-codec.js';
import { requestDigest } from '../../src/ai-sdk/request-key.js';
import type { CallOptions, WrappedModel } from '../../src/ai-sdk/sdk-types.js';
import { mockModel } from '../helpers/ai-sdk.js';

describe('issue 22: AI SDK values survive JSON', () => {
  it('round-trips dates, bytes, URLs and objects that carry the tag key themselves', () => {
    const value = {
      timestamp: new Date('2026-01-02T03:04:05.678Z'),
      data: new Uint8Array([0, 1, 254, 255]),
      url: new URL('https://example.com/a.png'),
      mine: { $tc: 'date', v: 'not a date' },
      list: [1, 'two', null, false, { nested: new Date(0) }],
      skipped: undefined,
    };
    const json = encodeJson(value);
    expect(JSON.parse(JSON.stringify(json))).toStrictEqual(json);
    const expected: Record<string, unknown> = { ...value };
    delete expected.skipped;
    expect(decodeJson(JSON.parse(JSON.stringify(json)))).toStrictEqual(expected);
  });

  it.each([
    ['a function', () => 1],
    ['a bigint', 1n],
    ['NaN', Number.NaN],
    ['an invalid date', new Date('nope')],
    ['a class instance', new Map()],
    ['nesting past 64 levels', JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) as unknown],
  ])('refuses %s', (_label, value) => {
    expect(encodeJson({ value })).toBeUndefined();
  });

  it('decodes into fresh objects: a frozen stored value can be changed by the caller', () => {
    const stored = Object.freeze({ a: Object.freeze([1]) });
    const decoded = decodeJson(stored) as { a: number[] };
    decoded.a.push(2);
    expect(decoded.a).toStrictEqual([1, 2]);
  });
});

describe('issue 22: the request digest', () => {
  const model: WrappedModel = mockModel();
  const params = (extra: Partial<CallOptions> = {}): CallOptions => ({
    prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    ...extra,
  });

  it('does not depend on key order, the abort signal or the headers', () => {
    const a = requestDigest('generate', model, params({ temperature: 0, topP: 1 }));
    const b = requestDigest('generate', model, {
      topP: 1,
      headers: { 'x-trace': '1' },
      abortSignal: new AbortController().signal,
      ...params({ temperature: 0 }),
    });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it('differs by mode, model, file bytes and every setting', () => {
    const file = (byte: number): CallOptions =>
      params({
        prompt: [
          { role: 'user', content: [{ type: 'file', mediaType: 'image/png', data: new Uint8Array([byte]) }] },
        ],
      });
    const digests = [
      requestDigest('generate', model, params()),
      requestDigest('stream', model, params()),
      requestDigest('generate', mockModel({ modelId: 'm2' }), params()),
      requestDigest('generate', model, file(1)),
      requestDigest('generate', model, file(2)),
      requestDigest('generate', model, params({ topK: 3 })),
      requestDigest('generate', model, params({ presencePenalty: 0.5 })),
      requestDigest('generate', model, params({ frequencyPenalty: 0.5 })),
      requestDigest('generate', model, params({ toolChoice: { type: 'required' } })),
      requestDigest('generate', model, params({ includeRawChunks: true })),
      requestDigest('generate', model, params({ responseFormat: { type: 'json' } })),
      requestDigest('generate', model, params({ tools: [{ type: 'function', name: 'f', inputSchema: {} }] })),
    ];
    expect(new Set(digests).size).toBe(digests.length);
  });
});
