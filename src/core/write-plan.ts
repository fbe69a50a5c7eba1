import { ValidationError } from './errors.js';
import { parseLifetimeMs, type Duration } from './duration.js';
import type { SetOptions } from './types.js';

/** How long one write lives, in milliseconds. */
export interface WritePlan {
  /** How long the entry is kept (`0` = no expiry); includes the grace period when there is one. */
  ttlMs: number;
  /** How long the entry is fresh when it has a grace period after that; `0` = fresh for all of `ttlMs`. */
  freshMs: number;
  /** Tags to index the entry under (`invalidateTags`). */
  tags: readonly string[] | undefined;
}

const MAX_TAGS = 64;
const TAG_MESSAGE = 'tags must be an array of non-empty strings of at most 256 characters (64 tags at most)';

/** Checks a `tags` argument; returns it unchanged (or `undefined` for none). */
export function assertTags(tags: unknown): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || tags.length > MAX_TAGS)
    throw new ValidationError(TAG_MESSAGE, { option: 'tags' });
  for (const tag of tags as unknown[]) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > 256) {
      throw new ValidationError(TAG_MESSAGE, { option: 'tags' });
    }
  }
  return tags.length === 0 ? undefined : (tags as string[]);
}

/** `ttlJitter`: a fraction in [0, 1]; `undefined` → 0. */
export function resolveJitter(jitter: unknown): number {
  if (jitter === undefined) return 0;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new ValidationError('ttlJitter must be a number between 0 and 1 (0.1 = ±10% of each TTL)', {
      option: 'ttlJitter',
    });
  }
  return jitter;
}

/** `random`: a source of numbers in [0, 1) (inject one to make jitter deterministic). */
export function resolveRandom(random: unknown): () => number {
  if (random === undefined) return Math.random;
  if (typeof random !== 'function') {
    throw new ValidationError('random must be a function returning a number in [0, 1)', { option: 'random' });
  }
  return random as () => number;
}

/**
 * Turns the TTL arguments of a write into a plan: the cache's default TTL, TTL jitter (±`jitter` of the
 * TTL, so entries written together do not expire together), a grace period kept past expiry, and tags.
 * Works in milliseconds, so lifetimes may be sub-second (`'250ms'`).
 */
export class TtlPolicy {
  /** The default TTL in milliseconds. */
  readonly defaultTtlMs: number;

  constructor(
    /** The default TTL in seconds. */
    readonly defaultTtl: number,
    private readonly jitter: number,
    private readonly random: () => number,
  ) {
    this.defaultTtlMs = Math.round(defaultTtl * 1000);
    this.#defaultPlan = Object.freeze({ ttlMs: this.defaultTtlMs, freshMs: 0, tags: undefined });
  }

  /** The plan of a write with no TTL argument when there is no jitter: one frozen object, not one per write. */
  readonly #defaultPlan: WritePlan;

  /** The plan of `set(key, value, arg)`. */
  plan(arg: Duration | SetOptions | undefined): WritePlan {
    if (arg === undefined && this.jitter === 0) return this.#defaultPlan;
    if (arg === undefined || typeof arg !== 'object' || arg === null) {
      return this.planMs(arg === undefined ? this.defaultTtlMs : parseLifetimeMs(arg, 'ttl'));
    }
    for (const name of Object.keys(arg)) {
      if (name !== 'ttl' && name !== 'tags') {
        throw new ValidationError(`unknown set option: ${name} (known: ttl, tags)`, { option: name });
      }
    }
    const ttlMs = arg.ttl === undefined ? this.defaultTtlMs : parseLifetimeMs(arg.ttl, 'ttl');
    return this.planMs(ttlMs, 0, assertTags(arg.tags));
  }

  planMs(ttlMs: number, graceMs = 0, tags?: readonly string[]): WritePlan {
    if (ttlMs === 0) return { ttlMs: 0, freshMs: 0, tags };
    let ms = ttlMs;
    if (this.jitter > 0) ms = Math.max(1, Math.round(ms * (1 + this.jitter * (2 * this.random() - 1))));
    return graceMs > 0 ? { ttlMs: ms + graceMs, freshMs: ms, tags } : { ttlMs: ms, freshMs: 0, tags };
  }
}
