import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { snapshotForWrite } from '../../src/core/values.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { TimingScenario } from '../timing.js';
import { hundredKilobytes, keysOf } from './data.js';

const CALLERS = 50;
const ROUNDS = 10;
const KEYS = CALLERS;

/** Event-loop delay p99 (ms) while `work` runs, sampled every millisecond. */
async function loopDelayDuring(work: () => Promise<void>): Promise<{ ms: number; p99: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  histogram.disable();
  return { ms, p99: histogram.percentile(99) / 1e6 };
}

/**
 * 50 callers set then get ~100 KB JSON values, 10 rounds, with the defaults (compressed above 16 KiB,
 * on the thread pool from 32 KiB) and L1 off (else every get is an L1 hit), against raw ioredis with
 * JSON.stringify/parse; the event loop's delay is watched meanwhile.
 */
export const largeValues: TimingScenario = {
  name: 'large-values-100KB',
  description: `${CALLERS} callers × ${ROUNDS} rounds of set + get of ~100 KB JSON (defaults, L1 off) against raw ioredis; event-loop delay p99`,
  needsRedis: true,
  async measure({ redisUrl, runs }) {
    const keys = keysOf('large', KEYS);
    const values = keys.map((_, i) => hundredKilobytes(i));
    const cache = new GenericRedisCache({
      redisUrl,
      enableMemoryCache: false,
      keyPrefix: 'bench:large:',
      logger: silentLogger,
    });
    await cache.connect();
    const raw = new Redis(redisUrl as string, { enableAutoPipelining: true });
    const rounds = (op: (n: number) => Promise<unknown>) => async () => {
      for (let round = 0; round < ROUNDS; round++) await Promise.all(keys.map((_, n) => op(n)));
    };
    const ours = rounds(async (n) => {
      await cache.set(keys[n] as string, values[n], 3600);
      await cache.get(keys[n] as string);
    });
    const theirs = rounds(async (n) => {
      await raw.set(`bench:rawlarge:${keys[n]}`, JSON.stringify(values[n]), 'PX', 3_600_000);
      JSON.parse((await raw.get(`bench:rawlarge:${keys[n]}`)) as string);
    });
    // The floor of any cache that stores a value as it was at the call: the callers call set 50 times in
    // one loop, so 50 snapshots (copies here; a JSON.stringify costs about as much) run in that one turn,
    // whatever comes after. Only those, each round, with the rest of a round (as long as tiercache's
    // rounds took in this run) idle.
    const snapshotsOnly = (roundMs: number) => async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        const snapshots = values.map((value) => snapshotForWrite(value, false));
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, roundMs - (performance.now() - started))),
        );
        snapshots.length = 0;
      }
    };
    const steps = {
      tiercache: [] as number[],
      raw: [] as number[],
      ourDelay: [] as number[],
      rawDelay: [] as number[],
      floorDelay: [] as number[],
    };
    try {
      await ours(); // warm-up of both paths
      await theirs();
      for (let run = 0; run < runs; run++) {
        const a = await loopDelayDuring(ours);
        const b = await loopDelayDuring(theirs);
        steps.tiercache.push(a.ms);
        steps.ourDelay.push(a.p99);
        steps.raw.push(b.ms);
        steps.rawDelay.push(b.p99);
        steps.floorDelay.push((await loopDelayDuring(snapshotsOnly(a.ms / ROUNDS))).p99);
      }
      const stored = await raw.strlen(`bench:large:${keys[0]}`);
      const plain = JSON.stringify(values[0]).length;
      console.log(
        `  ~100 KB value: ${plain.toLocaleString('en-US')} bytes of JSON stored as ${stored.toLocaleString('en-US')} bytes (ratio ${(stored / plain).toFixed(3)})`,
      );
    } finally {
      await cache.clear();
      await cache.close();
      await raw.del(...keys.map((key) => `bench:rawlarge:${key}`));
      raw.disconnect();
    }
    return [
      { label: 'tiercache set + get, all rounds', ms: steps.tiercache },
      { label: 'raw ioredis SET + GET, all rounds', ms: steps.raw },
      { label: 'event-loop delay p99, tiercache', ms: steps.ourDelay },
      { label: 'event-loop delay p99, raw ioredis', ms: steps.rawDelay },
      { label: 'event-loop delay p99, floor (snapshots only)', ms: steps.floorDelay },
    ];
  },
  goals: [{ label: 'event-loop delay p99, tiercache', maxMs: 5 }],
};
