import { parseLifetimeMs, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { codePointsExceed } from './key-generator.js';

/**
 * How long a caller waits for a compute of the same request running elsewhere before it gets a
 * `LockTimeoutError`: LLM calls are slow, and waiting costs less than a second call.
 */
export const COMPUTE_LOCK_TIMEOUT = '2m';

/** One AI request: what `getOrCompute` and `getOrComputeStream` key on. */
export interface AIRequest {
  operation: string;
  text: string;
  options?: Record<string, unknown>;
  question?: string;
  /** The model that answers: two models' answers to one prompt are kept apart (key scheme v3). */
  model?: string;
  /** Whose request it is: two tenants never share an entry (key scheme v3). */
  tenant?: string;
}

/** Options of one `getOrCompute` call. */
export interface AIComputeOptions {
  /** How long the response is kept. @default the operation's TTL (`operationTtls`), else `defaultTtl` */
  ttl?: Duration;
}

/**
 * Checks a request's shape (the text, operation and options are checked by the key builder). An unknown
 * field is refused: it would otherwise be silently left out of the key.
 */
export function assertRequest(request: AIRequest, compute: unknown, computeName = 'compute'): void {
  if (typeof request !== 'object' || request === null)
    throw new ValidationError('request must be an object', { option: 'request' });
  if (typeof compute !== 'function')
    throw new ValidationError(`${computeName} must be a function`, { option: computeName });
  for (const name in request) {
    // Compared one by one: on every request, this is twice as fast as a Set lookup.
    if (
      name !== 'operation' &&
      name !== 'text' &&
      name !== 'options' &&
      name !== 'question' &&
      name !== 'model' &&
      name !== 'tenant'
    ) {
      throw new ValidationError(
        `unknown request field: ${name} (known: operation, text, options, question, model, tenant)`,
        { option: name },
      );
    }
  }
}

/** The TTL of a `getOrCompute`/`getOrComputeStream` call in milliseconds, or undefined for the default. */
export function computeTtlMs(
  options: { ttl?: Duration } | undefined,
  known: readonly string[],
): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('options must be an object', { option: 'options' });
  for (const name of Object.keys(options)) {
    if (!known.includes(name))
      throw new ValidationError(`unknown option: ${name} (known: ${known.join(', ')})`, { option: name });
  }
  return options.ttl === undefined ? undefined : parseLifetimeMs(options.ttl, 'ttl');
}

/** Refuses a text longer than `maxTextLength` code points (when the cache has one). */
export function assertTextLength(text: unknown, maxTextLength: number | undefined): void {
  if (maxTextLength !== undefined && typeof text === 'string' && codePointsExceed(text, maxTextLength))
    throw new ValidationError(`text is longer than maxTextLength (${maxTextLength} characters)`, {
      option: 'text',
    });
}
