import { waitProblem, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed commands that open the breaker. @default 5 */
  failureThreshold?: number;
  /** How long the breaker stays open before letting one trial command through (a number is milliseconds). @default 2000 */
  resetTimeout?: Duration;
}

/** Breaker options resolved: `resetTimeout` in milliseconds. */
export interface ResolvedBreakerOptions {
  failureThreshold: number;
  resetTimeout: number;
}

export interface BreakerStatus {
  state: BreakerState;
  /** Consecutive failures counted so far. */
  failures: number;
  /** Times the breaker has opened. */
  opens: number;
}

export const CIRCUIT_BREAKER_DEFAULTS = { failureThreshold: 5, resetTimeout: 2000 } as const;

/** Validates breaker options (`false` turns the breaker off). */
export function resolveBreakerOptions(
  options: CircuitBreakerOptions | false | undefined,
): ResolvedBreakerOptions | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ValidationError('circuitBreaker must be an object or false', { option: 'circuitBreaker' });
  }
  const o = { ...CIRCUIT_BREAKER_DEFAULTS, ...options };
  if (!Number.isInteger(o.failureThreshold) || o.failureThreshold < 1) {
    throw new ValidationError('circuitBreaker.failureThreshold must be a positive integer', {
      option: 'circuitBreaker.failureThreshold',
    });
  }
  const resetTimeout = waitProblem(o.resetTimeout, 'circuitBreaker.resetTimeout');
  if (typeof resetTimeout === 'string' || resetTimeout < 1) {
    const message =
      typeof resetTimeout === 'string' ? resetTimeout : 'circuitBreaker.resetTimeout must be at least 1 ms';
    throw new ValidationError(message, { option: 'circuitBreaker.resetTimeout' });
  }
  return { failureThreshold: o.failureThreshold, resetTimeout };
}

/**
 * Stops sending commands to a Redis that keeps failing, so callers get the L1 answer at once instead of
 * each waiting out `commandTimeout`. Opens after `failureThreshold` consecutive failures; after
 * `resetTimeout` lets one trial command through (half-open); closes on any success.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #opens = 0;
  #openedAt = 0;
  #trialRunning = false;

  constructor(
    private readonly options: ResolvedBreakerOptions,
    private readonly onChange: (status: BreakerStatus) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get status(): BreakerStatus {
    return { state: this.#state, failures: this.#failures, opens: this.#opens };
  }

  /** Whether a command may be sent now. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.now() - this.#openedAt < this.options.resetTimeout) return false;
      this.#set('half-open');
    }
    if (this.#trialRunning) return false;
    this.#trialRunning = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#trialRunning = false;
    if (this.#state !== 'closed') this.#set('closed');
  }

  failure(): void {
    this.#failures++;
    this.#trialRunning = false;
    if (
      this.#state === 'half-open' ||
      (this.#state === 'closed' && this.#failures >= this.options.failureThreshold)
    ) {
      this.#openedAt = this.now();
      this.#opens++;
      this.#set('open');
    }
  }

  /** Opens at once: the connection is gone, so there is nothing to count. */
  trip(): void {
    if (this.#state === 'open') return;
    this.#failures = Math.max(this.#failures, this.options.failureThreshold);
    this.#trialRunning = false;
    this.#openedAt = this.now();
    this.#opens++;
    this.#set('open');
  }

  #set(state: BreakerState): void {
    this.#state = state;
    this.onChange(this.status);
  }
}
