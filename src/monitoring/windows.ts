/**
 * Per-second counters over the last five minutes, for figures that follow an incident: rates and hit
 * ratios over 1 and 5 minutes, and per-second series for charts. Lifetime totals hide a change within
 * seconds; these move with it.
 *
 * Counting costs no clock read: `add` bumps a pending array; `roll(now)` files the pending counts under
 * the current second. The monitor rolls on every timed event (one in 64 in-process gets, every Redis
 * call), on every read, and once a second from a timer, so counts land within a second of when they
 * happened.
 */

/** The counters kept per second. */
export const COUNTER_NAMES = [
  'operations',
  'gets',
  'hits',
  'misses',
  'l1Hits',
  'l1Misses',
  'errors',
  'timeouts',
  'staleServes',
  'factoryRuns',
  'factoryErrors',
  'lockWaits',
  'lockTakeovers',
  'lockTimeouts',
  'busMessages',
  'breakerOpens',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counts = Record<CounterName, number>;

/** A counter's index, for the hot path (`windows.add(C.gets)`). */
export const C = Object.freeze(
  Object.fromEntries(COUNTER_NAMES.map((name, i) => [name, i])) as Record<CounterName, number>,
);

/** The windows the monitor reports, in seconds. */
export const WINDOWS_SECONDS = [60, 300] as const;
/** Seconds kept (the longest window). */
export const KEPT_SECONDS = 300;

const WIDTH = COUNTER_NAMES.length;

export class WindowedCounters {
  readonly #pending = new Float64Array(WIDTH);
  #pendingAny = false;
  /** KEPT_SECONDS slots of WIDTH counters; slot = second % KEPT_SECONDS. */
  readonly #slots = new Float64Array(KEPT_SECONDS * WIDTH);
  /** The second each slot holds (-1 = empty), so a slot reused after a gap starts from zero. */
  readonly #slotSecond = new Float64Array(KEPT_SECONDS).fill(-1);

  /** Counts `n` of counter `index` (see `C`) now; filed under a second by the next `roll`. */
  add(index: number, n = 1): void {
    this.#pending[index] = (this.#pending[index] as number) + n;
    this.#pendingAny = true;
  }

  /** Files the pending counts under the second of `nowMs`. */
  roll(nowMs: number): void {
    if (!this.#pendingAny) return;
    const base = this.#slotOf(Math.floor(nowMs / 1000)) * WIDTH;
    for (let i = 0; i < WIDTH; i++) {
      this.#slots[base + i] = (this.#slots[base + i] as number) + (this.#pending[i] as number);
      this.#pending[i] = 0;
    }
    this.#pendingAny = false;
  }

  /** Totals over the last `seconds` seconds (the current one included). */
  window(seconds: number, nowMs: number): Counts {
    this.roll(nowMs);
    const now = Math.floor(nowMs / 1000);
    const totals = new Float64Array(WIDTH);
    for (let second = now - Math.min(seconds, KEPT_SECONDS) + 1; second <= now; second++) {
      const slot = second % KEPT_SECONDS;
      if (second < 0 || this.#slotSecond[slot] !== second) continue;
      for (let i = 0; i < WIDTH; i++)
        totals[i] = (totals[i] as number) + (this.#slots[slot * WIDTH + i] as number);
    }
    return countsOf(totals);
  }

  /** One value per second for the last `seconds` seconds, oldest first (`at` in epoch-free clock seconds). */
  series(seconds: number, nowMs: number): { at: number[] } & Record<CounterName, number[]> {
    this.roll(nowMs);
    const now = Math.floor(nowMs / 1000);
    const span = Math.min(seconds, KEPT_SECONDS);
    const out = { at: [] as number[] } as { at: number[] } & Record<CounterName, number[]>;
    for (const name of COUNTER_NAMES) out[name] = [];
    for (let second = now - span + 1; second <= now; second++) {
      const slot = ((second % KEPT_SECONDS) + KEPT_SECONDS) % KEPT_SECONDS;
      const live = second >= 0 && this.#slotSecond[slot] === second;
      out.at.push(second);
      COUNTER_NAMES.forEach((name, i) =>
        out[name].push(live ? (this.#slots[slot * WIDTH + i] as number) : 0),
      );
    }
    return out;
  }

  reset(): void {
    this.#pending.fill(0);
    this.#pendingAny = false;
    this.#slots.fill(0);
    this.#slotSecond.fill(-1);
  }

  #slotOf(second: number): number {
    const slot = second % KEPT_SECONDS;
    if (this.#slotSecond[slot] !== second) {
      this.#slots.fill(0, slot * WIDTH, (slot + 1) * WIDTH);
      this.#slotSecond[slot] = second;
    }
    return slot;
  }
}

function countsOf(values: Float64Array): Counts {
  return Object.fromEntries(COUNTER_NAMES.map((name, i) => [name, values[i] as number])) as Counts;
}
