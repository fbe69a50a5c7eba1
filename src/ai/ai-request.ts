import { ValidationError } from '../core/errors.js';

/**
 * How long a caller waits for a compute of the same request running elsewhere before it gets a
 * `LockTimeoutError`: LLM calls are slow, and waiting costs less than a second call.
 */
export const COMPUTE_LOCK_TIMEOUT = '2m';

/** One AI request: what `getOrCompute` keys on. */
export interface AIRequest {
  operation: string;
  text: string;
  options?: Record<string, unknown>;
  question?: string;
}

/**
 * Checks a `getOrCompute` call's shape (the text, operation and options are checked by the key builder).
 * An unknown field is refused: it would otherwise be silently left out of the key.
 */
export function assertRequest(request: AIRequest, compute: unknown): void {
  if (typeof request !== 'object' || request === null)
    throw new ValidationError('request must be an object', { option: 'request' });
  if (typeof compute !== 'function')
    throw new ValidationError('compute must be a function', { option: 'compute' });
  for (const name in request) {
    if (name !== 'operation' && name !== 'text' && name !== 'options' && name !== 'question') {
      throw new ValidationError(
        `unknown request field: ${name} (known: operation, text, options, question; put model or tenant in options)`,
        { option: name },
      );
    }
  }
}
