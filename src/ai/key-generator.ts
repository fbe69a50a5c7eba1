import { getHashes, hash } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { isPlainObject } from '../core/objects.js';
import { escapeGlob } from '../core/pattern.js';
import type { AIRequest } from './ai-request.js';
import { canonicalJson } from './canonical-json.js';
import {
  MAX_EMBEDDED_SCOPE_BYTES,
  MAX_KEY_BYTES,
  V3_DIGEST_HEX,
  digestPart,
  embedOrHash,
  hashPart,
} from './key-encoding.js';

/** Options of an AI request; `question` is keyed separately (`q:`), everything else is hashed into `opts:`. */
export type AIRequestOptions = Record<string, unknown> & { question?: string };

/** `'v3'`: exact keys (docs/ai-cache.md); `'v2'`: the original system's keys, lossy (kept to share them). */
export type KeyScheme = 'v3' | 'v2';

/** The prefix of v2 keys (`ai_cache:op:{operation}|…`). */
export const AI_KEY_PREFIX = 'ai_cache:op:';
/** The prefix of v3 keys (`ai_cache:v3:op:{operation}|…`). */
const V3_PREFIX = 'ai_cache:v3:op:';
const OPERATION_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const OPERATION_MESSAGE = "operation must be 1-64 characters of letters, digits, '_', '-' or '.'";

/** Throws the SPEC §5 message unless `operation` is 1–64 of `[A-Za-z0-9_.-]`. */
export function assertOperation(operation: unknown): asserts operation is string {
  if (typeof operation !== 'string' || !OPERATION_PATTERN.test(operation)) {
    throw new ValidationError(OPERATION_MESSAGE, { option: 'operation' });
  }
}

/**
 * Whether `text` has more than `limit` Unicode code points. The UTF-16 length bounds the answer (a code
 * point takes one or two units), so only texts between `limit` and `2 × limit` units are counted: a 1 MB
 * text is never walked.
 */
export function codePointsExceed(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  if (text.length > 2 * limit) return true;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++count > limit) return true;
  }
  return false;
}

export interface CacheKeyGeneratorOptions {
  /** Texts longer than this many code points are hashed instead of embedded. @default 1000 */
  textHashThreshold?: number;
  /** Node hash algorithm for texts, options and questions. @default 'sha256' */
  hashAlgorithm?: string;
  /** `'v3'` exact keys, or `'v2'` to share keys with the original Python system (lossy). @default 'v3' */
  keyScheme?: KeyScheme;
}

/** Which responses `invalidateByOperation` removes besides the operation: one tenant's, one model's. */
export interface OperationScope {
  tenant?: string;
  model?: string;
}

/**
 * Builds AI cache keys (SPEC §5, docs/ai-cache.md). v3 (the default):
 * `ai_cache:v3:op:{op}[|tenant:{t}][|model:{m}]|txt:{text}[|opts:{h}][|q:{h}][|stream]`, values escaped, a
 * text hashed when it would not fit in 1024 bytes. v2: `ai_cache:op:{op}|txt:{text}|opts:{h}|q:{h}`.
 */
export class CacheKeyGenerator {
  readonly textHashThreshold: number;
  readonly hashAlgorithm: string;
  readonly keyScheme: KeyScheme;

  constructor(options: CacheKeyGeneratorOptions = {}) {
    const threshold = options.textHashThreshold ?? 1000;
    if (!Number.isInteger(threshold) || threshold < 0) {
      throw new ValidationError('textHashThreshold must be a non-negative integer', {
        option: 'textHashThreshold',
      });
    }
    const algorithm = options.hashAlgorithm ?? 'sha256';
    if (typeof algorithm !== 'string' || !getHashes().includes(algorithm)) {
      throw new ValidationError(`hashAlgorithm must be one of Node's hash algorithms (e.g. 'sha256')`, {
        option: 'hashAlgorithm',
      });
    }
    const scheme = options.keyScheme ?? 'v3';
    if (scheme !== 'v3' && scheme !== 'v2') {
      throw new ValidationError("keyScheme must be 'v3' or 'v2'", { option: 'keyScheme' });
    }
    this.textHashThreshold = threshold;
    this.hashAlgorithm = algorithm;
    this.keyScheme = scheme;
    this.#digestHex = scheme === 'v3' ? V3_DIGEST_HEX : 16;
  }

  readonly #digestHex: number;

  /** Digests of recent options and questions: the same few recur on every request of a service. */
  readonly #digests = new Map<string, string>();

  /** Operations already validated (a service uses a handful): skips the regex on every request. */
  readonly #validOperations = new Set<string>();

  /** The key of `text` under `operation`; `options.question` is the question. */
  buildKey(text: string, operation: string, options?: AIRequestOptions): string {
    return this.#build(operation, text, options, undefined, undefined, false);
  }

  /**
   * The key of a whole request (with its model and tenant); `stream` keys a recorded stream apart. v3 refuses
   * `options.question` (it would be confused with the request's `question`); v2 merges them as the original did.
   */
  keyFor(request: AIRequest, stream = false): string {
    const { operation, text, options, question, model, tenant } = request;
    if (this.keyScheme === 'v3' && isPlainObject(options) && Object.hasOwn(options, 'question'))
      throw new ValidationError(
        "options.question is not allowed in a request: use the request's question field",
        {
          option: 'options',
        },
      );
    const merged = question === undefined ? options : { ...options, question };
    return this.#build(operation, text, merged, model, tenant, stream);
  }

  /**
   * The glob (SCAN MATCH syntax) matching every key of one operation, and of one tenant and/or model within
   * it. Exact: values are escaped in keys, so `|tenant:{t}|` occurs only in that tenant's keys.
   */
  operationPattern(operation: string, scope: OperationScope = {}): string {
    if (typeof operation !== 'string' || operation === '')
      throw new ValidationError('operation must be a non-empty string', { option: 'operation' });
    if (typeof scope !== 'object' || scope === null)
      throw new ValidationError('scope must be { tenant?, model? }', { option: 'scope' });
    const { tenant, model } = scope;
    if (this.keyScheme === 'v2') {
      if (tenant !== undefined || model !== undefined)
        throw new ValidationError("a tenant or model scope needs keyScheme 'v3' (v2 keys carry neither)", {
          option: tenant !== undefined ? 'tenant' : 'model',
        });
      return `${AI_KEY_PREFIX}${escapeGlob(operation)}|*`;
    }
    let pattern = `${V3_PREFIX}${escapeGlob(operation)}|`;
    if (tenant !== undefined) pattern += `tenant:${escapeGlob(this.#scopePart(tenant, 'tenant'))}|`;
    if (model !== undefined) {
      const part = `model:${escapeGlob(this.#scopePart(model, 'model'))}|`;
      // Without a tenant, any tenant part may come first: `*` spans it, and `model:` (a raw colon) occurs
      // nowhere else, since escaped values hold no colon.
      pattern += tenant === undefined ? `*${part}` : part;
    }
    return `${pattern}*`;
  }

  #build(
    operation: string,
    text: string,
    options: AIRequestOptions | undefined,
    model: string | undefined,
    tenant: string | undefined,
    stream: boolean,
  ): string {
    if (!this.#validOperations.has(operation)) {
      assertOperation(operation);
      if (this.#validOperations.size < 256) this.#validOperations.add(operation);
    }
    if (typeof text !== 'string') throw new ValidationError('text must be a string', { option: 'text' });
    if (options !== undefined && !isPlainObject(options)) {
      throw new ValidationError('options must be a plain JSON object', { option: 'options' });
    }
    let tail = '';
    if (options) {
      const canonical = canonicalJson(options, 'options', 'question');
      if (canonical !== '{}') tail += `|opts:${this.#memoDigest(canonical)}`;
      const { question } = options;
      if (question !== undefined) {
        if (typeof question !== 'string')
          throw new ValidationError('question must be a string', { option: 'question' });
        tail += `|q:${question.length > 256 ? this.#digest(question) : this.#memoDigest(question)}`;
      }
    }
    if (this.keyScheme === 'v2') return this.#buildV2(operation, text, tail, model, tenant, stream);
    let head = V3_PREFIX + operation;
    let headBytes = head.length;
    if (tenant !== undefined || model !== undefined) {
      if (tenant !== undefined) head += `|tenant:${this.#scopePart(tenant, 'tenant')}`;
      if (model !== undefined) head += `|model:${this.#scopePart(model, 'model')}`;
      headBytes = Buffer.byteLength(head);
    }
    if (stream) tail += '|stream';
    // The tail is ASCII (digests), so its length is its size in bytes.
    const budget = MAX_KEY_BYTES - headBytes - '|txt:'.length - tail.length;
    const textPart = codePointsExceed(text, this.textHashThreshold)
      ? this.#hashText(text)
      : embedOrHash(text, budget, this.hashAlgorithm, V3_DIGEST_HEX);
    return `${head}|txt:${textPart}${tail}`;
  }

  /** v2 as the original: `|` and `:` replaced by `_` (lossy); a text whose key would pass 1024 bytes is hashed. */
  #buildV2(
    operation: string,
    text: string,
    tail: string,
    model: string | undefined,
    tenant: string | undefined,
    stream: boolean,
  ): string {
    if (tenant !== undefined || model !== undefined) {
      throw new ValidationError(
        "model and tenant are keyed with keyScheme 'v3' only; with 'v2' put them in options",
        { option: tenant !== undefined ? 'tenant' : 'model' },
      );
    }
    if (stream) tail += '|stream';
    const head = `${AI_KEY_PREFIX}${operation}|txt:`;
    if (!codePointsExceed(text, this.textHashThreshold)) {
      const kept = text.includes('|') || text.includes(':') ? text.replace(/[|:]/g, '_') : text;
      const key = head + kept + tail;
      if (key.length * 3 <= MAX_KEY_BYTES || Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
    }
    return `${head}hash:${this.#digest(text)}${tail}`;
  }

  /** A tenant or model: a non-empty string, escaped, or hashed when longer than 128 bytes. */
  #scopePart(value: unknown, name: 'tenant' | 'model'): string {
    if (typeof value !== 'string' || value === '')
      throw new ValidationError(`${name} must be a non-empty string`, { option: name });
    return embedOrHash(value, MAX_EMBEDDED_SCOPE_BYTES, this.hashAlgorithm, V3_DIGEST_HEX);
  }

  #hashText(text: string): string {
    return hashPart(this.hashAlgorithm, text, V3_DIGEST_HEX);
  }

  #memoDigest(data: string): string {
    let digest = this.#digests.get(data);
    if (digest === undefined) {
      if (this.#digests.size >= 1024) this.#digests.clear();
      digest = this.#digest(data);
      this.#digests.set(data, digest);
    }
    return digest;
  }

  #digest(data: string): string {
    return this.keyScheme === 'v3'
      ? digestPart(this.hashAlgorithm, data, this.#digestHex)
      : hash(this.hashAlgorithm, data, 'hex').slice(0, this.#digestHex);
  }
}

/** The operation of an AI key (v3 or v2), or `undefined` for other keys. */
export function operationOfKey(key: string): string | undefined {
  const prefix = key.startsWith(V3_PREFIX) ? V3_PREFIX : key.startsWith(AI_KEY_PREFIX) ? AI_KEY_PREFIX : '';
  if (prefix === '') return undefined;
  const end = key.indexOf('|', prefix.length);
  return end < 0 ? undefined : key.slice(prefix.length, end);
}
