import { describe, expect, it } from 'vitest';
import { inTurn, pendingTurnJobs, TURN_BUDGET_MS } from '../../src/core/turns.js';

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('inTurn: large JSON work in turns of the event loop (issue 23, event-loop delay)', () => {
  it('runs jobs in call order, later than the call, and passes results and errors through', async () => {
    const order: string[] = [];
    const results = [
      inTurn(() => (order.push('a'), 1)),
      inTurn(() => {
        order.push('b');
        throw new Error('bad JSON');
      }),
      inTurn(() => (order.push('c'), 3)),
    ];
    order.push('called');
    await expect(results[0]).resolves.toBe(1);
    await expect(results[1]).rejects.toThrow('bad JSON');
    await expect(results[2]).resolves.toBe(3);
    expect(order).toEqual(['called', 'a', 'b', 'c']);
    expect(pendingTurnJobs()).toBe(0);
  });

  it('lets timers run between jobs once a turn has used its budget', async () => {
    // Start in the timers phase, so the first turn (a setImmediate) comes before the next timers phase,
    // whatever phase the test runner called this from (from the check phase, a timer due meanwhile ran
    // first: the test failed on a loaded machine).
    await new Promise((resolve) => setTimeout(resolve, 0));
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    const jobs = [
      inTurn(() => {
        spin(TURN_BUDGET_MS + 2); // past the budget, and past the timer's 1 ms
        order.push('long job');
      }),
      inTurn(() => order.push('next job')),
    ];
    await Promise.all(jobs);
    expect(order).toEqual(['long job', 'timer', 'next job']);
  });

  it('keeps order and lets go of run jobs while new ones keep arriving (the queue never empties)', async () => {
    const ran: number[] = [];
    const all: Promise<number>[] = [];
    const add = (n: number): void => {
      all.push(
        inTurn(() => {
          ran.push(n);
          if (n % 50 === 0) spin(TURN_BUDGET_MS); // some turns end mid-queue
          if (n + 2000 < 6000) add(n + 2000); // each early job queues a later one
          return n;
        }),
      );
    };
    for (let n = 0; n < 2000; n++) add(n);
    while (all.length < 6000) await Promise.all(all);
    expect(await Promise.all(all)).toHaveLength(6000);
    expect(ran).toEqual([...ran].sort((x, y) => x - y)); // call order throughout
    expect(pendingTurnJobs()).toBe(0);
  });
});
