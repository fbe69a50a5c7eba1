export { runCacheContractSuite, expectValidationError, ROUND_TRIP_VALUES } from './contract-suite.js';
export { startRedisServer, findRedisServerBinary, getFreePort } from './redis-server.js';
export { ManualClock } from './manual-clock.js';
export { createTestCertificates } from './tls-certificates.js';

export type { ContractSuiteOptions } from './contract-suite.js';
export type { RedisServer, RedisServerOptions } from './redis-server.js';
export type { TestCertificates } from './tls-certificates.js';
export { startRedisCluster, startRedisSentinel } from './redis-topologies.js';
export type {
  RedisCluster,
  RedisClusterOptions,
  RedisSentinelOptions,
  RedisSentinelSetup,
} from './redis-topologies.js';
