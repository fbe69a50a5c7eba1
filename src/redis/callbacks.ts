import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The original system's callback hooks (SPEC §4). */
export interface CacheCallbacks {
  get_success: (key: string, value: unknown) => void;
  get_miss: (key: string) => void;
  set_success: (key: string, value: unknown) => void;
  delete_success: (key: string) => void;
}
export type CallbackEvent = keyof CacheCallbacks;

const EVENTS: readonly CallbackEvent[] = ['get_success', 'get_miss', 'set_success', 'delete_success'];

/** Holds registered callbacks; a throwing callback is logged and the others still run. */
export class CallbackRegistry {
  readonly #callbacks = new Map<CallbackEvent, ((...args: never[]) => void)[]>();

  constructor(private readonly logger: Logger) {}

  register<E extends CallbackEvent>(event: E, callback: CacheCallbacks[E]): void {
    if (!EVENTS.includes(event)) {
      throw new ValidationError(
        `unknown callback event: ${String(event)} (expected one of ${EVENTS.join(', ')})`,
        {
          option: 'event',
        },
      );
    }
    if (typeof callback !== 'function')
      throw new ValidationError('callback must be a function', { option: 'callback' });
    const list = this.#callbacks.get(event) ?? [];
    list.push(callback);
    this.#callbacks.set(event, list);
  }

  /** True when at least one callback is registered for the event (callers skip work otherwise). */
  has(event: CallbackEvent): boolean {
    return this.#callbacks.has(event);
  }

  fire<E extends CallbackEvent>(event: E, ...args: Parameters<CacheCallbacks[E]>): void {
    for (const callback of this.#callbacks.get(event) ?? []) {
      try {
        (callback as unknown as (...a: Parameters<CacheCallbacks[E]>) => void)(...args);
      } catch (error) {
        this.logger.error(
          { event, err: (error as Error).message },
          'a cache callback threw; the others still run',
        );
      }
    }
  }
}
