/**
 * Large JSON work (serializing a value to store, parsing one read back) run in turns of the event loop,
 * so that many large values at once don't hold it (issue 23: 50 callers of 100 KB values kept timers and
 * I/O waiting ~30 ms while their JSON was done in one go). Jobs run in call order, within one macrotask
 * until `TURN_BUDGET_MS` of work is done; the rest wait for the next turn (`setImmediate`), after the
 * loop has run its timers and I/O. One queue per process: the event loop is the process's.
 */

/** Work done in one turn before the loop gets to run again; a job that starts is finished. */
export const TURN_BUDGET_MS = 2;

/** Values from this many bytes (of JSON, estimated) are serialized and parsed in turns. */
export const LARGE_VALUE_BYTES = 32 * 1024;

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const jobs: Job[] = [];
let head = 0;
let scheduled = false;

/** `job`'s result, computed in a later turn of the event loop (in call order with the other jobs). */
export function inTurn<T>(job: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    jobs.push({ run: job, resolve: resolve as (value: unknown) => void, reject });
    if (!scheduled) {
      scheduled = true;
      setImmediate(runTurn);
    }
  });
}

/** Jobs queued and not yet run. */
export function pendingTurnJobs(): number {
  return jobs.length - head;
}

function runTurn(): void {
  const started = performance.now();
  while (head < jobs.length) {
    const job = jobs[head] as Job;
    jobs[head++] = undefined as unknown as Job; // let go of the job's value once run
    try {
      job.resolve(job.run());
    } catch (error) {
      job.reject(error);
    }
    if (performance.now() - started >= TURN_BUDGET_MS) break;
  }
  if (head === jobs.length) {
    jobs.length = 0;
    head = 0;
    scheduled = false;
    return;
  }
  if (head > 1024 && head * 2 > jobs.length) {
    jobs.splice(0, head); // under a steady inflow the queue never empties: drop the run prefix
    head = 0;
  }
  setImmediate(runTurn);
}
