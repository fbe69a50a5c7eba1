import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { TimingScenario } from '../timing.js';

const PEER = fileURLToPath(new URL('../bus-peer.ts', import.meta.url));
const MESSAGES = 300;

const now = (): number => performance.timeOrigin + performance.now();
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * How long after `set` starts in one process a peer process has dropped the key from its L1: the SET round
 * trip, the PUBLISH, Redis fan-out and the peer's handling. Sequential, so no message queues behind another.
 */
export const busPropagation: TimingScenario = {
  name: 'bus-propagation',
  description: `invalidation bus, set in one process → L1 drop in another (${MESSAGES} sequential messages per run)`,
  needsRedis: true,
  async measure({ redisUrl, runs }) {
    const keyPrefix = 'bench:bus:';
    const peer = fork(PEER, [redisUrl as string, keyPrefix], {
      execArgv: process.execArgv, // the scenario's: tsx, and tiercache from dist/
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let onArrival: ((at: number) => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      peer.once('exit', (code) => reject(new Error(`bus peer exited (code ${code})`)));
      peer.on('message', (m: { ready?: boolean; at?: number }) => {
        if (m.ready) resolve();
        else if (m.at !== undefined) onArrival?.(m.at);
      });
    });
    peer.removeAllListeners('exit');
    const cache = new GenericRedisCache({ redisUrl, keyPrefix, bus: true, logger: silentLogger });
    await cache.connect();
    const p50: number[] = [];
    const p99: number[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const delays: number[] = [];
        for (let i = 0; i < MESSAGES; i++) {
          const arrived = new Promise<number>((resolve) => (onArrival = resolve));
          const sent = now();
          await cache.set(`k${i}`, i, 60);
          delays.push((await arrived) - sent);
        }
        delays.sort((a, b) => a - b);
        p50.push(percentile(delays, 50));
        p99.push(percentile(delays, 99));
      }
    } finally {
      await cache.clear();
      await cache.close();
      peer.send('stop');
    }
    return [
      { label: 'propagation p50', ms: p50 },
      { label: 'propagation p99', ms: p99 },
    ];
  },
  goals: [{ label: 'propagation p99', maxMs: 10 }],
};
