import { describe, expect, it } from 'vitest';
import { InFlightGauge } from '../../src/redis/in-flight.js';

describe('InFlightGauge', () => {
  it('is busy while a command is in flight and after a burst of several, not after a lone command', () => {
    const gauge = new InFlightGauge();
    expect(gauge.busy).toBe(false);
    gauge.enter(1);
    expect(gauge.busy).toBe(true);
    gauge.leave(1);
    expect(gauge.busy).toBe(false); // a burst of one does not batch the next command
    gauge.enter(2);
    gauge.leave(2);
    expect(gauge.count).toBe(0);
    expect(gauge.busy).toBe(true); // the last busy period had two: the next command is batched
  });
});
