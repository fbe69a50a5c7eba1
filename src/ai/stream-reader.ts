import { hrtimeMs } from '../core/options.js';
import type { Reader, Recording } from './stream-recording.js';

/** What a stream's first `next()` reads: a recording (live or from the store) and what to do when done. */
export interface ReadPlan<C> {
  recording: Recording<C>;
  paced: boolean;
  /** Runs once when this reader ends (done, failed, or left by `return()`). */
  onEnd?: (recording: Recording<C>) => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * One caller's stream: reads a recording from the start, written by hand rather than as an async generator
 * so `return()` lets the caller go at once, even while a `next()` waits for a hung upstream (a generator
 * queues `return()` behind it). The plan is made at the first `next()`, as a generator would.
 *
 * Object chunks of a live recording are handed out as copies (structuredClone: plain data only), so what a
 * reader does with them changes neither the other readers' chunks nor what is stored.
 */
export class StreamReader<C> implements AsyncIterableIterator<C, undefined, undefined> {
  #plan: ReadPlan<C> | undefined;
  #reader: Reader | undefined;
  #ended = false;
  #index = 0;
  #pacedFrom = 0;
  #offset = 0;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #left: Promise<typeof DONE>;
  #leave!: (value: typeof DONE) => void;

  constructor(private readonly start: () => ReadPlan<C>) {
    this.#left = new Promise((resolve) => (this.#leave = resolve));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<C, undefined>> {
    // Calls that overlap are answered in order, as by a generator.
    const result = this.#queue.then(() => this.#step());
    this.#queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Leaves now: detaches from the recording (the last reader closes the upstream); a waiting next() ends. */
  return(): Promise<IteratorResult<C, undefined>> {
    this.#end();
    return Promise.resolve(DONE);
  }

  async #step(): Promise<IteratorResult<C, undefined>> {
    if (this.#ended) return DONE;
    if (this.#plan === undefined) {
      try {
        this.#plan = this.start();
      } catch (error) {
        this.#ended = true;
        throw error;
      }
      this.#reader = this.#plan.recording.attach();
    }
    const { recording, paced } = this.#plan;
    const reader = this.#reader as Reader;
    const i = this.#index;
    reader.position = i;
    try {
      while (i >= recording.length) {
        if (recording.state === 'done') return this.#end();
        if (recording.state !== 'live') throw recording.error;
        if ((await Promise.race([recording.changed(), this.#left])) === DONE) return DONE;
      }
      if (paced && recording.fromStore && i > 0) {
        this.#offset += recording.gaps[i] ?? 0;
        const wait = this.#pacedFrom + this.#offset - hrtimeMs();
        if (wait >= 1 && (await Promise.race([delay(wait), this.#left])) === DONE) return DONE;
      } else if (i === 0) this.#pacedFrom = hrtimeMs();
    } catch (error) {
      this.#end();
      throw error;
    }
    if (this.#ended) return DONE;
    this.#index++;
    const chunk = recording.at(i);
    return { done: false, value: recording.fromStore ? chunk : copyOf(chunk) };
  }

  #end(): typeof DONE {
    if (this.#ended) return DONE;
    this.#ended = true;
    this.#leave(DONE);
    const plan = this.#plan;
    if (plan === undefined) return DONE;
    plan.recording.detach(this.#reader as Reader);
    plan.onEnd?.(plan.recording);
    return DONE;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A copy of an object chunk; the chunk itself when it cannot be cloned (such a stream is never stored). */
function copyOf<C>(chunk: C): C {
  if (typeof chunk !== 'object' || chunk === null) return chunk;
  try {
    return structuredClone(chunk);
  } catch {
    return chunk;
  }
}
