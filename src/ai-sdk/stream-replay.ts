import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Passes `stream` through unchanged while recording its parts and when each arrived. `onEnd` runs only
 * for a stream that ended cleanly with at most `maxParts` parts, before the reader sees the end (so a
 * reader that finished can rely on the entry being written); an upstream error or a reader's cancel
 * skips it.
 */
export function recordStream<P>(
  stream: ReadableStream<P>,
  maxParts: number,
  onEnd: (parts: readonly P[], at: readonly number[]) => Promise<void>,
): ReadableStream<P> {
  const started = performance.now();
  const parts: P[] = [];
  const at: number[] = [];
  let overflow = false;
  return stream.pipeThrough(
    new TransformStream<P, P>({
      transform(part, controller) {
        if (!overflow && parts.length < maxParts) {
          parts.push(part);
          at.push(Math.round(performance.now() - started));
        } else if (!overflow) {
          overflow = true;
          parts.length = 0; // the recording is abandoned: nothing of it is kept in memory
          at.length = 0;
        }
        controller.enqueue(part);
      },
      async flush() {
        if (!overflow) await onEnd(parts, at);
      },
    }),
  );
}

/** A stream of recorded parts: all at once, or at the pace they were recorded when `at` is given. */
export function replayStream<P>(parts: readonly P[], at?: readonly number[]): ReadableStream<P> {
  if (at === undefined) {
    return new ReadableStream<P>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
  }
  const started = performance.now();
  let next = 0;
  let cancelled = false;
  return new ReadableStream<P>({
    async pull(controller) {
      if (next >= parts.length) return controller.close();
      const wait = (at[next] ?? 0) - (performance.now() - started);
      if (wait > 0) await delay(wait);
      if (!cancelled) controller.enqueue(parts[next++] as P);
    },
    cancel() {
      cancelled = true;
    },
  });
}

/** An async iterable as a web stream (a reader's cancel ends the iteration). */
export function iterableStream<P>(iterable: AsyncIterable<P>): ReadableStream<P> {
  let iterator: AsyncIterator<P> | undefined;
  return new ReadableStream<P>({
    async pull(controller) {
      iterator ??= iterable[Symbol.asyncIterator]();
      const step = await iterator.next();
      if (step.done) controller.close();
      else controller.enqueue(step.value);
    },
    async cancel(reason) {
      await iterator?.return?.(reason);
    },
  });
}
