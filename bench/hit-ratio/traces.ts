import { seededRandom } from '../../src/testing/seeded-random.js';

/**
 * Seeded synthetic access traces for the hit-ratio harness. A trace is a list of key ids; ids below
 * `keySpace` are the workload's keys, ids from `keySpace` up are one-off scan keys, never counted in the
 * hit ratio (every policy, the optimum included, misses them).
 */
export interface Trace {
  name: string;
  description: string;
  keys: Int32Array;
  keySpace: number;
}

/** A random permutation of 0..n-1 (Fisher–Yates), so that a key's id says nothing of its popularity. */
function permutation(n: number, random: () => number): Int32Array {
  const ids = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = t;
  }
  return ids;
}

/** Draws popularity ranks 0..n-1 with P(rank r) ∝ 1 / (r + 1)^s (inverse CDF, binary search). */
function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / (r + 1) ** s;
  for (let r = 0; r < n; r++) cdf[r]! /= sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface TraceSettings {
  keySpace: number;
  requests: number;
  seed: number;
}

/** Independent requests, popularity Zipf(s), over the whole key space. */
export function zipfTrace({ keySpace, requests, seed }: TraceSettings, s: number): Trace {
  const random = seededRandom(seed);
  const ids = permutation(keySpace, random);
  const rank = zipfSampler(keySpace, s, random);
  const keys = new Int32Array(requests);
  for (let i = 0; i < requests; i++) keys[i] = ids[rank()]!;
  return { name: `zipf-${s.toFixed(1)}`, description: `Zipf s=${s.toFixed(1)}`, keys, keySpace };
}

/**
 * The Zipf 1.0 trace with sequential scans inserted: every `every` requests, a scan reads `length` keys
 * in order that are read nowhere else (a batch job, a backfill). Only the Zipf requests are counted, so
 * the figure compares directly with the plain Zipf 1.0 trace.
 */
export function scanPollutedTrace(settings: TraceSettings, every: number, length: number): Trace {
  const zipf = zipfTrace(settings, 1.0).keys;
  const scans = Math.floor(zipf.length / every);
  const keys = new Int32Array(zipf.length + scans * length);
  let out = 0;
  let scanKey = settings.keySpace;
  for (let i = 0; i < zipf.length; i++) {
    keys[out++] = zipf[i]!;
    if ((i + 1) % every === 0) for (let n = 0; n < length; n++) keys[out++] = scanKey++;
  }
  return {
    name: 'zipf-1.0+scans',
    description: `Zipf s=1.0 + a scan of ${length.toLocaleString('en-US')} one-off keys every ${every.toLocaleString('en-US')} requests (Zipf requests counted)`,
    keys,
    keySpace: settings.keySpace,
  };
}

/** The same `length` keys read in the same order, over and over (a loop larger than the cache). */
export function loopTrace({ requests }: TraceSettings, length: number, label: string): Trace {
  const keys = new Int32Array(requests);
  for (let i = 0; i < requests; i++) keys[i] = i % length;
  return { name: 'loop', description: `a loop over ${label}`, keys, keySpace: length };
}

/**
 * Zipf 1.0 whose hot set moves: the requests come in `phases`; at each phase the ranks map to keys shifted
 * by a tenth of the key space along a fixed random order, so the hottest keys of a phase were lukewarm in
 * the one before.
 */
export function shiftingTrace({ keySpace, requests, seed }: TraceSettings, phases: number): Trace {
  const random = seededRandom(seed);
  const ids = permutation(keySpace, random);
  const rank = zipfSampler(keySpace, 1.0, random);
  const keys = new Int32Array(requests);
  const perPhase = Math.ceil(requests / phases);
  const shift = Math.floor(keySpace / 10);
  for (let i = 0; i < requests; i++) {
    const offset = Math.floor(i / perPhase) * shift;
    keys[i] = ids[(rank() + offset) % keySpace]!;
  }
  return {
    name: 'shifting',
    description: `Zipf s=1.0, hot set replaced every ${perPhase.toLocaleString('en-US')} requests`,
    keys,
    keySpace,
  };
}
