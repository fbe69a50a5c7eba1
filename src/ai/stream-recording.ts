import type { StoredAIEntry } from './ai-entry.js';

/** A stream longer than this many chunks is passed through but not stored. */
export const MAX_STREAM_CHUNKS = 10_000;
/** A stream bigger than this (UTF-8 bytes of string chunks, of the JSON of others) is passed through but not stored. */
export const MAX_STREAM_BYTES = 1024 * 1024;

/** What `race` answers once every consumer has left. */
export const ABORTED: unique symbol = Symbol('aborted');

/** How a recording ended: `done` (cleanly), `failed` (the upstream threw), `aborted` (every consumer left). */
export type RecordingState = 'live' | 'done' | 'failed' | 'aborted';

/** One consumer's place in a recording. */
export interface Reader {
  position: number;
}

/**
 * The chunks of one stream as they arrive, shared by every consumer of that request in this process (each
 * reads at its own pace), with the gaps between them. Bounded: past `MAX_STREAM_CHUNKS` or
 * `MAX_STREAM_BYTES` it is `unstorable`, drops the chunks every reader has passed, and reads the upstream
 * only when a reader waits (so a stalled consumer cannot make it grow).
 */
export class Recording<C> {
  state: RecordingState = 'live';
  error: unknown;
  /** Set by `push` when the stream cannot be stored (too long, or a chunk JSON cannot encode). */
  unstorable = false;
  /** Set by `drop` (an invalidation covered its key): it serves its readers but takes no new one, stores nothing. */
  dropped = false;
  /** True when the chunks came from a stored recording (a replay, paced by `gaps` when asked). */
  fromStore = false;
  /** Once done: what the recording cost (compute time, tokens), for the hits of those who joined it. */
  figures: Pick<StoredAIEntry, 'ms' | 'it' | 'ot'> | undefined;
  /** Milliseconds between chunk i-1 and chunk i (gaps[0] = 0), rounded so they add up to the elapsed time. */
  readonly gaps: number[] = [];
  #chunks: C[] = [];
  /** Chunks dropped from the front (after the recording became unstorable). */
  #dropped = 0;
  #bytes = 0;
  #firstAt = 0;
  #lastRounded = 0;
  readonly #readers = new Set<Reader>();
  #changed: Promise<void>;
  #wake!: () => void;
  #demand: (() => void) | undefined;
  readonly #aborted: Promise<typeof ABORTED>;
  #abort!: (value: typeof ABORTED) => void;
  #shared = true;
  readonly #unshared: Promise<undefined>;
  #unshare!: (value: undefined) => void;

  /** `onUnshared` runs once, when it stops taking new readers (ended, aborted, dropped or unstorable). */
  constructor(private readonly onUnshared: () => void = () => undefined) {
    this.#changed = this.#nextChange();
    this.#aborted = new Promise((resolve) => (this.#abort = resolve));
    this.#unshared = new Promise((resolve) => (this.#unshare = resolve));
  }

  /** True while a new reader may join: live, not dropped, and every chunk still held. */
  get joinable(): boolean {
    return this.state === 'live' && !this.dropped && !this.unstorable;
  }

  /** Resolves (to undefined) once it takes no new reader; a recording dropped or unstorable stores nothing. */
  unshared(): Promise<undefined> {
    return this.#unshared;
  }

  /** An invalidation covered its key: its readers keep reading, but no one joins it and it is not stored. */
  drop(): void {
    this.dropped = true;
    this.#stopSharing();
  }

  /** How many chunks have arrived (including dropped ones). */
  get length(): number {
    return this.#dropped + this.#chunks.length;
  }

  /** The chunks, when none was dropped (the whole stream). */
  get chunks(): readonly C[] {
    return this.#chunks;
  }

  /** True while no chunk was dropped: `chunks` is the whole stream so far. */
  get complete(): boolean {
    return this.#dropped === 0;
  }

  at(index: number): C {
    return this.#chunks[index - this.#dropped] as C;
  }

  attach(): Reader {
    const reader = { position: 0 };
    this.#readers.add(reader);
    return reader;
  }

  /** A reader leaves; the last one to leave a live recording aborts it. */
  detach(reader: Reader): void {
    this.#readers.delete(reader);
    if (this.#readers.size === 0 && this.state === 'live') {
      this.state = 'aborted';
      this.#stopSharing();
      this.#abort(ABORTED);
      this.#notify();
    } else this.#trim();
  }

  /** Resolves when a chunk arrives or the recording ends; a reader waits, so the upstream may be read. */
  changed(): Promise<void> {
    this.#demand?.();
    this.#demand = undefined;
    return this.#changed;
  }

  /** `promise`, or `ABORTED` as soon as every consumer has left. */
  race<T>(promise: Promise<T>): Promise<T | typeof ABORTED> {
    return Promise.race([promise, this.#aborted]);
  }

  /** After the recording became unstorable: resolves when a reader waits for the next chunk (or on abort). */
  demanded(): Promise<unknown> {
    const waiting = [...this.#readers].some((r) => r.position >= this.length);
    if (waiting) return Promise.resolve();
    return Promise.race([new Promise<void>((resolve) => (this.#demand = resolve)), this.#aborted]);
  }

  push(chunk: C, now: number): void {
    if (this.length === 0) this.#firstAt = now;
    if (!this.unstorable) {
      const rounded = Math.round(now - this.#firstAt);
      this.gaps.push(rounded - this.#lastRounded);
      this.#lastRounded = rounded;
    }
    this.#chunks.push(chunk);
    if (!this.unstorable) {
      const bytes = sizeOf(chunk);
      this.#bytes += bytes ?? 0;
      if (bytes === undefined || this.length > MAX_STREAM_CHUNKS || this.#bytes > MAX_STREAM_BYTES) {
        this.unstorable = true;
        this.gaps.length = 0;
        this.#stopSharing(); // its first chunks may be gone: a new request must not join it
      }
    }
    if (this.unstorable) this.#trim();
    this.#notify();
  }

  /** The chunks came from a stored recording. */
  replay(chunks: readonly C[], gaps: readonly number[] | undefined, figures: Recording<C>['figures']): void {
    this.#chunks = [...chunks];
    if (gaps) this.gaps.push(...gaps);
    this.fromStore = true;
    this.finish(figures);
  }

  /** The upstream ended cleanly. */
  finish(figures: Recording<C>['figures']): void {
    if (this.state !== 'live') return;
    this.figures = figures;
    this.state = 'done';
    this.#stopSharing();
    this.#notify();
  }

  /** The upstream threw: readers get the chunks so far, then the error. */
  fail(error: unknown): void {
    if (this.state !== 'live') return;
    this.state = 'failed';
    this.error = error;
    this.#stopSharing();
    this.#notify();
  }

  #stopSharing(): void {
    if (!this.#shared) return;
    this.#shared = false;
    this.#unshare(undefined);
    this.onUnshared();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#changed = this.#nextChange();
    wake();
  }

  #nextChange(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** Drops the chunks every reader has passed, once the recording will not be stored. */
  #trim(): void {
    if (!this.unstorable || this.#readers.size === 0) return;
    let lowest = Number.POSITIVE_INFINITY;
    for (const reader of this.#readers) lowest = Math.min(lowest, reader.position);
    const passed = lowest - this.#dropped;
    if (passed >= 64) {
      this.#chunks.splice(0, passed);
      this.#dropped += passed;
    }
  }
}

/** A chunk's size in bytes, or undefined when JSON cannot encode it (it would not replay as it was). */
function sizeOf(chunk: unknown): number | undefined {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  try {
    const json = JSON.stringify(chunk) as string | undefined;
    return json === undefined ? undefined : Buffer.byteLength(json);
  } catch {
    return undefined;
  }
}
