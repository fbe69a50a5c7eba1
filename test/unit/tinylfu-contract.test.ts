import { describe, expect, it } from 'vitest';
import { InMemoryCache, IN_MEMORY_CACHE_DEFAULTS } from '../../src/memory/in-memory-cache.js';
import { MEMORY_CACHE_POLICIES } from '../../src/memory/memory-policy.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

// in-memory-cache.test.ts runs the contract with the default policy; this file, with every other one.
for (const policy of MEMORY_CACHE_POLICIES.filter((p) => p !== IN_MEMORY_CACHE_DEFAULTS.policy)) {
  const clock = new ManualClock();
  runCacheContractSuite({
    name: `InMemoryCache (policy '${policy}')`,
    create: async (options) => new InMemoryCache({ ...options, clock, policy }),
    advanceTime: async (ms) => clock.advance(ms),
  });
}

describe('the contract runs once per policy', () => {
  it('covers every policy between this file and in-memory-cache.test.ts', () => {
    expect(MEMORY_CACHE_POLICIES).toContain(IN_MEMORY_CACHE_DEFAULTS.policy);
    expect(MEMORY_CACHE_POLICIES.length).toBe(2);
  });
});
