import type { FactoryContext } from '../core/types.js';
import type { TokenUsage } from './ai-metrics.js';

/**
 * How the AI cache stores a value: with the time its compute took and the tokens it used, so a hit in
 * any process reports exactly what it saved.
 */
export interface StoredAIEntry {
  $tcai: 1;
  v: unknown;
  /** compute milliseconds */
  ms: number;
  it?: number;
  ot?: number;
  /** A recorded stream (`v` holds its chunks): milliseconds between chunk i-1 and chunk i. */
  d?: number[];
  /** Semantic matching: the request's text and vector, so any instance can index and guard it. */
  s?: SemanticBlock;
}

/** What a semantically indexed entry carries (docs/semantic-cache.md). */
export interface SemanticBlock {
  /** The text that was embedded (the question, else the text). */
  t: string;
  /** Its unit vector: base64 of float32 bytes. */
  e: string;
  /** Its partition. */
  p: string;
  /** When it expires (epoch ms), for the in-process index. */
  x: number;
}

export interface AIEntry {
  value: unknown;
  computeMs: number;
  tokens: TokenUsage | undefined;
}

export function wrapEntry(
  value: unknown,
  computeMs: number,
  tokens: TokenUsage | undefined,
  semantic?: SemanticBlock,
): StoredAIEntry {
  const entry: StoredAIEntry = tokens
    ? { $tcai: 1, v: value, ms: computeMs, it: tokens.inputTokens, ot: tokens.outputTokens }
    : { $tcai: 1, v: value, ms: computeMs };
  if (semantic) entry.s = semantic;
  return entry;
}

/** True for a value the AI cache wrapped (as opposed to one written by something else). */
export function isStoredEntry(stored: unknown): stored is StoredAIEntry {
  return typeof stored === 'object' && stored !== null && (stored as StoredAIEntry).$tcai === 1;
}

/** Reads a stored entry; a value written by something else is returned as a plain value. */
export function unwrapEntry(stored: unknown): AIEntry {
  if (typeof stored === 'object' && stored !== null && (stored as StoredAIEntry).$tcai === 1) {
    const entry = stored as StoredAIEntry;
    const tokens =
      entry.it === undefined ? undefined : { inputTokens: entry.it, outputTokens: entry.ot ?? 0 };
    return { value: entry.v, computeMs: entry.ms, tokens };
  }
  return { value: stored, computeMs: 0, tokens: undefined };
}

/** What `compute` may return: a value, or `{ value, usage: { inputTokens, outputTokens } }` to report tokens. */
export type ComputeResult<T> = T | { value: T; usage: TokenUsage };

/** Separates a `{ value, usage }` report from a plain value (an object with exactly those two keys). */
export function splitUsage<T>(result: ComputeResult<T>): { value: T; usage: TokenUsage | undefined } {
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const keys = Object.keys(result);
    const usage = (result as { usage?: unknown }).usage as Partial<TokenUsage> | undefined;
    if (
      keys.length === 2 &&
      keys.includes('value') &&
      typeof usage?.inputTokens === 'number' &&
      typeof usage.outputTokens === 'number'
    ) {
      return {
        value: (result as { value: T }).value,
        usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
      };
    }
  }
  return { value: result as T, usage: undefined };
}

/** Errors, `undefined`, `''` and `{}` are never cached (SPEC §5). */
export function isCacheable(value: unknown): boolean {
  if (value === undefined || value === '') return false;
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.keys(value).length > 0;
  }
  return true;
}

/** The composed cache's factory context, with the stale value unwrapped for the caller's factory. */
export function unwrappingContext<T>(context: FactoryContext<StoredAIEntry | undefined>): FactoryContext<T> {
  const stale = context?.staleValue;
  return {
    staleValue: stale === undefined ? undefined : (unwrapEntry(stale).value as T),
    skip: () => context?.skip(),
    setTtl: (ttl) => context?.setTtl(ttl),
    setTags: (tags) => context?.setTags(tags),
  };
}
