import { describe, expect, it } from 'vitest';
import { InFlightGauge } from '../../src/redis/in-flight.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('InFlightGauge', () => {
  it('tells commands sent in an earlier turn of the event loop from those of this turn', async () => {
    const gauge = new InFlightGauge();
    const first = gauge.enter(1);
    gauge.enter(1);
    expect(gauge.sentEarlier).toBe(false); // both go out with this turn's batch
    await nextTurn();
    expect(gauge.sentEarlier).toBe(true); // still in flight, from a turn that has ended
    const later = gauge.enter(1);
    expect(gauge.sentEarlier).toBe(true);
    gauge.leave(2, first);
    expect(gauge.sentEarlier).toBe(false); // only this turn's command is left
    gauge.leave(1, later);
    expect(gauge.count).toBe(0);
  });

  it('counts an answer from an earlier turn against that turn, not this one', async () => {
    const gauge = new InFlightGauge();
    const old = gauge.enter(1);
    await nextTurn();
    gauge.enter(1);
    gauge.leave(1, old);
    expect(gauge.sentEarlier).toBe(false);
    gauge.enter(1);
    expect(gauge.count).toBe(2);
    expect(gauge.sentEarlier).toBe(false);
  });

  it('is busy while a command is in flight and after a burst of several', () => {
    const gauge = new InFlightGauge();
    expect(gauge.busy).toBe(false);
    const turn = gauge.enter(1);
    expect(gauge.busy).toBe(true);
    gauge.leave(1, turn);
    expect(gauge.busy).toBe(false); // a burst of one does not batch the next command
    gauge.enter(2);
    gauge.leave(2, turn);
    expect(gauge.busy).toBe(true);
  });
});
