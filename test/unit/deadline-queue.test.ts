import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from '../../src/redis/deadline-queue.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('DeadlineQueue: one timer bounds many commands from their call (issue 23)', () => {
  it('passes a value or an error through when the command settles in time', async () => {
    const queue = new DeadlineQueue(10_000);
    const ok = deferred<string>();
    const bad = deferred<string>();
    const bounded = [queue.bound(ok.promise), queue.bound(bad.promise)];
    ok.resolve('value');
    bad.reject(new Error('WRONGTYPE'));
    await expect(bounded[0]).resolves.toBe('value');
    await expect(bounded[1]).rejects.toThrow('WRONGTYPE');
    expect(queue.pending).toBe(0);
  });

  it('calls onExpire before the rejection of a command past its deadline, never for one settled in time', async () => {
    const queue = new DeadlineQueue(20);
    const order: string[] = [];
    const done = deferred<string>();
    const inTime = queue.bound(done.promise, () => order.push('in time expired'));
    done.resolve('ok');
    await inTime;
    const late = queue.bound(new Promise<never>(() => undefined), () => order.push('expired'));
    await expect(late.catch((error: Error) => (order.push('rejected'), error.message))).resolves.toMatch(
      /timed out/,
    );
    expect(order).toStrictEqual(['expired', 'rejected']);
  });

  it('rejects every command that has not settled by its deadline, and only those', async () => {
    const queue = new DeadlineQueue(20);
    const hung = [deferred<number>(), deferred<number>(), deferred<number>()];
    const answered = deferred<number>();
    const bounded = hung.map((d) => queue.bound(d.promise));
    const inTime = queue.bound(answered.promise);
    answered.resolve(7);
    await expect(inTime).resolves.toBe(7);
    for (const late of bounded)
      await expect(late).rejects.toThrow('Command timed out after 20 ms (measured from the call)');
    expect(queue.pending).toBe(0);
    // A late answer changes nothing: the caller already has the timeout.
    hung[0]?.resolve(1);
  });

  it('re-arms for commands bounded after the first deadline passed', async () => {
    const queue = new DeadlineQueue(15);
    await expect(queue.bound(deferred<number>().promise)).rejects.toThrow('timed out');
    const second = queue.bound(deferred<number>().promise);
    const third = deferred<number>();
    const answered = queue.bound(third.promise);
    third.resolve(3);
    await expect(answered).resolves.toBe(3);
    await expect(second).rejects.toThrow('timed out');
  });

  it('gives a command called after a long synchronous stretch its whole deadline (review: no cached clock)', async () => {
    const queue = new DeadlineQueue(1000);
    const first = queue.bound(deferred<number>().promise); // arms the one timer, 1 s from now
    const firstTimedOut = expect(first).rejects.toThrow('timed out'); // handled from the start
    // The same task keeps running for 250 ms: the later call's deadline is 250 ms after the first one's
    // (with a clock cached at the task's start it would be the same, and both would expire together).
    const spinUntil = performance.now() + 250;
    while (performance.now() < spinUntil);
    const late = deferred<number>();
    const bounded = queue.bound(late.promise);
    // Answers after the first one's deadline (and its timer) and well within its own 1 s.
    void first.catch(() => setTimeout(() => late.resolve(5), 10));
    await expect(bounded).resolves.toBe(5);
    await firstTimedOut;
  });

  it('holds about the commands in flight, not the traffic: settled ones leave at the next call', async () => {
    const queue = new DeadlineQueue(60_000);
    for (let round = 0; round < 50; round++) {
      const burst = Array.from({ length: 100 }, () => deferred<number>());
      const bounded = burst.map((d) => queue.bound(d.promise));
      burst.forEach((d, i) => d.resolve(i));
      await Promise.all(bounded);
    }
    // 5,000 commands went through; one more call drops every settled entry before it.
    const last = deferred<number>();
    const bounded = queue.bound(last.promise);
    expect(queue.held).toBe(1);
    last.resolve(0);
    await bounded;
  });

  it('one hung command keeps the later ones only until its deadline, then they go', async () => {
    const queue = new DeadlineQueue(20);
    const hung = queue.bound(deferred<number>().promise);
    const later = Array.from({ length: 2000 }, (_, i) => queue.bound(Promise.resolve(i)));
    await Promise.all(later);
    expect(queue.held).toBe(2001); // behind the hung head, settled entries wait (each lets go of its promise)
    await expect(hung).rejects.toThrow('timed out');
    expect(queue.held).toBe(0);
  });
});
