import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { snapshotValue } from '../../src/core/values.js';
import { decodeValue, encodeValue, type CodecOptions } from '../../src/redis/codec.js';
import { ValueCipher } from '../../src/redis/encryption.js';
import type { Scenario } from '../harness.js';
import { kilobyteObject } from './data.js';

const BATCH = 1000;
const CODEC: CodecOptions = {
  compressionThreshold: 16_384,
  compressionLevel: 1,
  compressionAlgorithm: 'deflate',
};

/**
 * The cost of encryption per 1 KB value, in process (no Redis, whose round trip would drown it): tiercache
 * sealing and opening its envelope (serialize + AES-256-GCM bound to the key and header) against the
 * physical limit, a bare AES-256-GCM encrypt/decrypt of the same JSON bytes with node:crypto (plus the
 * JSON.stringify/parse both need).
 */
export const encryption1KB: Scenario = {
  name: 'encryption-1KB',
  description:
    'encrypted envelope of a 1 KB JSON value, in process, against a bare AES-256-GCM of the same bytes',
  needsRedis: false,
  limit: 'bare AES-256-GCM encrypt + stringify',
  async setup() {
    const keyText = randomBytes(32).toString('base64');
    const key = Buffer.from(keyText, 'base64');
    const sealing = { cipher: new ValueCipher(keyText), redisKey: 'tiercache:doc:1' };
    const value = kilobyteObject(1);
    const snapshot = snapshotValue(value);
    const sealed = (await encodeValue(snapshot, CODEC, sealing)).payload as Buffer;
    const bareEncrypt = (): Buffer => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(sealing.redisKey));
      const body = Buffer.concat([
        iv,
        cipher.update(JSON.stringify(value)),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return body;
    };
    const bare = bareEncrypt();
    const bareDecrypt = (): unknown => {
      const decipher = createDecipheriv('aes-256-gcm', key, bare.subarray(0, 12));
      decipher.setAAD(Buffer.from(sealing.redisKey));
      decipher.setAuthTag(bare.subarray(bare.length - 16));
      return JSON.parse(
        Buffer.concat([decipher.update(bare.subarray(12, bare.length - 16)), decipher.final()]).toString(),
      );
    };
    const loop = (op: () => unknown) => async () => {
      for (let n = 0; n < BATCH; n++) op();
    };
    return {
      cases: [
        {
          label: 'tiercache seal (encrypt)',
          opsPerCall: BATCH,
          run: loop(() => encodeValue(snapshot, CODEC, sealing)),
        },
        { label: 'bare AES-256-GCM encrypt + stringify', opsPerCall: BATCH, run: loop(bareEncrypt) },
        {
          label: 'tiercache open (decrypt)',
          opsPerCall: BATCH,
          run: loop(() => decodeValue(sealed, sealing)),
        },
        { label: 'bare AES-256-GCM decrypt + parse', opsPerCall: BATCH, run: loop(bareDecrypt) },
      ],
      teardown: async () => undefined,
    };
  },
  goals: [
    // ≤ 1.3× the time is ≥ 1/1.3 ≈ 0.77× the throughput.
    { subject: 'tiercache seal (encrypt)', against: 'bare AES-256-GCM encrypt + stringify', minRatio: 0.77 },
    { subject: 'tiercache open (decrypt)', against: 'bare AES-256-GCM decrypt + parse', minRatio: 0.77 },
  ],
};
