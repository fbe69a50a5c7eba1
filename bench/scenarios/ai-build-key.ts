import { hash } from 'node:crypto';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { Scenario } from '../harness.js';

function buildKeyScenario(label: string, bytes: number, batch: number, withGoal: boolean): Scenario {
  return {
    name: `ai-build-key-${label}`,
    description: `AIResponseCache.buildKey on a ${label} text (hashed) against crypto.hash('sha256') of the same text`,
    needsRedis: false,
    async setup() {
      const text = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27)).slice(0, bytes);
      const cache = new AIResponseCache({ cache: new InMemoryCache(), textHashThreshold: 500 });
      const options = { max_length: 200, temperature: 0.2, model: 'gpt-x' };
      return {
        cases: [
          {
            label: 'tiercache buildKey',
            opsPerCall: batch,
            run: async () => {
              for (let n = 0; n < batch; n++) cache.buildKey(text, 'summarize', options);
            },
          },
          {
            label: 'sha256 of the text',
            opsPerCall: batch,
            run: async () => {
              for (let n = 0; n < batch; n++) hash('sha256', text, 'hex');
            },
          },
        ],
        teardown: () => cache.close(),
      };
    },
    // ≤ 1.2× the time of sha256 alone = ≥ 1/1.2 of its throughput. For 1 KB the options hash and key
    // assembly weigh as much as the text hash, so that size is reported without a goal.
    goals: withGoal
      ? [{ subject: 'tiercache buildKey', against: 'sha256 of the text', minRatio: 1 / 1.2 }]
      : [],
  };
}

export const aiBuildKey1KB = buildKeyScenario('1KB', 1024, 1000, false);
export const aiBuildKey1MB = buildKeyScenario('1MB', 1024 * 1024, 2, true);
