import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import type { TimingScenario } from '../timing.js';

/** Fewer than the default L1 size (100), so every L1 hit is one. */
const STREAMS = 50;
const PASSES = 4;
const CHUNKS = 200;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** A streamed answer as an LLM sends it: word-sized chunks, some of them multi-byte. */
function answer(i: number): string[] {
  const words = ['The', ' cache', ' kept', ' this', ' answer', ' — ', 'ça', ' va', ' 日本', ' 🚀', '.\n'];
  return Array.from({ length: CHUNKS }, (_, n) => `${words[(n + i) % words.length]}${n % 17 === 0 ? i : ''}`);
}

async function firstChunk(stream: AsyncIterable<string>): Promise<number> {
  const started = performance.now();
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  const ms = performance.now() - started;
  await iterator.return?.();
  return ms;
}

async function whole(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/**
 * `getOrComputeStream` hits: the time from the call to the first chunk (L1 hit, and Redis hit with L1
 * off), and a whole replay, each checked byte-identical to what the upstream sent.
 */
export const aiStreamReplay: TimingScenario = {
  name: 'ai-stream-replay',
  description: `getOrComputeStream hits, ${STREAMS} recorded streams of ${CHUNKS} chunks (default options over Redis): time to the first chunk, and a whole fast replay checked byte-identical`,
  needsRedis: true,
  async measure({ redisUrl, runs }) {
    const keyPrefix = 'bench:ai-stream:';
    const l1 = new AIResponseCache({ redisUrl, keyPrefix, logger: silentLogger });
    const redisOnly = new AIResponseCache({
      redisUrl,
      keyPrefix,
      enableMemoryCache: false,
      logger: silentLogger,
    });
    await Promise.all([l1.connect(), redisOnly.connect()]);
    const requests = Array.from({ length: STREAMS }, (_, i) => ({
      operation: 'chat',
      text: `question ${i}`,
    }));
    const sources = requests.map((_, i) => answer(i));
    const produce = (i: number) => async () =>
      (async function* () {
        yield* sources[i] as string[];
      })();
    const steps = {
      l1p50: [] as number[],
      l1p99: [] as number[],
      redisP50: [] as number[],
      replay: [] as number[],
    };
    try {
      for (const [i, request] of requests.entries()) {
        const recorded = await whole(l1.getOrComputeStream(request, produce(i)));
        if (recorded !== (sources[i] as string[]).join('')) throw new Error('a miss streamed other bytes');
      }
      const unused = async () => {
        throw new Error('a hit called the upstream');
      };
      for (let run = 0; run < runs; run++) {
        const l1Times: number[] = [];
        const redisTimes: number[] = [];
        for (let pass = 0; pass < PASSES; pass++) {
          for (const request of requests) {
            l1Times.push(await firstChunk(l1.getOrComputeStream(request, unused)));
            redisTimes.push(await firstChunk(redisOnly.getOrComputeStream(request, unused)));
          }
        }
        const started = performance.now();
        for (const [i, request] of requests.entries()) {
          const replayed = await whole(l1.getOrComputeStream(request, unused));
          if (Buffer.compare(Buffer.from(replayed), Buffer.from((sources[i] as string[]).join(''))) !== 0)
            throw new Error(`replay ${i} is not byte-identical to the recorded stream`);
        }
        steps.replay.push((performance.now() - started) / STREAMS);
        l1Times.sort((a, b) => a - b);
        redisTimes.sort((a, b) => a - b);
        steps.l1p50.push(percentile(l1Times, 50));
        steps.l1p99.push(percentile(l1Times, 99));
        steps.redisP50.push(percentile(redisTimes, 50));
      }
    } finally {
      await l1.clear();
      await Promise.all([l1.close(), redisOnly.close()]);
    }
    return [
      { label: 'first chunk, L1 hit p50', ms: steps.l1p50 },
      { label: 'first chunk, L1 hit p99', ms: steps.l1p99 },
      { label: 'first chunk, Redis hit (L1 off) p50', ms: steps.redisP50 },
      { label: `whole ${CHUNKS}-chunk replay, L1 hit (byte-identical)`, ms: steps.replay },
    ];
  },
  goals: [{ label: 'first chunk, L1 hit p99', maxMs: 1 }],
};
