import type { EntryRead } from '../core/get-or-set.js';
import { adoptDecoded, cloneSnapshotValue } from '../core/values.js';
import type { MemoryStore } from '../memory/memory-store.js';
import { decodeValue, type Decoded, type Sealing } from './codec.js';
import { DecodeError } from './decode-error.js';

/** Says whether a read may still promote its value (false once an invalidation overtook it). */
export type Admission = () => boolean;

/**
 * Decodes a Redis reply and, with an L1, promotes a fresh value into it for no longer than Redis keeps it
 * (`pttl`: ms left, -1 no expiry, -2 gone), marking when a grace entry turns stale. Unreadable bytes are
 * reported and read as a miss. `admitted` (absent = yes) is asked at promotion time (a large value is
 * inflated on the thread pool meanwhile, and an invalidation may overtake it). A promise only for such a
 * value. No closure on the synchronous path: it is every Redis read's.
 */
export function decodeAndPromote(
  key: string,
  payload: Buffer | null,
  pttl: number,
  l1: MemoryStore | undefined,
  sealing: Sealing | undefined,
  admitted: Admission | undefined,
  onDecodeError: (error: DecodeError, key: string) => void,
): EntryRead | undefined | Promise<EntryRead | undefined> {
  if (payload === null) return undefined;
  let decoded: Decoded | Promise<Decoded>;
  try {
    decoded = decodeValue(payload, sealing);
  } catch (error) {
    return unreadable(error, key, onDecodeError);
  }
  if (!(decoded instanceof Promise)) return promote(key, decoded, payload.length, pttl, l1, admitted);
  const received = performance.now();
  return decoded.then(
    // Redis's TTL was read with the value: the wait for the inflate or the parse is taken off it.
    (value) => promote(key, value, payload.length, remaining(pttl, received), l1, admitted),
    (error: unknown) => unreadable(error, key, onDecodeError),
  );
}

function promote(
  key: string,
  decoded: Decoded,
  bytes: number,
  pttl: number,
  l1: MemoryStore | undefined,
  admitted: Admission | undefined,
): EntryRead {
  const freshMs = decoded.freshUntil > 0 ? decoded.freshUntil - Date.now() : 0;
  const stale = decoded.freshUntil > 0 && freshMs <= 0;
  if (!l1 || pttl === -2 || stale || (admitted !== undefined && !admitted()))
    return { value: decoded.value, stale };
  const snapshot = adoptDecoded(decoded.value, decoded.special, bytes);
  l1.write(key, snapshot, pttl === -1 ? 0 : pttl, freshMs);
  return { value: decoded.special ? cloneSnapshotValue(snapshot.value) : snapshot.value, stale };
}

/** `pttl` (ms left, -1 none, -2 gone) less the time since `since`; gone once nothing is left. */
function remaining(pttl: number, since: number): number {
  if (pttl < 0) return pttl;
  const left = pttl - (performance.now() - since);
  return left > 0 ? left : -2;
}

function unreadable(
  error: unknown,
  key: string,
  onDecodeError: (error: DecodeError, key: string) => void,
): undefined {
  if (!(error instanceof DecodeError)) throw error;
  onDecodeError(error, key);
  return undefined;
}
