/**
 * Deadlines of one length for many commands, with one timer for all of them (issue 23: a `setTimeout`, a
 * second promise and a `Promise.race` per command were ~5% of a Redis get at 50 in flight). Every deadline
 * is `ms` after its call, so they expire in call order: a FIFO queue, whose head arms the single timer.
 * A command that settles first only marks its entry (and lets go of its promise); settled entries at the
 * front are dropped at each new call, so the queue holds about the commands in flight, not the traffic.
 */
export class DeadlineQueue {
  /** Pending entries from `#head` on; the settled ones among them are skipped when reached. */
  #entries: Entry[] = [];
  #head = 0;
  /** Whether the one timer is set (for the oldest pending entry). */
  #armed = false;

  /** @param ms every command's deadline, in ms from its call */
  constructor(readonly ms: number) {}

  /**
   * `promise`'s outcome, or a rejection `ms` after this call if it has not settled by then; `onExpire`
   * runs first in that case (a multi-step command stops sending its later steps, see RemoteTier.attempt).
   */
  bound<T>(promise: Promise<T>, onExpire?: () => void): Promise<T> {
    this.#dropSettled();
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { at: performance.now() + this.ms, reject, settled: false, onExpire };
      this.#entries.push(entry);
      if (!this.#armed) this.#arm(this.ms);
      promise.then(
        (value) => {
          settle(entry);
          resolve(value);
        },
        (error: unknown) => {
          settle(entry);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Commands bounded and not yet settled or expired (for tests and stats). */
  get pending(): number {
    let count = 0;
    for (let i = this.#head; i < this.#entries.length; i++) if (!this.#entries[i]!.settled) count++;
    return count;
  }

  /** Entries held, settled ones not yet dropped included (the memory bound: commands in flight, or those
   * bounded since the oldest pending one, at most `ms` of traffic). */
  get held(): number {
    return this.#entries.length - this.#head;
  }

  #arm(delay: number): void {
    this.#armed = true;
    setTimeout(() => this.#expire(), Math.max(1, delay)).unref();
  }

  /** Rejects the entries past their deadline and re-arms for the next pending one. */
  #expire(): void {
    this.#armed = false;
    const now = performance.now();
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.settled) continue;
      if (entry.at > now) break;
      const { reject, onExpire } = entry;
      settle(entry);
      onExpire?.();
      // A connection-level failure (not a reply error): the tier degrades, as on ioredis's own timeout.
      reject(new Error(`Command timed out after ${this.ms} ms (measured from the call)`));
    }
    this.#dropSettled();
    const next = this.#entries[this.#head];
    if (next !== undefined) this.#arm(next.at - now);
  }

  /** Forgets the settled entries at the front (amortized O(1): each entry is passed once). */
  #dropSettled(): void {
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head]!.settled) this.#head++;
    if (this.#head === entries.length) {
      entries.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }
}

const NOOP = (): void => undefined;

/** Marks an entry done and lets go of its promise (a settled entry may wait in the queue a while). */
function settle(entry: Entry): void {
  entry.settled = true;
  entry.reject = NOOP;
  entry.onExpire = undefined;
}

interface Entry {
  /** performance.now() after which the command is late. */
  at: number;
  reject: (error: Error) => void;
  settled: boolean;
  onExpire: (() => void) | undefined;
}
