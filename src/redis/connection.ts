import { Redis, type RedisOptions } from 'ioredis';
import { ValidationError } from '../core/errors.js';
import type { ResolvedSecurity } from './security.js';

/** Returns the SPEC §6 problem with a Redis URL, or `undefined` when it is usable. */
export function redisUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'redisUrl must be a string';
  if (url.trim() === '') return 'redisUrl cannot be empty';
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    return "redisUrl must start with 'redis://' or 'rediss://'";
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'redisUrl format is invalid';
  }
  if (parsed.hostname === '') return 'redisUrl must include host information';
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return 'redisUrl format is invalid';
  return undefined;
}

/** Throws `ValidationError` with the SPEC §6 message when the URL is unusable. */
export function assertRedisUrl(url: unknown): asserts url is string {
  const problem = redisUrlProblem(url);
  if (problem) throw new ValidationError(problem, { option: 'redisUrl' });
}

export interface ConnectionSettings {
  url: string;
  /** Milliseconds a command may take before it fails (degraded mode takes over). */
  commandTimeout: number;
  /** Milliseconds one connection attempt may take. */
  connectTimeout: number;
  security: ResolvedSecurity;
}

/** Longest pause between two background reconnection attempts. */
export const MAX_RECONNECT_DELAY_MS = 2000;

/** Capped exponential backoff: 50 ms, 100 ms, 200 ms ... up to `MAX_RECONNECT_DELAY_MS`. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS);
}

/**
 * Builds the ioredis client tiercache owns: lazy (connect() decides when), no offline queue (a command
 * while disconnected fails at once instead of waiting), a timeout on every command, and reconnection
 * in the background with capped backoff. The caller attaches the error listener.
 */
export function createRedisClient(settings: ConnectionSettings): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    commandTimeout: settings.commandTimeout,
    connectTimeout: settings.connectTimeout,
    maxRetriesPerRequest: 0,
    // Toggled per command by the remote tier (adaptive auto-pipelining) when `autoPipelining` is on.
    enableAutoPipelining: false,
    retryStrategy: reconnectDelay,
    ...(settings.security.password !== undefined && { password: settings.security.password }),
    ...(settings.security.username !== undefined && { username: settings.security.username }),
    ...(settings.security.tls && { tls: settings.security.tls }),
  };
  return new Redis(settings.url, options);
}
