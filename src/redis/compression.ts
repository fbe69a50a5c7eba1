import { promisify } from 'node:util';
import {
  brotliCompress,
  brotliCompressSync,
  brotliDecompress,
  brotliDecompressSync,
  constants,
  deflateRaw,
  deflateRawSync,
  inflateRaw,
  inflateRawSync,
  type BrotliOptions,
  type ZlibOptions,
} from 'node:zlib';

export type CompressionAlgorithm = 'deflate' | 'brotli';

/** Envelope ids of the algorithms (0 = not compressed; 3 is free for a future codec). */
export const COMPRESSION_IDS: Readonly<Record<CompressionAlgorithm, number>> = { deflate: 1, brotli: 2 };

/**
 * The most a stored value may inflate to. A small compressed value planted in Redis could otherwise
 * expand to gigabytes in this process (a decompression bomb); past the cap it reads as a miss with an
 * error event.
 */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * From this many bytes of input, compression runs on libuv's thread pool instead of the event loop
 * (docs/compression.md: deflate level 1 takes ~0.2 ms per 100 KB of JSON, which 50
 * callers at once turn into a stall; below this size the hop to the pool costs more than it saves).
 */
export const OFF_LOOP_COMPRESS_BYTES = 32 * 1024;
/** The same for decompression, counted in compressed bytes (JSON shrinks ~5–10×). */
export const OFF_LOOP_DECOMPRESS_BYTES = 8 * 1024;

/**
 * Brotli quality for `level` 1–9: the level itself, clamped at 4. Higher qualities cost far more time for
 * a few percent less output (measured on 100 KB of JSON: quality 4 0.6 ms, 7 6.5 ms, 11 144 ms).
 */
export function brotliQuality(level: number): number {
  return Math.min(level, 4);
}

const deflateAsync = promisify<Buffer, ZlibOptions, Buffer>(deflateRaw);
const inflateAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);
const brotliAsync = promisify<Buffer, BrotliOptions, Buffer>(brotliCompress);
const unbrotliAsync = promisify<Buffer, BrotliOptions, Buffer>(brotliDecompress);

function brotliOptions(level: number): BrotliOptions {
  return { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality(level) } };
}

const INFLATE_OPTIONS = { maxOutputLength: MAX_DECOMPRESSED_BYTES };

/** Compresses with `level` 1–9: on the event loop for small inputs, on the thread pool for large ones. */
export function compress(
  data: Buffer,
  algorithm: CompressionAlgorithm,
  level: number,
): Buffer | Promise<Buffer> {
  const offLoop = data.length >= OFF_LOOP_COMPRESS_BYTES;
  if (algorithm === 'brotli') {
    return offLoop ? brotliAsync(data, brotliOptions(level)) : brotliCompressSync(data, brotliOptions(level));
  }
  return offLoop ? deflateAsync(data, { level }) : deflateRawSync(data, { level });
}

/** Reverses `compress` for an envelope id, within MAX_DECOMPRESSED_BYTES; throws (or rejects) on bad input. */
export function decompress(data: Buffer, id: number): Buffer | Promise<Buffer> {
  const offLoop = data.length >= OFF_LOOP_DECOMPRESS_BYTES;
  if (id === COMPRESSION_IDS.brotli) {
    return offLoop ? unbrotliAsync(data, INFLATE_OPTIONS) : brotliDecompressSync(data, INFLATE_OPTIONS);
  }
  return offLoop ? inflateAsync(data, INFLATE_OPTIONS) : inflateRawSync(data, INFLATE_OPTIONS);
}
