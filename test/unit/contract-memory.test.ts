import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const clock = new ManualClock();
runCacheContractSuite({
  name: 'InMemoryCache',
  create: async (options) => new InMemoryCache({ ...options, clock }),
  advanceTime: async (ms) => clock.advance(ms),
});
