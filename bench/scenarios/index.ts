import type { Scenario } from '../harness.js';
import type { TimingScenario } from '../timing.js';
import { aiBuildKey1KB, aiBuildKey1MB } from './ai-build-key.js';
import { aiGetOrComputeHit } from './ai-get-or-compute.js';
import { l1GetHit } from './l1-get.js';
import { memoryGetHit, memorySet } from './memory-get.js';
import { immutableWriteStrategies } from './write-strategies.js';
import { memoryPolicyCost } from './memory-policy.js';
import {
  redisGet100KB,
  redisGet50InFlight,
  redisGet50InFlightPeers,
  redisGetSequential,
} from './redis-get.js';
import { redisEncrypted } from './redis-encrypted.js';
import { encryption1KB } from './encryption.js';
import { redisSet50InFlight, redisSet100KB } from './redis-set.js';
import { l1MissRedisHit } from './l1-miss.js';
import { getOrSetHit } from './get-or-set.js';
import { clusterGet50InFlight } from './cluster-get.js';
import { patternInvalidation } from './invalidation.js';
import { busPropagation } from './bus-propagation.js';
import { tracking } from './tracking.js';
import { aiStreamReplay } from './ai-stream-replay.js';
import { largeValues } from './large-values.js';

/** Throughput scenarios: a table of cases each. */
export const tableScenarios: Scenario[] = [
  memoryGetHit,
  memorySet,
  immutableWriteStrategies,
  memoryPolicyCost,
  l1GetHit,
  redisGetSequential,
  redisGet50InFlight,
  redisGet50InFlightPeers,
  l1MissRedisHit,
  redisSet50InFlight,
  redisSet100KB,
  redisGet100KB,
  getOrSetHit,
  redisEncrypted,
  encryption1KB,
  aiBuildKey1KB,
  aiBuildKey1MB,
  aiGetOrComputeHit,
  clusterGet50InFlight,
];

/** Elapsed-time scenarios: steps with their medians. */
export const timingScenarios: TimingScenario[] = [
  patternInvalidation,
  busPropagation,
  tracking,
  largeValues,
  aiStreamReplay,
];
