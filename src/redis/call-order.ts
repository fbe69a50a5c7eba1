/**
 * Keeps a cache's Redis commands in call order when some must wait: a value still being compressed on
 * the thread pool holds back every command asked for after it. `run` sends at once when nothing waits
 * and `ready` is at hand (the usual case, no extra tick); otherwise after `ready` and every command queued
 * before it. So a delete, a set or an invalidation called after the set of a large value is not overtaken
 * by it in Redis. `send` must issue its first command synchronously (or hand it to the WriteBatch, which
 * the remote tier flushes before any later command).
 */
export class CallOrder {
  /** Settles once the last command queued behind a value still being compressed has been sent. */
  #queued: Promise<void> | undefined;

  /** Settles once every command queued so far (and any queued meanwhile) has been sent. */
  async drained(): Promise<void> {
    while (this.#queued !== undefined) await this.#queued;
  }

  /** True when nothing waits: a command issued now is in order. */
  get idle(): boolean {
    return this.#queued === undefined;
  }

  run<V, T>(ready: V | Promise<V>, send: (value: V) => Promise<T>): Promise<T> {
    const previous = this.#queued;
    if (previous === undefined && !(ready instanceof Promise)) return send(ready);
    let sent!: () => void;
    const turn = new Promise<void>((resolve) => (sent = resolve));
    this.#queued = turn;
    const release = (): void => {
      sent();
      if (this.#queued === turn) this.#queued = undefined;
    };
    return Promise.all([ready, previous]).then(
      ([value]) => {
        try {
          return send(value);
        } finally {
          release();
        }
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }
}
