// The test harness: no test runner needed (the contract suite, which needs vitest, is `tiercache/testing/contract`).
export { startRedisServer, findRedisServerBinary, getFreePort } from './redis-server.js';
export { ManualClock } from './manual-clock.js';
export { createTestCertificates } from './tls-certificates.js';
export { startRedisCluster, startRedisSentinel } from './redis-topologies.js';

export type { RedisServer, RedisServerOptions } from './redis-server.js';
export type { TestCertificates } from './tls-certificates.js';
export type {
  RedisCluster,
  RedisClusterOptions,
  RedisSentinelOptions,
  RedisSentinelSetup,
} from './redis-topologies.js';
