import { hash } from 'node:crypto';
import type { SemanticEvent } from '../../core/events.js';
import type { AIRequest } from '../ai-request.js';
import { isStoredEntry, type SemanticBlock, type StoredAIEntry } from '../ai-entry.js';
import { canonicalJson } from '../canonical-json.js';
import { decodeVector, embedOne, encodeVector } from './embedding.js';
import { readText, vetoReason } from './guard.js';
import type { ResolvedSemantic } from './semantic-options.js';
import type { SharedIndex } from './shared-index.js';
import { VectorIndex } from './vector-index.js';

/** What the matcher needs from the AI cache: coherent reads, its events and counters, the Redis index. */
export interface SemanticHost {
  /** Reads an entry through the composed cache (so an invalidated entry is a miss here too). */
  read(key: string): Promise<unknown>;
  readMany(keys: string[]): Promise<unknown[]>;
  announce(event: SemanticEvent): void;
  recordHit(operation: string): void;
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

/** What a miss hands to the store: the block to keep in the entry, so any instance can index it. */
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

/**
 * Semantic matching (docs/semantic-cache.md). The index only proposes: a candidate is read back through
 * the composed cache and answers only if it is still there, in the same partition, close enough by its
 * own stored vector, and accepted by the guard. So an entry deleted, overwritten, expired or invalidated
 * anywhere can never be served, whatever the index still lists.
 */
export class SemanticMatcher {
  readonly #partitions = new Map<string, Partition>();

  constructor(
    readonly settings: ResolvedSemantic,
    private readonly host: SemanticHost,
  ) {}

  /**
   * The partition (operation, tenant, model, options, the embedder, value or stream; with a question, the
   * document too) and the text to match: the question when there is one, else the text.
   */
  requestOf(request: AIRequest, key: string, stream: boolean): SemanticRequest {
    const { operation, text, options, question, model, tenant } = request;
    const scope = [
      this.settings.embed.id ?? 'custom',
      operation,
      tenant ?? null,
      model ?? null,
      options === undefined ? '{}' : canonicalJson(options, 'options'),
      question === undefined ? null : hash('sha256', text, 'hex'),
      stream,
    ];
    const partition = hash('sha256', JSON.stringify(scope), 'hex').slice(0, 32);
    return { operation, key, partition, text: question ?? text };
  }

  /** Looks for a stored near-identical request; never throws (a failure is an `error` event and a miss). */
  async match(request: SemanticRequest): Promise<SemanticMatch> {
    const { settings, host } = this;
    const partition = this.#partition(request.partition);
    let vector: Float32Array;
    try {
      vector = await embedOne(settings.embed, request.text, partition.index?.dimensions);
    } catch (error) {
      this.#announce(request, 'error', { error: toError(error), reason: toError(error).message });
      return { hit: false, vector: undefined };
    }
    // Redis unreachable: what this process holds still answers (the cache reports the outage itself).
    await this.#sync(request.partition, partition).catch(() => undefined);
    const index = partition.index;
    const candidates = index?.search(vector, settings.threshold, settings.maxCandidates, host.now()) ?? [];
    const query = candidates.length > 0 ? readText(request.text) : undefined;
    for (const candidate of candidates) {
      const stored = await host.read(candidate.key).catch(() => undefined);
      const block = blockOf(stored, request.partition);
      const storedVector = block === undefined ? undefined : decodeVector(block.e);
      if (block === undefined || storedVector === undefined || storedVector.length !== vector.length) {
        this.#forget(request.partition, [candidate.key]);
        continue;
      }
      // Judged on the entry itself, not on what the index remembered of it.
      const similarity = Math.min(1, dot(vector, storedVector));
      if (similarity < settings.threshold) continue;
      const reason = await this.#veto(request.text, query!, block.t);
      if (reason !== undefined) {
        host.recordRejected(request.operation);
        this.#announce(request, 'rejected', { matchedKey: candidate.key, similarity, reason });
        continue;
      }
      host.recordHit(request.operation);
      this.#announce(request, 'hit', { matchedKey: candidate.key, similarity });
      return { hit: true, entry: stored as StoredAIEntry, matchedKey: candidate.key, similarity };
    }
    this.#announce(request, 'miss', {});
    return { hit: false, vector };
  }

  /** The block to store in the entry of a computed response. */
  blockFor(request: SemanticRequest, vector: Float32Array, ttlMs: number): SemanticBlock {
    return { t: request.text, e: encodeVector(vector), p: request.partition, x: this.host.now() + ttlMs };
  }

  /** Indexes a stored response here and in Redis (after its entry was written, so a listed key has one). */
  async record(request: SemanticRequest, vector: Float32Array, ttlMs: number): Promise<void> {
    const partition = this.#partition(request.partition);
    partition.index ??= new VectorIndex(vector.length, this.settings.maxEntries);
    if (partition.index.dimensions === vector.length)
      partition.index.add(request.key, request.text, vector, this.host.now() + ttlMs);
    // A failed listing (Redis down) costs other instances this match, nothing else.
    await this.host.shared?.add(request.partition, request.key, ttlMs).catch(() => undefined);
  }

  /** Drops the keys an invalidation here covers (every key without a matcher). */
  forgetWhere(matches: ((key: string) => boolean) | undefined): void {
    if (matches === undefined) this.#partitions.clear();
    else for (const { index } of this.#partitions.values()) index?.removeWhere(matches);
  }

  /** Indexed requests in process, over every partition (for tests and the status). */
  get size(): number {
    let size = 0;
    for (const { index } of this.#partitions.values()) size += index?.size ?? 0;
    return size;
  }

  async #veto(
    text: string,
    query: ReturnType<typeof readText>,
    storedText: string,
  ): Promise<string | undefined> {
    const reason = vetoReason(query, readText(storedText), this.settings.checks);
    if (reason !== undefined || this.settings.verify === undefined) return reason;
    try {
      return (await this.settings.verify(text, storedText)) === true
        ? undefined
        : 'refused by semantic.guard.verify';
    } catch (error) {
      return `semantic.guard.verify threw: ${toError(error).message}`;
    }
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
          if (vector.length === partition.index.dimensions)
            partition.index.add(key, block.t, vector, block.x);
        });
        this.#forget(id, gone);
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

/** The semantic block of a stored entry of this partition, or undefined. */
function blockOf(stored: unknown, partition: string): SemanticBlock | undefined {
  if (!isStoredEntry(stored)) return undefined;
  const block = stored.s;
  if (typeof block !== 'object' || block === null || block.p !== partition) return undefined;
  return typeof block.t === 'string' && typeof block.x === 'number' ? block : undefined;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
