import type { Redis } from 'ioredis';

// One operation on the Redis tier: its commands, and what it answers besides a result (RemoteTier.run, attempt).

/** What `RemoteTier.run` returns when Redis could not answer; callers fall back to L1. */
export const FAILED: unique symbol = Symbol('redis-failed');
export type Failed = typeof FAILED;

/** What `RemoteTier.attempt` returns when Redis answered this one command with an error. */
export const REJECTED: unique symbol = Symbol('redis-rejected');
export type Rejected = typeof REJECTED;

/**
 * The commands of one operation. `live()` turns false once the caller's deadline has passed: a command
 * of several steps sends no later step then (its caller was already told it failed).
 */
export type TierCommand<T> = (client: Redis, live: () => boolean) => Promise<T>;

/** `live` of a command without a deadline of its own. */
export const ALWAYS = (): boolean => true;
