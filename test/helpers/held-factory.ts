/**
 * A factory that runs until the test releases it. A test waits for `running` (the factory itself was
 * called), never for a side effect such as the fill lock in Redis: the lock is set a round trip or two
 * before the factory runs, and a release sent before the call would be lost (the fill would never end).
 */
export interface HeldFactory<T> {
  readonly factory: () => Promise<T>;
  /** How many times the factory was called. */
  readonly calls: number;
  readonly running: boolean;
  /** Ends every running call with `value`; throws when the factory was not called yet (no silent no-op). */
  release(value: T): void;
}

export function heldFactory<T>(): HeldFactory<T> {
  // Every call's resolver: a factory wrongly called twice then fails the test's count, not hangs it.
  const finishes: ((value: T) => void)[] = [];
  return {
    factory: () => new Promise<T>((resolve) => finishes.push(resolve)),
    get calls() {
      return finishes.length;
    },
    get running() {
      return finishes.length > 0;
    },
    release(value: T) {
      if (finishes.length === 0)
        throw new Error('released before the factory was called: wait for `running` first');
      for (const finish of finishes) finish(value);
    },
  };
}
