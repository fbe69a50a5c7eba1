import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { TimingScenario } from '../timing.js';

const PEER = fileURLToPath(new URL('../tracking-peer.ts', import.meta.url));
const WRITES = 300;
const TRACKED_KEYS = 100_000;
const L1_HITS = 200_000;

const now = (): number => performance.timeOrigin + performance.now();
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Peer {
  child: ChildProcess;
  arrival: () => Promise<number>;
  warm: (keys: string[]) => Promise<void>;
}

async function startPeer(redisUrl: string, keyPrefix: string, mode: 'default' | 'broadcast'): Promise<Peer> {
  const child = fork(PEER, [redisUrl, keyPrefix, mode], {
    execArgv: process.execArgv, // the scenario's: tsx, and tiercache from dist/
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onArrival: ((at: number) => void) | undefined;
  let onWarmed: (() => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tracking peer exited (code ${code})`)));
    child.on('message', (m: { ready?: boolean; at?: number; warmed?: boolean }) => {
      if (m.ready) resolve();
      else if (m.warmed) onWarmed?.();
      else if (m.at !== undefined) onArrival?.(m.at);
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    arrival: () => new Promise<number>((resolve) => (onArrival = resolve)),
    warm: (keys) =>
      new Promise<void>((resolve) => {
        onWarmed = resolve;
        child.send({ warm: keys });
      }),
  };
}

/** Time for `count` L1 hits of a warm key (ms), for the cost of a hit under a coherence mode. */
async function l1Hits(redisUrl: string, coherence: 'bus' | 'tracking', count: number): Promise<number> {
  const cache = new GenericRedisCache({
    redisUrl,
    keyPrefix: `bench:l1:${coherence}:`,
    coherence,
    logger: silentLogger,
  });
  await cache.connect();
  await cache.set('hot', { v: 1 });
  for (let i = 0; i < 10_000; i++) await cache.get('hot');
  const started = performance.now();
  for (let i = 0; i < count; i++) await cache.get('hot');
  const ms = performance.now() - started;
  await cache.close();
  return ms;
}

/**
 * Redis client tracking: how long after an outside SET (a raw client, as another service would write) a
 * peer process has dropped the key from its L1, in both tracking modes; what an L1 hit costs with tracking
 * on against the bus; and Redis's memory for default-mode tracking of 100k keys.
 */
export const tracking: TimingScenario = {
  name: 'tracking',
  description: `client tracking: outside SET → L1 drop in another process (${WRITES} sequential writes per run), L1 hit cost, Redis memory for ${TRACKED_KEYS / 1000}k tracked keys`,
  needsRedis: true,
  async measure({ redisUrl, runs }) {
    const url = redisUrl as string;
    const raw = new Redis(url);
    const steps: { label: string; ms: number[] }[] = [];
    try {
      for (const mode of ['broadcast', 'default'] as const) {
        const keyPrefix = `bench:track:${mode}:`;
        const peer = await startPeer(url, keyPrefix, mode);
        const p50: number[] = [];
        const p99: number[] = [];
        try {
          for (let run = 0; run < runs; run++) {
            const keys = Array.from({ length: WRITES }, (_, i) => `k${i}`);
            for (const key of keys) await raw.set(`${keyPrefix}${key}`, 'x');
            await peer.warm(keys); // default mode tracks only keys read
            const delays: number[] = [];
            for (const key of keys) {
              const arrived = peer.arrival();
              const sent = now();
              await raw.set(`${keyPrefix}${key}`, `v${run}`);
              delays.push((await arrived) - sent);
            }
            delays.sort((a, b) => a - b);
            p50.push(percentile(delays, 50));
            p99.push(percentile(delays, 99));
          }
          if (mode === 'default') {
            const before = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
            const keys = Array.from({ length: TRACKED_KEYS }, (_, i) => `m${i}`);
            for (let i = 0; i < keys.length; i += 1000) await peer.warm(keys.slice(i, i + 1000));
            const info = await raw.info('stats');
            const after = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
            const tracked = /tracking_total_keys:(\d+)/.exec(info)?.[1];
            console.log(
              `  default-mode tracking of ${TRACKED_KEYS} keys read (misses): Redis tracking_total_keys ${tracked}, used_memory +${((after - before) / 1024 / 1024).toFixed(1)} MiB`,
            );
          }
        } finally {
          peer.child.send({ stop: true });
        }
        steps.push({ label: `${mode}: outside SET → L1 drop p50`, ms: p50 });
        steps.push({ label: `${mode}: outside SET → L1 drop p99`, ms: p99 });
      }
      const bus: number[] = [];
      const tracked: number[] = [];
      for (let run = 0; run < runs; run++) {
        bus.push(await l1Hits(url, 'bus', L1_HITS));
        tracked.push(await l1Hits(url, 'tracking', L1_HITS));
      }
      steps.push({ label: `${L1_HITS / 1000}k L1 hits, bus`, ms: bus });
      steps.push({ label: `${L1_HITS / 1000}k L1 hits, tracking`, ms: tracked });
    } finally {
      for (const mode of ['broadcast', 'default']) {
        await raw.del(...Array.from({ length: WRITES }, (_, i) => `bench:track:${mode}:k${i}`));
      }
      await raw.del('bench:l1:bus:hot', 'bench:l1:tracking:hot');
      raw.disconnect();
    }
    return steps;
  },
  goals: [
    { label: 'broadcast: outside SET → L1 drop p99', maxMs: 5 },
    { label: 'default: outside SET → L1 drop p99', maxMs: 5 },
  ],
};
