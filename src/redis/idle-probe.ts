/**
 * Without traffic nothing would notice a hung Redis: a connected one that answered nothing for
 * `interval` gets a PING (bounded by `commandTimeout`, by whoever sends it). A failure degrades the tier
 * like any command's, so /health tells the truth within commandTimeout + interval; busy caches never
 * probe. Ticks every half interval and counts answers (no clock read per command): an answer since the
 * last tick means not idle, an idle connection is pinged every other tick, and a freeze right after an
 * answer is probed within one interval.
 */
export class IdleProbe {
  #timer: NodeJS.Timeout | undefined;
  #answers = 0;
  #answersSeen = 0;

  constructor(
    /** ms; 0 = off. */
    private readonly interval: number,
    /** Whether a probe makes sense now (connected, not degraded, nothing in flight). */
    private readonly probeable: () => boolean,
    private readonly ping: () => void,
  ) {}

  /** Redis answered a command. */
  answered(): void {
    this.#answers++;
  }

  start(): void {
    if (this.#timer || this.interval === 0) return;
    this.#timer = setInterval(() => {
      if (!this.probeable()) return;
      if (this.#answers !== this.#answersSeen) {
        this.#answersSeen = this.#answers;
        return;
      }
      this.ping();
    }, this.interval / 2);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
