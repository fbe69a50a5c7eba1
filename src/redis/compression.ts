import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib';

export type CompressionAlgorithm = 'deflate' | 'brotli';

/** Envelope ids of the algorithms (0 = not compressed). */
export const COMPRESSION_IDS: Readonly<Record<CompressionAlgorithm, number>> = { deflate: 1, brotli: 2 };

/** Compresses with `level` 1–9 (mapped onto brotli's 0–11 quality scale for brotli). */
export function compress(data: Buffer, algorithm: CompressionAlgorithm, level: number): Buffer {
  if (algorithm === 'brotli') {
    const quality = Math.round((level / 9) * constants.BROTLI_MAX_QUALITY);
    return brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: quality } });
  }
  return deflateRawSync(data, { level });
}

/** Reverses `compress` for an envelope id; throws on corrupt input. */
export function decompress(data: Buffer, id: number): Buffer {
  return id === COMPRESSION_IDS.brotli ? brotliDecompressSync(data) : inflateRawSync(data);
}
