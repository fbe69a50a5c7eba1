import type { Scenario } from '../harness.js';
import { aiBuildKey1KB, aiBuildKey1MB } from './ai-build-key.js';
import { aiGetOrComputeHit } from './ai-get-or-compute.js';
import { l1GetHit } from './l1-get.js';
import { memoryGetHit } from './memory-get.js';
import { redisGet50InFlight, redisGetSequential } from './redis-get.js';
import { redisEncrypted } from './redis-encrypted.js';
import { redisSet50InFlight } from './redis-set.js';

export const scenarios: Scenario[] = [
  memoryGetHit,
  l1GetHit,
  redisGetSequential,
  redisGet50InFlight,
  redisSet50InFlight,
  redisEncrypted,
  aiBuildKey1KB,
  aiBuildKey1MB,
  aiGetOrComputeHit,
];
