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
  /** Ends the running call with `value`; throws when the factory was not called yet (no silent no-op). */
  release(value: T): void;
}

export function heldFactory<T>(): HeldFactory<T> {
  let finish: ((value: T) => void) | undefined;
  let calls = 0;
  return {
    factory: () => {
      calls++;
      return new Promise<T>((resolve) => (finish = resolve));
    },
    get calls() {
      return calls;
    },
    get running() {
      return finish !== undefined;
    },
    release(value: T) {
      if (!finish) throw new Error('released before the factory was called: wait for `running` first');
      finish(value);
    },
  };
}
