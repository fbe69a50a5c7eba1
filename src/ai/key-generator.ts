import { getHashes, hash } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { isPlainObject } from '../core/objects.js';
import { canonicalJson } from './canonical-json.js';

/** Options of an AI request; `question` is keyed separately (`q:`), everything else is hashed into `opts:`. */
export type AIRequestOptions = Record<string, unknown> & { question?: string };

export const AI_KEY_PREFIX = 'ai_cache:op:';
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
}

/** Builds AI cache keys in the v2 scheme: `ai_cache:op:{op}|txt:{text}|opts:{h}|q:{h}` (SPEC §5). */
export class CacheKeyGenerator {
  readonly textHashThreshold: number;
  readonly hashAlgorithm: string;

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
    this.textHashThreshold = threshold;
    this.hashAlgorithm = algorithm;
  }

  /** Digests of recent options and questions: the same few recur on every request of a service. */
  readonly #digests = new Map<string, string>();

  /** Operations already validated (a service uses a handful): skips the regex on every request. */
  readonly #validOperations = new Set<string>();

  buildKey(text: string, operation: string, options?: AIRequestOptions): string {
    if (!this.#validOperations.has(operation)) {
      assertOperation(operation);
      if (this.#validOperations.size < 256) this.#validOperations.add(operation);
    }
    if (typeof text !== 'string') throw new ValidationError('text must be a string', { option: 'text' });
    if (options !== undefined && !isPlainObject(options)) {
      throw new ValidationError('options must be a plain JSON object', { option: 'options' });
    }
    let key = `${AI_KEY_PREFIX}${operation}|txt:${this.#textPart(text)}`;
    if (options) {
      const canonical = canonicalJson(options, 'options', 'question');
      if (canonical !== '{}') key += `|opts:${this.#memoDigest(canonical)}`;
      const { question } = options;
      if (question !== undefined) {
        if (typeof question !== 'string')
          throw new ValidationError('question must be a string', { option: 'question' });
        key += `|q:${question.length > 256 ? this.#digest(question) : this.#memoDigest(question)}`;
      }
    }
    return key;
  }

  #textPart(text: string): string {
    if (!codePointsExceed(text, this.textHashThreshold)) {
      return text.includes('|') || text.includes(':') ? text.replace(/[|:]/g, '_') : text;
    }
    return `hash:${this.#digest(text)}`;
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
    return hash(this.hashAlgorithm, data, 'hex').slice(0, 16);
  }
}

/** The operation of an AI key, or `undefined` for other keys. */
export function operationOfKey(key: string): string | undefined {
  if (!key.startsWith(AI_KEY_PREFIX)) return undefined;
  const end = key.indexOf('|', AI_KEY_PREFIX.length);
  return end < 0 ? undefined : key.slice(AI_KEY_PREFIX.length, end);
}
