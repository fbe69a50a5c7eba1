import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { ConfigurationError } from '../core/errors.js';
import { DecodeError } from './decode-error.js';

/** A value that failed to decrypt: wrong key, tampering, truncation or moved to another key. */
export class DecryptError extends DecodeError {}

interface EncryptionKey {
  id: number;
  key: KeyObject;
}

const KEY_FORMAT = /^[A-Za-z0-9+/_-]{43}=?$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses encryption keys: 32 bytes as base64 or base64url (a Fernet-style 44-character key works),
 * one key or a list (a string may hold a comma-separated list). Never echoes key material.
 */
export function parseEncryptionKeys(input: string | readonly string[]): EncryptionKey[] {
  const list = (typeof input === 'string' ? input.split(',') : [...input]).map((k) =>
    typeof k === 'string' ? k.trim() : k,
  );
  if (list.length === 0 || list.every((k) => k === '')) {
    throw new ConfigurationError('encryptionKey is empty: give a key made with `tiercache keygen`', {
      option: 'encryptionKey',
    });
  }
  return list.map((text, index) => {
    const key = typeof text === 'string' && KEY_FORMAT.test(text) ? Buffer.from(text, 'base64') : undefined;
    if (key?.length !== 32) {
      throw new ConfigurationError(
        `encryption key #${index + 1} must be 32 bytes written as base64 or base64url (43-44 characters); generate one with \`tiercache keygen\``,
        { option: 'encryptionKey' },
      );
    }
    return {
      id: ((createHash('sha256').update(key).digest()[0] as number) % 255) + 1,
      key: createSecretKey(key),
    };
  });
}

/** IVs per CSPRNG call: one `randomBytes` per value costs more than the encryption itself. */
const IVS_PER_REFILL = 1024;

/** AES-256-GCM for stored values: the first key encrypts, every key decrypts (rotation without a flush). */
export class ValueCipher {
  readonly #keys: EncryptionKey[];
  #ivPool = Buffer.alloc(0);
  #ivOffset = 0;

  constructor(keys: string | readonly string[]) {
    this.#keys = parseEncryptionKeys(keys);
  }

  /** Ids of the keys, the encrypting one first (safe to show: they reveal nothing of the keys). */
  get keyIds(): number[] {
    return this.#keys.map((k) => k.id);
  }

  /** `iv | ciphertext | tag`, with `aad` (the Redis key and envelope header) authenticated. */
  encrypt(plain: Buffer, aad: Buffer): { keyId: number; body: Buffer } {
    const { id, key } = this.#keys[0] as EncryptionKey;
    const iv = this.#nextIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad);
    const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { keyId: id, body };
  }

  /** A fresh random IV: each 12-byte slice of the pool is used once. */
  #nextIv(): Buffer {
    if (this.#ivOffset >= this.#ivPool.length) {
      this.#ivPool = randomBytes(IV_BYTES * IVS_PER_REFILL);
      this.#ivOffset = 0;
    }
    const iv = this.#ivPool.subarray(this.#ivOffset, this.#ivOffset + IV_BYTES);
    this.#ivOffset += IV_BYTES;
    return iv;
  }

  /** The plaintext, or a DecryptError; never the ciphertext or a guess. */
  decrypt(body: Buffer, keyId: number, aad: Buffer): Buffer {
    if (body.length < IV_BYTES + TAG_BYTES) throw new DecryptError('encrypted value is truncated');
    const candidates = this.#keys.filter((k) => k.id === keyId);
    if (candidates.length === 0)
      throw new DecryptError(`value was encrypted with a key that is not configured (key id ${keyId})`);
    for (const { key } of candidates) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        // try the next key with the same id (ids are one byte and may collide)
      }
    }
    throw new DecryptError(
      'value failed authentication: tampered, truncated, moved to another key, or a different key',
    );
  }
}
