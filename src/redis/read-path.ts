import type { EntryRead } from '../core/get-or-set.js';
import { adoptDecoded, cloneSnapshotValue } from '../core/values.js';
import type { MemoryStore } from '../memory/memory-store.js';
import { decodeValue, type Decoded, type Sealing } from './codec.js';
import { DecodeError } from './decode-error.js';

/**
 * Decodes a Redis reply and, with an L1, promotes a fresh value into it for no longer than Redis keeps it
 * (`pttl`: ms left, -1 no expiry, -2 gone), marking when a grace entry turns stale. Unreadable bytes are
 * reported and read as a miss. `admitted` is asked at promotion time (a large value is inflated on the
 * thread pool meanwhile, and an invalidation may overtake it). A promise only for such a value.
 */
export function decodeAndPromote(
  key: string,
  payload: Buffer | null,
  pttl: number,
  l1: MemoryStore | undefined,
  sealing: Sealing | undefined,
  admitted: () => boolean,
  onDecodeError: (error: DecodeError) => void,
): EntryRead | undefined | Promise<EntryRead | undefined> {
  if (payload === null) return undefined;
  const unreadable = (error: unknown): undefined => {
    if (!(error instanceof DecodeError)) throw error;
    onDecodeError(error);
    return undefined;
  };
  const promote = (decoded: Decoded): EntryRead => {
    const freshMs = decoded.freshUntil > 0 ? decoded.freshUntil - Date.now() : 0;
    const stale = decoded.freshUntil > 0 && freshMs <= 0;
    if (!l1 || pttl === -2 || stale || !admitted()) return { value: decoded.value, stale };
    const snapshot = adoptDecoded(decoded.value, decoded.special, payload.length);
    l1.write(key, snapshot, pttl === -1 ? 0 : pttl, freshMs);
    return { value: decoded.special ? cloneSnapshotValue(snapshot.value) : snapshot.value, stale };
  };
  let decoded: Decoded | Promise<Decoded>;
  try {
    decoded = decodeValue(payload, sealing);
  } catch (error) {
    return unreadable(error);
  }
  return decoded instanceof Promise ? decoded.then(promote, unreadable) : promote(decoded);
}
