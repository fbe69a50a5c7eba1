/** Runs at most one task per key at a time; callers of a running key share its promise. */
export class SingleFlight {
  readonly #running = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running as Promise<T>;
    const promise: Promise<T> = task().finally(() => {
      // A forgotten flight may have been replaced by a newer one: leave that one in place.
      if (this.#running.get(key) === promise) this.#running.delete(key);
    });
    this.#running.set(key, promise);
    return promise;
  }

  /** Later callers of `key` start a new flight; callers of the running one still get its result. */
  forget(key: string): void {
    this.#running.delete(key);
  }

  get size(): number {
    return this.#running.size;
  }
}
