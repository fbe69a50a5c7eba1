import { Cluster } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { startRedisCluster } from '../../src/testing/redis-topologies.js';
import type { Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';

const KEYS = 1000;
const IN_FLIGHT = 50;

/** Reads with L1 off on a 3-master cluster it starts itself: tiercache against a raw ioredis Cluster. */
export const clusterGet50InFlight: Scenario = {
  name: 'cluster-get-50-in-flight',
  description: 'get with L1 off, 1 KB JSON, 50 in flight, on a local 3-master Redis Cluster (no replicas)',
  needsRedis: false,
  limit: 'ioredis Cluster auto-pipelined GET+parse',
  async setup() {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    const keys = keysOf('doc', KEYS);
    const cache = new GenericRedisCache({
      redisUrl: cluster.url,
      enableMemoryCache: false,
      keyPrefix: 'bench:cl:',
      logger: silentLogger,
    });
    await cache.connect();
    await cache.setMany(keys.map((key, i) => ({ key, value: kilobyteObject(i) })));
    const raw = new Cluster(
      cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
      { enableAutoPipelining: true },
    );
    await Promise.all(keys.map((key, i) => raw.set(`bench:raw:${key}`, JSON.stringify(kilobyteObject(i)))));
    let i = 0;
    const next = () => keys[i++ % KEYS] as string;
    const drive = (op: (key: string) => Promise<unknown>) => () =>
      Promise.all(Array.from({ length: IN_FLIGHT }, () => op(next())));
    return {
      cases: [
        { label: 'tiercache get (L1 off)', opsPerCall: IN_FLIGHT, run: drive((key) => cache.get(key)) },
        {
          label: 'ioredis Cluster auto-pipelined GET+parse',
          opsPerCall: IN_FLIGHT,
          run: drive(async (key) => JSON.parse((await raw.get(`bench:raw:${key}`)) as string) as unknown),
        },
      ],
      teardown: async () => {
        await cache.close();
        raw.disconnect();
        await cluster.stop();
      },
    };
  },
  goals: [
    { subject: 'tiercache get (L1 off)', against: 'ioredis Cluster auto-pipelined GET+parse', minRatio: 0.8 },
  ],
};
