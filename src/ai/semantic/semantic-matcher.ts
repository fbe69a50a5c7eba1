import { hash } from 'node:crypto';
import type { SemanticEvent } from '../../core/events.js';
import { isStoredEntry, type SemanticBlock, type StoredAIEntry } from '../ai-entry.js';
import type { AIRequest } from '../ai-request.js';
import { canonicalJson } from '../canonical-json.js';
import { decodeVector, embedOne, encodeVector } from './embedding.js';
import { readText, vetoReason, type Reading } from './guard.js';
import type { ResolvedSemantic } from './semantic-options.js';
import type { SharedIndex } from './shared-index.js';
import { VectorIndex, type Candidate } from './vector-index.js';

/** What the matcher needs from the AI cache: coherent reads, its events and counters, the Redis index. */
export interface SemanticHost {
  /** Reads an entry through the composed cache (so an invalidated entry is a miss here too). */
  read(key: string): Promise<unknown>;
  readMany(keys: string[]): Promise<unknown[]>;
  /** False while the composed cache cannot reach its store: a miss then proves nothing. */
  healthy(): boolean;
  announce(event: SemanticEvent): void;
  recordRejected(operation: string): void;
  shared: SharedIndex | undefined;
  now(): number;
}

/** A request's place in the index: its partition and the text that is embedded and guarded. */
export interface SemanticRequest {
  operation: string;
  key: string;
  partition: string;
  text: string;
}

/** What a lookup found: a near-identical request's entry, or the vector to index the computed response with. */
export type SemanticMatch =
  | { hit: true; entry: StoredAIEntry; matchedKey: string; similarity: number }
  | { hit: false; vector: Float32Array | undefined };

interface Partition {
  index: VectorIndex | undefined;
  /** The last score of the Redis list read into the index. */
  lastScore: number;
  syncing: Promise<void> | undefined;
}

/** Entries read per MGET while loading a partition from Redis. */
const LOAD_BATCH = 500;
/** The Redis list of a partition whose entries never expire lives this long after its last addition. */
const NO_EXPIRY_LIST_MS = 365 * 86_400_000;

/**
 * Semantic matching (docs/semantic-cache.md). The index only proposes: a candidate is read back through
 * the composed cache and answers only if it is still there, in the same partition, close enough by its
 * own stored vector, and accepted by the guard (and read again, unchanged, after a verifier's wait). So
 * an entry deleted, overwritten, expired or invalidated anywhere is never served, whatever the index lists.
 */
export class SemanticMatcher {
  readonly #partitions = new Map<string, Partition>();

  constructor(
    readonly settings: ResolvedSemantic,
    private readonly host: SemanticHost,
  ) {}

  /**
   * The partition (operation, tenant, model, options, the embedder, value or stream; with a question, the
   * document too) and the text to match: the question when there is one, else the text. Undefined for a
   * text longer than `maxTextLength` (matched by its exact key only).
   */
  requestOf(request: AIRequest, key: string, stream: boolean): SemanticRequest | undefined {
    const { operation, text, options, question, model, tenant } = request;
    const matched = question ?? text;
    if (matched.length > this.settings.maxTextLength) return undefined;
    const scope = [
      this.settings.embed.id,
      operation,
      tenant ?? null,
      model ?? null,
      options === undefined ? '{}' : canonicalJson(options, 'options'),
      question === undefined ? null : hash('sha256', text, 'hex'),
      stream,
    ];
    const partition = hash('sha256', JSON.stringify(scope), 'hex').slice(0, 32);
    return { operation, key, partition, text: matched };
  }

  /** Looks for a stored near-identical request; never throws (a failure is an `error` event and a miss). */
  async match(request: SemanticRequest): Promise<SemanticMatch> {
    const { settings, host } = this;
    const partition = this.#partition(request.partition);
    let vector: Float32Array;
    try {
      vector = await this.#within(
        embedOne(settings.embed, request.text, partition.index?.dimensions),
        'semantic.embed',
      );
    } catch (error) {
      this.#announce(request, 'error', { error: toError(error), reason: toError(error).message });
      return { hit: false, vector: undefined };
    }
    // Redis unreachable: what this process holds still answers (the cache reports the outage itself).
    await this.#sync(request.partition, partition).catch(() => undefined);
    const candidates = partition.index?.search(
      vector,
      settings.threshold,
      settings.maxCandidates,
      host.now(),
    );
    let query: Reading | undefined;
    for (const candidate of candidates ?? []) {
      query ??= readText(request.text);
      const found = await this.#judge(request, query, vector, candidate);
      if (found) return found;
    }
    this.#announce(request, 'miss', {});
    return { hit: false, vector };
  }

  /** One candidate, read back and judged on its own entry; the hit, or undefined to try the next one. */
  async #judge(
    request: SemanticRequest,
    query: Reading,
    vector: Float32Array,
    candidate: Candidate,
  ): Promise<SemanticMatch | undefined> {
    const { key } = candidate;
    const stored = await this.host.read(key).catch(() => undefined);
    const block = blockOf(stored, request.partition);
    const storedVector = block === undefined ? undefined : decodeVector(block.e);
    if (block === undefined || storedVector === undefined || storedVector.length !== vector.length) {
      // Gone (or another request's now): forgotten, unless the cache could not tell (an outage).
      if (this.host.healthy()) this.#forget(request.partition, [key]);
      return undefined;
    }
    const similarity = Math.min(1, dot(vector, storedVector));
    if (similarity < this.settings.threshold) return undefined;
    const reason = await this.#veto(request.text, query, block.t);
    if (reason !== undefined) {
      this.host.recordRejected(request.operation);
      this.#announce(request, 'rejected', { matchedKey: key, similarity, reason });
      return undefined;
    }
    // A verifier may take long (an LLM judge): the entry must still be the one it judged.
    if (
      this.settings.verify !== undefined &&
      !sameEntry(stored, await this.host.read(key).catch(() => undefined))
    )
      return undefined;
    this.#announce(request, 'hit', { matchedKey: key, similarity });
    return { hit: true, entry: stored as StoredAIEntry, matchedKey: key, similarity };
  }

  /** The block to store in the entry of a computed response (`ttlMs` 0: it never expires). */
  blockFor(request: SemanticRequest, vector: Float32Array, ttlMs: number): SemanticBlock {
    return {
      t: request.text,
      e: encodeVector(vector),
      p: request.partition,
      x: ttlMs > 0 ? this.host.now() + ttlMs : 0,
    };
  }

  /** Indexes a stored response here and in Redis (after its entry was written, so a listed key has one). */
  async record(request: SemanticRequest, vector: Float32Array, ttlMs: number): Promise<void> {
    const partition = this.#partition(request.partition);
    partition.index ??= new VectorIndex(vector.length, this.settings.maxEntries);
    if (partition.index.dimensions === vector.length)
      partition.index.add(request.key, vector, expiryOf(ttlMs > 0 ? this.host.now() + ttlMs : 0));
    // A failed listing (Redis down) costs other instances this match, nothing else.
    const listMs = ttlMs > 0 ? ttlMs : NO_EXPIRY_LIST_MS;
    await this.host.shared?.add(request.partition, request.key, listMs).catch(() => undefined);
  }

  /** Drops the keys an invalidation here covers (every key without a matcher). */
  forgetWhere(matches: ((key: string) => boolean) | undefined): void {
    if (matches === undefined) this.#partitions.clear();
    else for (const { index } of this.#partitions.values()) index?.removeWhere(matches);
  }

  /** Indexed requests in process, over every partition. */
  get size(): number {
    let size = 0;
    for (const { index } of this.#partitions.values()) size += index?.size ?? 0;
    return size;
  }

  /** The built-in checks, then the verifier; a check that throws (a bug) vetoes, it never fails the call. */
  async #veto(text: string, query: Reading, storedText: string): Promise<string | undefined> {
    try {
      const reason = vetoReason(query, readText(storedText), this.settings.checks);
      const { verify } = this.settings;
      if (reason !== undefined || verify === undefined) return reason;
      const accepted = await this.#within(Promise.resolve(verify(text, storedText)), 'semantic.guard.verify');
      return accepted === true ? undefined : 'refused by semantic.guard.verify';
    } catch (error) {
      return `${toError(error).message}`;
    }
  }

  /** `work`, or a rejection once `semantic.timeout` has passed (the work itself is left to finish). */
  #within<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} took longer than semantic.timeout`)),
        this.settings.timeoutMs,
      );
      timer.unref();
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  /** Reads into the index what other instances listed in Redis since the last look. */
  async #sync(id: string, partition: Partition): Promise<void> {
    const { shared } = this.host;
    if (shared === undefined) return;
    if (partition.syncing) return partition.syncing;
    partition.syncing = (async () => {
      const { keys, lastScore } = await shared.since(id, partition.lastScore);
      const unknown = keys.filter((k) => !partition.index?.has(k));
      for (let i = 0; i < unknown.length; i += LOAD_BATCH) {
        const batch = unknown.slice(i, i + LOAD_BATCH);
        const entries = await this.host.readMany(batch);
        const gone: string[] = [];
        batch.forEach((key, j) => {
          const block = blockOf(entries[j], id);
          const vector = block === undefined ? undefined : decodeVector(block.e);
          if (block === undefined || vector === undefined) return gone.push(key);
          partition.index ??= new VectorIndex(vector.length, this.settings.maxEntries);
          // Another dimension (a model changed without a new id): skipped, left to its own readers.
          if (vector.length === partition.index.dimensions)
            partition.index.add(key, vector, expiryOf(block.x));
        });
        // Listed without an entry: forgotten, unless the cache could not tell (an outage).
        if (this.host.healthy()) this.host.shared?.forget(id, gone);
      }
      partition.lastScore = lastScore;
    })().finally(() => {
      partition.syncing = undefined;
    });
    return partition.syncing;
  }

  #forget(id: string, keys: string[]): void {
    for (const key of keys) this.#partitions.get(id)?.index?.remove(key);
    this.host.shared?.forget(id, keys);
  }

  /** A partition's state, most recently used last; past `maxPartitions`, the least recently used goes. */
  #partition(id: string): Partition {
    let partition = this.#partitions.get(id);
    if (partition) {
      this.#partitions.delete(id);
    } else {
      partition = { index: undefined, lastScore: 0, syncing: undefined };
      if (this.#partitions.size >= this.settings.maxPartitions)
        this.#partitions.delete(this.#partitions.keys().next().value as string);
    }
    this.#partitions.set(id, partition);
    return partition;
  }

  #announce(
    request: SemanticRequest,
    outcome: SemanticEvent['outcome'],
    details: Partial<SemanticEvent>,
  ): void {
    this.host.announce({ operation: request.operation, key: request.key, outcome, ...details });
  }
}

/** An entry's expiry for the in-process index: 0 (no expiry) never comes. */
function expiryOf(x: number): number {
  return x > 0 ? x : Number.POSITIVE_INFINITY;
}

/** The semantic block of a stored entry of this partition, or undefined. */
function blockOf(stored: unknown, partition: string): SemanticBlock | undefined {
  if (!isStoredEntry(stored)) return undefined;
  const block = stored.s;
  if (typeof block !== 'object' || block === null || block.p !== partition) return undefined;
  return typeof block.t === 'string' && typeof block.x === 'number' ? block : undefined;
}

/** The same stored answer: the same request text, vector and value (entries are JSON). */
function sameEntry(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isStoredEntry(a) || !isStoredEntry(b)) return false;
  return a.s?.e === b.s?.e && a.s?.t === b.s?.t && JSON.stringify(a.v) === JSON.stringify(b.v);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
