/** Keys remembered at most; past it the oldest are forgotten (they retry their factory sooner). */
export const MAX_BACKOFF_KEYS = 10_000;

/**
 * `graceBackoff` (docs/resilience.md): after a factory fails and a stale value is served, the key's
 * factory is not retried for a while, so a failing upstream is not hammered by every request.
 */
export class GraceBackoff {
  readonly #until = new Map<string, number>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly limit = MAX_BACKOFF_KEYS,
  ) {}

  /** True while `key`'s factory should not be retried. */
  active(key: string): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.#until.delete(key);
    return false;
  }

  failed(key: string, backoffMs: number): void {
    if (backoffMs <= 0) return;
    this.#until.delete(key);
    if (this.#until.size >= this.limit) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
    this.#until.set(key, this.now() + backoffMs);
  }

  succeeded(key: string): void {
    if (this.#until.size > 0) this.#until.delete(key);
  }

  get size(): number {
    return this.#until.size;
  }
}
