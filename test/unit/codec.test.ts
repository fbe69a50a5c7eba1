import { describe, expect, it } from 'vitest';
import { snapshotValue } from '../../src/core/values.js';
import { brotliCompressSync, constants, deflateRawSync } from 'node:zlib';
import { decodeValue, encodeValue, type CodecOptions } from '../../src/redis/codec.js';
import {
  brotliQuality,
  MAX_DECOMPRESSED_BYTES,
  OFF_LOOP_COMPRESS_BYTES,
} from '../../src/redis/compression.js';
import { DecodeError } from '../../src/redis/decode-error.js';
import { fromTagged, toTagged } from '../../src/redis/serializer.js';
import { ROUND_TRIP_VALUES } from '../../src/testing/contract-suite.js';

const bytes = (payload: Buffer | string): Buffer =>
  typeof payload === 'string' ? Buffer.from(payload) : payload;
const options: CodecOptions = {
  compressionThreshold: 1000,
  compressionLevel: 6,
  compressionAlgorithm: 'deflate',
};

describe('value envelope codec', () => {
  it.each(Object.entries(ROUND_TRIP_VALUES))('round-trips %s', async (_label, value) => {
    const { payload } = await encodeValue(snapshotValue(value), options);
    expect((await decodeValue(bytes(payload))).value).toStrictEqual(value);
  });

  it('writes plain JSON untagged and reports compression above the threshold', async () => {
    const plain = await encodeValue(snapshotValue({ a: 1 }), options);
    expect(bytes(plain.payload).subarray(4).toString()).toBe('{"a":1}');
    expect([...bytes(plain.payload).subarray(0, 4)]).toStrictEqual([1, 1, 0, 0]);
    expect(plain.compression).toBeUndefined();
    const big = await encodeValue(snapshotValue('y'.repeat(5000)), options);
    expect(big.compression?.originalBytes).toBe(5002);
    expect(big.compression!.compressedBytes).toBeLessThan(100);
    expect(await decodeValue(bytes(big.payload))).toStrictEqual({
      value: 'y'.repeat(5000),
      special: false,
      freshUntil: 0,
    });
  });

  it('measures the threshold in UTF-8 bytes, not characters', async () => {
    const threshold = { ...options, compressionThreshold: 100 };
    expect((await encodeValue(snapshotValue('é'.repeat(40)), threshold)).compression).toBeUndefined(); // 82 bytes
    expect((await encodeValue(snapshotValue('é'.repeat(60)), threshold)).compression?.originalBytes).toBe(
      122,
    );
    expect((await encodeValue(snapshotValue('e'.repeat(120)), threshold)).compression?.originalBytes).toBe(
      122,
    );
  });

  it('compresses everything with threshold 0 and brotli when chosen', async () => {
    const encoded = await encodeValue(snapshotValue('a'.repeat(50)), {
      ...options,
      compressionThreshold: 0,
      compressionAlgorithm: 'brotli',
    });
    expect(bytes(encoded.payload)[2]! >> 2).toBe(2);
    expect((await decodeValue(bytes(encoded.payload))).value).toBe('a'.repeat(50));
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['foreign bytes', Buffer.from('hello world')],
    ['an unknown version', Buffer.from([0x01, 2, 0, 0, 0x31])],
    ['unknown flags', Buffer.from([0x01, 1, 0b10_0000, 0, 0x31])],
    ['an unknown serializer', Buffer.from([0x01, 1, 0b11, 0, 0x31])],
    ['an unknown compression id', Buffer.from([0x01, 1, 0b1100, 0, 0x31])],
    ['an encrypted value without a key', Buffer.from([0x01, 1, 0b1_0000, 1, 0x31])],
    ['corrupt deflate data', Buffer.from([0x01, 1, 0b0100, 0, 0xff, 0xff, 0xff])],
    ['invalid JSON', Buffer.concat([Buffer.from([0x01, 1, 0, 0]), Buffer.from('{"a":')])],
    [
      'a malformed tagged bigint',
      Buffer.concat([Buffer.from([0x01, 1, 1, 0]), Buffer.from('{"$tc":"big","v":"x1"}')]),
    ],
    ['an unknown tag', Buffer.concat([Buffer.from([0x01, 1, 1, 0]), Buffer.from('{"$tc":"nope","v":1}')])],
  ])('rejects %s with a DecodeError', async (_label, payload) => {
    await expect(async () => decodeValue(payload)).rejects.toThrow(DecodeError);
  });
});

describe('issue 23: compression that pays, off the event loop, within bounds', () => {
  const envelopeOf = (flags: number, body: Buffer): Buffer =>
    Buffer.concat([Buffer.from([0x01, 1, flags, 0]), body]);

  it('keeps a value uncompressed when compressing it saves too little, and reports so', async () => {
    const encoded = await encodeValue(snapshotValue('a'), { ...options, compressionThreshold: 0 });
    expect(encoded.compression).toMatchObject({ originalBytes: 3, compressedBytes: 3 });
    expect(bytes(encoded.payload)[2]! >> 2).toBe(0); // no compression flag: reads need no inflate
    expect((await decodeValue(bytes(encoded.payload))).value).toBe('a');
  });

  it('compresses and inflates a large value on the thread pool (a promise), and round-trips it', async () => {
    const large = { rows: Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `row ${i}` })) };
    const pending = encodeValue(snapshotValue(large), options);
    expect(pending).toBeInstanceOf(Promise);
    const encoded = await pending;
    expect(encoded.compression!.originalBytes).toBeGreaterThan(OFF_LOOP_COMPRESS_BYTES);
    const decoded = decodeValue(bytes(encoded.payload));
    expect(decoded).toBeInstanceOf(Promise);
    expect((await decoded).value).toStrictEqual(large);
  });

  it.each([
    [
      'deflate, inflated on the thread pool',
      0b0100,
      () => deflateRawSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES + 1024)),
    ],
    [
      'brotli, inflated on the event loop',
      0b1000,
      () =>
        brotliCompressSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES + 1024), {
          params: { [constants.BROTLI_PARAM_QUALITY]: 4 },
        }),
    ],
  ])('refuses a decompression bomb (%s) with a DecodeError', async (_label, flags, bomb) => {
    await expect(async () => decodeValue(envelopeOf(flags, bomb()))).rejects.toThrow(DecodeError);
  });

  it('stores a value above the inflate cap plain, so it can be read back', async () => {
    const huge = 'x'.repeat(MAX_DECOMPRESSED_BYTES + 10);
    const encoded = await encodeValue(snapshotValue(huge), options);
    expect(bytes(encoded.payload)[2]! >> 2).toBe(0);
    expect((await decodeValue(bytes(encoded.payload))).value).toBe(huge);
  });

  it('clamps brotli quality at 4 (higher qualities cost 10–1000× the time)', () => {
    expect([1, 4, 6, 9].map(brotliQuality)).toStrictEqual([1, 4, 4, 4]);
  });
});

describe('tagged serializer', () => {
  it('escapes user objects that carry the tag key', () => {
    const tree = toTagged({ $tc: 'date', v: 1 });
    expect(tree).toStrictEqual({ $tc: 'obj', v: { $tc: 'date', v: 1 } });
    expect(fromTagged(tree)).toStrictEqual({ $tc: 'date', v: 1 });
  });

  it('keeps an own __proto__ key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"n":1n}'.replace('1n', '1')) as object;
    const back = fromTagged(toTagged(value)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toStrictEqual(['__proto__', 'n']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips invalid dates and -Infinity', () => {
    const back = fromTagged(
      JSON.parse(JSON.stringify(toTagged([new Date(Number.NaN), Number.NEGATIVE_INFINITY]))),
    ) as [Date, number];
    expect(Number.isNaN(back[0].getTime())).toBe(true);
    expect(back[1]).toBe(Number.NEGATIVE_INFINITY);
  });
});
