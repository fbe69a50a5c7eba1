import { lifetimeOfSeconds, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { AIComputeEvent } from '../core/events.js';
import { hrtimeMs } from '../core/options.js';
import type { FactoryContext } from '../core/types.js';
import type { ComputeHost, Lookup, SemanticStep } from './ai-compute.js';
import type { StoredAIEntry } from './ai-entry.js';
import type { TokenUsage } from './ai-metrics.js';
import { COMPUTE_LOCK_TIMEOUT, computeTtlMs } from './ai-request.js';
import { StreamReader, type ReadPlan } from './stream-reader.js';
import { ABORTED, Recording } from './stream-recording.js';

/** Options of `getOrComputeStream` (docs/ai-cache.md, "Streams"). */
export interface AIStreamOptions<C> {
  /** `'fast'`: a hit replays every chunk at once; `'recorded'`: at the pace they were recorded. @default 'fast' */
  replay?: 'fast' | 'recorded';
  /** How long the recording is kept. @default the operation's TTL (`operationTtls`), else `defaultTtl` */
  ttl?: Duration;
  /** Your veto on a stream that ended cleanly (e.g. it was cut by a length limit): false = not stored. */
  shouldStore?: (chunks: readonly C[]) => boolean;
  /**
   * The tokens a hit saves: a number (counted as output tokens) or `{ inputTokens, outputTokens }`, or a
   * function of the recorded chunks returning either (e.g. read from a final usage chunk).
   */
  tokensSaved?: StreamTokens | ((chunks: readonly C[]) => StreamTokens);
}

/** Tokens of a stream: a number (output tokens) or both counts. */
export type StreamTokens = number | TokenUsage;

/** Recordings in flight at once per cache; past it a new stream is passed through, not recorded. */
export const MAX_STREAM_RECORDINGS = 256;

const STREAM_OPTIONS = ['replay', 'ttl', 'shouldStore', 'tokensSaved'];

interface StreamCall<C> {
  lookup: Lookup;
  produce: () => AsyncIterable<C> | Promise<AsyncIterable<C>>;
  paced: boolean;
  ttlMs: number | undefined;
  shouldStore: ((chunks: readonly C[]) => boolean) | undefined;
  tokens: AIStreamOptions<C>['tokensSaved'];
  /** Semantic matching, when on: a near-identical request's recording may replay. */
  semantic?: SemanticStep | undefined;
}

/** What a semantic lookup left for the store: the request's vector, to index the recording with. */
interface SemanticNote {
  vector: Float32Array | undefined;
  /** The recording was handed to getOrSet to store. */
  stored: boolean;
}

/** Checks `getOrComputeStream`'s options (the request was checked by the caller). */
export function resolveStreamOptions<C>(
  options: AIStreamOptions<C> | undefined,
): Omit<StreamCall<C>, 'lookup' | 'produce' | 'semantic'> {
  const ttlMs = computeTtlMs(options, STREAM_OPTIONS);
  const { replay = 'fast', shouldStore, tokensSaved } = options ?? {};
  if (replay !== 'fast' && replay !== 'recorded')
    throw new ValidationError("replay must be 'fast' or 'recorded'", { option: 'replay' });
  if (shouldStore !== undefined && typeof shouldStore !== 'function')
    throw new ValidationError('shouldStore must be a function', { option: 'shouldStore' });
  if (tokensSaved !== undefined && typeof tokensSaved !== 'function') usageOf(tokensSaved);
  return { paced: replay === 'recorded', ttlMs, shouldStore, tokens: tokensSaved };
}

/**
 * Streams in flight in one AI cache: one recording per key, which every identical request in this process
 * reads; the composed cache's `getOrSet` stores it (and single-flights it across instances). A recording is
 * shared only while it is live and storable, and no longer once an invalidation covers its key (`drop`).
 */
export class StreamFlights {
  readonly #recordings = new Map<string, Recording<unknown>>();

  constructor(private readonly host: ComputeHost) {}

  stream<C>(call: StreamCall<C>): AsyncIterable<C> {
    return new StreamReader<C>(() => this.#plan(call));
  }

  /**
   * An invalidation (or write) covers the keys `covers` accepts (every key without it): their recordings
   * keep serving their readers but take no new one and store nothing, so a later request starts anew.
   */
  drop(covers?: (key: string) => boolean): void {
    for (const [key, recording] of this.#recordings)
      if (covers === undefined || covers(key)) recording.drop();
  }

  /** Runs an invalidation, dropping the recordings it covers before it starts and once it is done. */
  async fence<T>(covers: ((key: string) => boolean) | undefined, invalidation: () => Promise<T>): Promise<T> {
    this.drop(covers);
    try {
      return await invalidation();
    } finally {
      this.drop(covers);
    }
  }

  /** `fence` for a write or delete of these keys. */
  fenceKeys<T>(keys: readonly unknown[], invalidation: () => Promise<T>): Promise<T> {
    const covered = new Set(keys);
    return this.fence((key) => covered.has(key), invalidation);
  }

  #plan<C>(call: StreamCall<C>): ReadPlan<C> {
    const { key } = call.lookup;
    const stored = this.host.peek(key);
    if (stored !== undefined) {
      const { chunks, gaps, figures } = storedStream<C>(stored, call.paced);
      this.#countReplay(call.lookup, figures);
      const recording = new Recording<C>();
      recording.replay(chunks, gaps, figures);
      return { recording, paced: call.paced };
    }
    const joined = this.#recordings.get(key) as Recording<C> | undefined;
    // Another request of this key is recording: read it too. A hit when it ends cleanly (with what the
    // recording cost) or when this reader leaves first; nothing when it fails (as a joined getOrCompute).
    if (joined?.joinable)
      return {
        recording: joined,
        paced: call.paced,
        onEnd: (r) => r.state !== 'failed' && this.#countReplay(call.lookup, r.figures),
      };
    const shared = this.#recordings.size < MAX_STREAM_RECORDINGS;
    const recording: Recording<C> = new Recording<C>(() => {
      if (this.#recordings.get(key) === recording) this.#recordings.delete(key);
    });
    if (shared) this.#recordings.set(key, recording);
    void this.#fill(call, recording, shared);
    return { recording, paced: call.paced };
  }

  #countReplay(lookup: Lookup, figures: Recording<unknown>['figures']): void {
    const it = figures?.it ?? 0;
    const ot = figures?.ot ?? 0;
    const cost = this.host.costOf(lookup.model, it, ot);
    this.host.metrics.recordHit(lookup.operation, lookup.tier, undefined, figures?.ms ?? 0, it, ot, cost);
    this.host.metrics.recordStreamReplay(lookup.operation);
  }

  /**
   * Runs the upstream through the composed cache's `getOrSet` (stored only when it ends cleanly and is
   * storable), or answers from what `getOrSet` found (stored meanwhile, or by another instance).
   */
  async #fill<C>(call: StreamCall<C>, recording: Recording<C>, shared: boolean): Promise<void> {
    const { key, operation } = call.lookup;
    try {
      if (!shared) {
        await this.#record(call, recording, undefined);
        return;
      }
      const ttl = lifetimeOfSeconds(
        call.ttlMs === undefined ? this.host.ttlFor(operation) : call.ttlMs / 1000,
      );
      // A getOrSet that joined a flight ending without a value (an aborted recording finishing) is retried.
      for (let attempt = 0; attempt < 5 && recording.state === 'live'; attempt++) {
        let ran = false;
        const note: SemanticNote = { vector: undefined, stored: false };
        const stored = await this.host.cache.getOrSet<StoredAIEntry | undefined>(
          key,
          (context) => {
            ran = true;
            return this.#recordInFlight(call, recording, context, note);
          },
          { ttl, lockTimeout: COMPUTE_LOCK_TIMEOUT },
        );
        if (ran) {
          // Indexed once stored, as getOrCompute's responses are.
          if (note.stored && note.vector && call.semantic)
            await call.semantic.matcher.record(
              call.semantic.request,
              note.vector,
              call.ttlMs ?? this.host.ttlFor(operation) * 1000,
            );
          return;
        }
        if (stored !== undefined) {
          const { chunks, gaps, figures } = storedStream<C>(stored, call.paced);
          recording.replay(chunks, gaps, figures);
          this.#countReplay(call.lookup, figures);
          return;
        }
      }
      if (recording.state === 'live') await this.#record(call, recording, undefined);
    } catch (error) {
      recording.fail(error);
    }
  }

  /**
   * The getOrSet factory: records the upstream, but lets getOrSet go as soon as the stream will not be
   * stored (too big, or dropped by an invalidation), so an identical request starts anew instead of waiting
   * in this flight for the end of a stream it cannot replay; the upstream is read on for its readers.
   */
  async #recordInFlight<C>(
    call: StreamCall<C>,
    recording: Recording<C>,
    context: FactoryContext<StoredAIEntry | undefined>,
    note: SemanticNote,
  ): Promise<StoredAIEntry | undefined> {
    // A cache that passes no context could not be told not to store the replayed entry: no lookup there.
    if (call.semantic && context) {
      const match = await call.semantic.matcher.match(call.semantic.request);
      if (match.hit) {
        // A near-identical request's recording replays; it is not stored under this key.
        context.skip();
        this.host.metrics.recordSemanticHit(call.lookup.operation);
        const { chunks, gaps, figures } = storedStream<C>(match.entry, call.paced);
        recording.replay(chunks, gaps, figures);
        this.#countReplay(call.lookup, figures);
        return match.entry;
      }
      note.vector = match.vector;
    }
    const recorded = this.#record(call, recording, context, note);
    const unstorable = recording.unshared().then(() => {
      if (!recording.unstorable && !recording.dropped) return recorded;
      context.skip();
      return undefined;
    });
    return Promise.race([recorded, unstorable]);
  }

  /** Reads the upstream into the recording; the entry to store, or undefined (`context.skip()` then). */
  async #record<C>(
    call: StreamCall<C>,
    recording: Recording<C>,
    context: FactoryContext<StoredAIEntry | undefined> | undefined,
    note?: SemanticNote,
  ): Promise<StoredAIEntry | undefined> {
    const { operation } = call.lookup;
    const { metrics } = this.host;
    metrics.recordMiss(operation, call.lookup.tier);
    const started = hrtimeMs();
    const announce = (outcome: AIComputeEvent['outcome']): void =>
      this.host.announce({
        operation: metrics.nameOf(operation),
        kind: 'stream',
        durationMs: hrtimeMs() - started,
        outcome,
      });
    const aborted = (): undefined => {
      announce('aborted');
      context?.skip();
      return undefined;
    };
    try {
      const produced = Promise.resolve(call.produce());
      const iterable = await recording.race(produced);
      if (iterable === ABORTED) {
        void produced.then(
          (late) => close(late[Symbol.asyncIterator]()),
          () => undefined,
        );
        return aborted();
      }
      if (typeof (iterable as Partial<AsyncIterable<C>>)?.[Symbol.asyncIterator] !== 'function')
        throw new ValidationError('produce must return an AsyncIterable', { option: 'produce' });
      const iterator = iterable[Symbol.asyncIterator]();
      for (;;) {
        if (recording.unstorable) await recording.demanded();
        const next = await recording.race(iterator.next());
        if (next === ABORTED) {
          close(iterator);
          return aborted();
        }
        if (next.done) break;
        recording.push(next.value, hrtimeMs());
      }
      const entry = this.#entryOf(call, recording, hrtimeMs() - started, note?.vector);
      const storable =
        !recording.unstorable && !recording.dropped && (call.shouldStore?.(recording.chunks) ?? true);
      if (note) note.stored = storable;
      metrics.recordCompute(operation, entry.ms);
      if (!storable) context?.skip();
      recording.finish({ ms: entry.ms, it: entry.it, ot: entry.ot });
      announce(storable && context !== undefined ? 'stored' : 'skipped');
      // Undefined, not the entry, when it must not be stored: a cache that passes no context stores what it gets.
      return storable ? entry : undefined;
    } catch (error) {
      if (recording.state === 'aborted') return aborted();
      metrics.recordComputeError(operation);
      announce('error');
      recording.fail(error);
      throw error;
    }
  }

  #entryOf<C>(
    call: StreamCall<C>,
    recording: Recording<C>,
    ms: number,
    vector: Float32Array | undefined,
  ): StoredAIEntry {
    // The chunks as they came, for `tokensSaved`, unless some were dropped (past the bounds).
    const chunks = recording.complete ? [...recording.chunks] : [];
    const tokens = typeof call.tokens === 'function' ? call.tokens(chunks) : call.tokens;
    const usage = tokens === undefined ? undefined : usageOf(tokens);
    const entry: StoredAIEntry = { $tcai: 1, v: chunks, ms, d: [...recording.gaps] };
    if (usage) {
      entry.it = usage.inputTokens;
      entry.ot = usage.outputTokens;
    }
    const ttlMs = call.ttlMs ?? this.host.ttlFor(call.lookup.operation) * 1000;
    if (vector && call.semantic)
      entry.s = call.semantic.matcher.blockFor(call.semantic.request, vector, ttlMs);
    return entry;
  }
}

/**
 * A stored recording: its chunks (a value stored otherwise is one chunk), its figures, and its gaps when
 * `paced` and they are well formed (checked only then: a fast replay does not read them).
 */
function storedStream<C>(
  stored: unknown,
  paced: boolean,
): {
  chunks: readonly C[];
  gaps: readonly number[] | undefined;
  figures: Recording<C>['figures'];
} {
  const entry = stored as Partial<StoredAIEntry>;
  const isEntry = typeof stored === 'object' && stored !== null && entry.$tcai === 1;
  const value = isEntry ? entry.v : stored;
  const chunks = (Array.isArray(value) ? value : [value]) as C[];
  const gaps = entry.d;
  const valid =
    paced &&
    isEntry &&
    Array.isArray(gaps) &&
    gaps.length === chunks.length &&
    gaps.every((g) => typeof g === 'number' && g >= 0 && g < 3_600_000);
  const figures = isEntry ? { ms: entry.ms ?? 0, it: entry.it, ot: entry.ot } : undefined;
  return { chunks, gaps: valid ? gaps : undefined, figures };
}

/** Closes an upstream iterator nobody reads any more (cancels the request behind it), ignoring its errors. */
function close(iterator: AsyncIterator<unknown>): void {
  try {
    void iterator.return?.()?.catch(() => undefined);
  } catch {
    // an iterator whose return() throws has nothing left to close
  }
}

/** `{ inputTokens, outputTokens }` from a number (output tokens) or a usage object; else a ValidationError. */
function usageOf(tokens: unknown): TokenUsage {
  const count = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (count(tokens)) return { inputTokens: 0, outputTokens: tokens as number };
  const usage = tokens as Partial<TokenUsage> | null;
  if (typeof usage === 'object' && usage !== null && count(usage.inputTokens) && count(usage.outputTokens))
    return { inputTokens: usage.inputTokens as number, outputTokens: usage.outputTokens as number };
  throw new ValidationError(
    'tokensSaved must be a non-negative number or { inputTokens, outputTokens } (or a function returning one)',
    { option: 'tokensSaved' },
  );
}
