import type { KeyInspection } from '../core/capabilities.js';
import type { MemoryStore } from '../memory/memory-store.js';
import { describeHeader } from './codec.js';
import { FAILED, type RemoteTier } from './remote-tier.js';
import type { ValuePipeline } from './value-pipeline.js';

/**
 * Describes a key of a Redis cache: its L1 copy (without touching recency) and its Redis copy (PTTL,
 * STRLEN and the 4 header bytes: one round trip, never the value). Redis unreachable: L1 only.
 */
export async function inspectKey(
  remote: RemoteTier,
  l1: MemoryStore | undefined,
  values: ValuePipeline,
  key: string,
  redisKey: string,
): Promise<KeyInspection> {
  // A grace entry's freshness is inside the value: read it, decoded without promotion into L1
  // (inspecting must not change what the cache holds).
  const graceFresh = async (): Promise<boolean> => {
    const payload = await remote.run('inspect', (c) => c.getBuffer(redisKey));
    return payload !== FAILED && (await values.decode(key, redisKey, payload, -1, false))?.stale === false;
  };
  const local = l1?.describe(key);
  const inRedis = await remote.run('inspect', async (c) => {
    const [pttl, size, header] = (await c
      .multi()
      .pttl(redisKey)
      .strlen(redisKey)
      .getrangeBuffer(redisKey, 0, 3)
      .exec()) as [[null, number], [null, number], [null, Buffer]];
    return { pttl: pttl[1], size: size[1], header: header[1] };
  });
  const tiers: KeyInspection['tiers'] = [];
  if (local && !local.stale) tiers.push('l1');
  const inspection: KeyInspection = { key, tiers };
  if (local) {
    inspection.ttlSeconds = local.ttlSeconds;
    inspection.sizeBytes = local.bytes;
    // Tags are known for a copy written here; one filled from Redis carries none (Redis keeps key → tag
    // links only in the tag sets).
    if (local.tags.length > 0) inspection.tags = local.tags;
  }
  if (inRedis !== FAILED && inRedis.pttl !== -2) {
    const codec = describeHeader(inRedis.header);
    // A grace entry's freshness is inside the value (its Redis TTL includes the grace period).
    // A value that is not a tiercache envelope (another service's) reads as a miss: not a tier of ours.
    if (codec && (!codec.grace || (await graceFresh()))) tiers.push('redis');
    if (!local || local.stale)
      inspection.ttlSeconds = inRedis.pttl === -1 ? null : Math.ceil(inRedis.pttl / 1000);
    inspection.sizeBytes = inRedis.size;
    if (codec) inspection.codec = codec;
  }
  if (tiers.length === 0 && (local !== undefined || inspection.codec?.grace === true))
    inspection.graceOnly = true;
  return inspection;
}
