import type { Snapshot } from '../core/values.js';
import {
  COMPRESSION_IDS,
  compress,
  decompress,
  MAX_DECOMPRESSED_BYTES,
  type CompressionAlgorithm,
} from './compression.js';
import { inTurn, LARGE_VALUE_BYTES } from '../core/turns.js';
import { DecodeError } from './decode-error.js';
import { DecryptError, type ValueCipher } from './encryption.js';
import { fromTagged, toTagged } from './serializer.js';

/**
 * Redis value envelope (DESIGN §4), 4 header bytes then the payload:
 *   [0] magic 0x01  [1] format version  [2] flags  [3] encryption key id (0 when not encrypted)
 * flags: bits 0-1 serializer (0 JSON, 1 tagged JSON), bits 2-3 compression (0 none, 1 deflate, 2 brotli),
 * bit 4 encrypted, bit 5 soft expiry (the JSON is `[freshUntilEpochMs, value]`: a getOrSet grace entry, which
 * reads as a miss after that time but can still be served stale).
 * Every header byte of a plain (uncompressed, unencrypted) value is below 0x80, so such a value is sent as
 * the string `header + json`: the same bytes as a Buffer, without building one per write.
 */
const MAGIC = 0x01;
const VERSION = 1;
const HEADER_BYTES = 4;
const SERIALIZER_TAGGED = 1;
const FLAG_ENCRYPTED = 0b1_0000;
const FLAG_SOFT_EXPIRY = 0b10_0000;

/**
 * True when the first bytes of a stored value say it is one of ours and always fresh until its Redis TTL
 * (no grace period): `exists` then needs no full read and decode.
 */
export function isPlainlyFresh(header: Buffer): boolean {
  return header.length >= 3 && header[0] === MAGIC && ((header[2] as number) & FLAG_SOFT_EXPIRY) === 0;
}

/** What a stored value's header says about it (`tiercache inspect`); never its content. */
export interface CodecFlags {
  format: 'json' | 'tagged-json';
  compression: 'none' | CompressionAlgorithm;
  encrypted: boolean;
  /** Set when encrypted: which key of the key list sealed it. */
  encryptionKeyId?: number;
  /** A getOrSet entry with a grace period (a soft expiry inside the value). */
  grace: boolean;
}

/** The flags of a value's first bytes, or undefined when the bytes are not a tiercache value. */
export function describeHeader(header: Buffer): CodecFlags | undefined {
  if (header.length < HEADER_BYTES || header[0] !== MAGIC) return undefined;
  const flags = header[2] as number;
  const compression = (Object.entries(COMPRESSION_IDS).find(([, id]) => id === ((flags >> 2) & 0b11))?.[0] ??
    'none') as CodecFlags['compression'];
  const encrypted = (flags & FLAG_ENCRYPTED) !== 0;
  return {
    format: (flags & 0b11) === SERIALIZER_TAGGED ? 'tagged-json' : 'json',
    compression,
    encrypted,
    ...(encrypted && { encryptionKeyId: header[3] as number }),
    grace: (flags & FLAG_SOFT_EXPIRY) !== 0,
  };
}

export interface CodecOptions {
  compressionThreshold: number;
  compressionLevel: number;
  compressionAlgorithm: CompressionAlgorithm;
}

/** Encryption of one value: the cipher and the full Redis key it is bound to (as associated data). */
export interface Sealing {
  cipher: ValueCipher;
  redisKey: string;
}

export interface CompressionReport {
  originalBytes: number;
  compressedBytes: number;
  durationMs: number;
}

export interface Encoded {
  /** A string for plain values (ASCII header + JSON, written as UTF-8), a Buffer otherwise. */
  payload: Buffer | string;
  /** Set when the value was large enough to be compressed. */
  compression?: CompressionReport;
}

/**
 * A compressed body is kept only when it saves at least this share of the bytes: below it, every read
 * would pay a decompression for next to nothing (already-compressed or random data).
 */
export const MIN_COMPRESSION_SAVING = 1 / 8;

/**
 * Serializes, compresses (above the threshold, when it pays) and, with `sealing`, encrypts a snapshot into
 * an envelope. A promise only when a large value is compressed on the thread pool.
 */
export function encodeValue(
  snapshot: Snapshot,
  options: CodecOptions,
  sealing?: Sealing,
  freshUntil = 0,
): Encoded | Promise<Encoded> {
  let text = JSON.stringify(snapshot.special ? toTagged(snapshot.value) : snapshot.value);
  let serializer = snapshot.special ? SERIALIZER_TAGGED : 0;
  if (freshUntil > 0) {
    text = `[${Math.round(freshUntil)},${text}]`;
    serializer |= FLAG_SOFT_EXPIRY;
  }
  // text.length <= UTF-8 bytes <= 3 * text.length: count bytes only when the threshold is in between.
  const belowThreshold =
    text.length * 3 < options.compressionThreshold ||
    (text.length < options.compressionThreshold && Buffer.byteLength(text) < options.compressionThreshold) ||
    // Past the inflate cap it could never be read back: such a value is stored plain.
    (text.length * 3 > MAX_DECOMPRESSED_BYTES && Buffer.byteLength(text) > MAX_DECOMPRESSED_BYTES);
  if (belowThreshold && !sealing) return { payload: PLAIN_HEADERS[serializer] + text };
  const body = Buffer.from(text);
  if (belowThreshold) return { payload: envelope(body, serializer, sealing) };
  const started = performance.now();
  const finish = (compressed: Buffer): Encoded => {
    const worth = compressed.length <= body.length * (1 - MIN_COMPRESSION_SAVING);
    const compression: CompressionReport = {
      originalBytes: body.length,
      compressedBytes: worth ? compressed.length : body.length,
      durationMs: performance.now() - started,
    };
    if (!worth) {
      return {
        payload: sealing ? envelope(body, serializer, sealing) : PLAIN_HEADERS[serializer] + text,
        compression,
      };
    }
    const flags = serializer | (COMPRESSION_IDS[options.compressionAlgorithm] << 2);
    return { payload: envelope(compressed, flags, sealing), compression };
  };
  const compressed = compress(body, options.compressionAlgorithm, options.compressionLevel);
  return compressed instanceof Promise ? compressed.then(finish) : finish(compressed);
}

/** Header + body, the body encrypted (bound to the key and the header) with `sealing`. */
function envelope(body: Buffer, flags: number, sealing: Sealing | undefined): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  if (!sealing) {
    writeHeader(header, flags, 0);
    return Buffer.concat([header, body]);
  }
  writeHeader(header, flags | FLAG_ENCRYPTED, sealing.cipher.keyIds[0] as number);
  return Buffer.concat([header, sealing.cipher.encrypt(body, associatedData(sealing.redisKey, header)).body]);
}

/** What the ciphertext is bound to: the full Redis key and the envelope header (so flags cannot be altered). */
function associatedData(redisKey: string, header: Buffer): Buffer {
  return Buffer.concat([Buffer.from(redisKey), header.subarray(0, HEADER_BYTES)]);
}

const PLAIN_HEADERS: Record<number, string> = Object.fromEntries(
  [0, SERIALIZER_TAGGED, FLAG_SOFT_EXPIRY, FLAG_SOFT_EXPIRY | SERIALIZER_TAGGED].map((flags) => [
    flags,
    String.fromCharCode(MAGIC, VERSION, flags, 0),
  ]),
);

function writeHeader(target: Buffer, flags: number, keyId: number): void {
  target[0] = MAGIC;
  target[1] = VERSION;
  target[2] = flags;
  target[3] = keyId;
}

export interface Decoded {
  value: unknown;
  /** True when the value holds special types (it was written with the tagged serializer). */
  special: boolean;
  /** Epoch ms after which a grace entry is stale; 0 = fresh until its TTL. */
  freshUntil: number;
}

/**
 * Reads an envelope back; anything unreadable is a `DecodeError`, never a wrong value. With `sealing`,
 * only encrypted values are accepted: an unencrypted one may have been planted, so it is refused too.
 * A promise only when a large compressed body is inflated on the thread pool.
 */
export function decodeValue(payload: Buffer, sealing?: Sealing): Decoded | Promise<Decoded> {
  if (payload.length < HEADER_BYTES || payload[0] !== MAGIC) {
    throw new DecodeError('stored value is not a tiercache envelope');
  }
  if (payload[1] !== VERSION) throw new DecodeError(`unsupported envelope version ${payload[1]}`);
  const flags = payload[2] as number;
  const serializer = flags & 0b11;
  const compression = (flags >> 2) & 0b11;
  if (serializer > SERIALIZER_TAGGED || compression > COMPRESSION_IDS.brotli || flags > 0b11_1111) {
    throw new DecodeError('stored value has unknown format flags');
  }
  let body: Buffer = payload.subarray(HEADER_BYTES);
  if (flags & FLAG_ENCRYPTED) {
    if (!sealing) throw new DecodeError('stored value is encrypted and no encryption key is configured');
    body = sealing.cipher.decrypt(body, payload[3] as number, associatedData(sealing.redisKey, payload));
  } else if (sealing) {
    throw new DecryptError('stored value is not encrypted although encryption is on: refused');
  }
  if (compression === 0) return parsed(body, flags);
  const undecompressable = (error: unknown): DecodeError =>
    new DecodeError('stored value could not be decompressed', { cause: error });
  let inflated: Buffer | Promise<Buffer>;
  try {
    inflated = decompress(body, compression);
  } catch (error) {
    throw undecompressable(error);
  }
  if (!(inflated instanceof Promise)) return parsed(inflated, flags);
  return inflated.then(
    (text) => parsed(text, flags),
    (error: unknown) => {
      throw undecompressable(error);
    },
  );
}

/** `parseBody`, in a later turn of the event loop for a large body (see `inTurn`). */
function parsed(body: Buffer, flags: number): Decoded | Promise<Decoded> {
  return body.length >= LARGE_VALUE_BYTES ? inTurn(() => parseBody(body, flags)) : parseBody(body, flags);
}

/** The JSON of an envelope's (decrypted, inflated) body, with its soft expiry and special types. */
function parseBody(body: Buffer, flags: number): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new DecodeError('stored value is not valid JSON', { cause: error });
  }
  let freshUntil = 0;
  if (flags & FLAG_SOFT_EXPIRY) {
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'number') {
      throw new DecodeError('stored value has a malformed expiry header');
    }
    [freshUntil, parsed] = parsed as [number, unknown];
  }
  if ((flags & 0b11) !== SERIALIZER_TAGGED) return { value: parsed, special: false, freshUntil };
  try {
    return { value: fromTagged(parsed), special: true, freshUntil };
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError('stored value holds a malformed tagged value', { cause: error });
  }
}
