import { describe, expect, it } from 'vitest';
import { MAX_TTL_SECONDS, parseDuration } from '../../src/core/duration.js';
import {
  AuthenticationError,
  ConfigurationError,
  FactoryTimeoutError,
  HTTP_STATUS_BY_CODE,
  InfrastructureError,
  TierCacheError,
  ValidationError,
} from '../../src/core/errors.js';
import { CacheEventEmitter } from '../../src/core/events.js';
import { snapshotValue } from '../../src/core/values.js';

describe('parseDuration', () => {
  it.each([
    [0, 0],
    [3600, 3600],
    ['90s', 90],
    ['10m', 600],
    ['2h', 7200],
    ['7d', 604_800],
    [' 5 m ', 300],
    ['365d', MAX_TTL_SECONDS],
  ])('parses %j as %i seconds', (input, seconds) => {
    expect(parseDuration(input, 'ttl')).toBe(seconds);
  });

  it.each([
    [1.5, 'defaultTtl must be an integer'],
    ['3600', 'defaultTtl must be an integer'],
    ['1.5h', 'defaultTtl must be an integer'],
    ['-5m', 'defaultTtl must be an integer'],
    [null, 'defaultTtl must be an integer'],
    [-1, 'defaultTtl must be non-negative (0 means no expiration)'],
    [MAX_TTL_SECONDS + 1, 'defaultTtl must not exceed 365 days (31,536,000 seconds)'],
  ])('rejects %j', (input, message) => {
    expect(() => parseDuration(input as number, 'defaultTtl')).toThrow(message);
    try {
      parseDuration(input as number, 'defaultTtl');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).option).toBe('defaultTtl');
    }
  });
});

describe('error catalogue', () => {
  it('gives each error its stable code and HTTP status', () => {
    const cases: [TierCacheError, string, number][] = [
      [new TierCacheError('x'), 'E_TIERCACHE', 500],
      [new ValidationError('x'), 'E_VALIDATION', 400],
      [new ConfigurationError('x'), 'E_CONFIGURATION', 500],
      [new InfrastructureError('x'), 'E_INFRASTRUCTURE', 503],
      [new AuthenticationError('x'), 'E_AUTHENTICATION', 401],
      [new FactoryTimeoutError('x'), 'E_FACTORY_HARD_TIMEOUT', 504],
    ];
    for (const [error, code, status] of cases) {
      expect(error.code).toBe(code);
      expect(HTTP_STATUS_BY_CODE[error.code]).toBe(status);
      expect(error).toBeInstanceOf(TierCacheError);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('carries context and every validation problem', () => {
    const cause = new Error('root');
    const error = new ValidationError('a; b', { errors: ['a', 'b'], key: 'k', option: 'ttl', cause });
    expect(error.errors).toStrictEqual(['a', 'b']);
    expect(error).toMatchObject({ key: 'k', option: 'ttl', cause });
    expect(new ValidationError('only').errors).toStrictEqual(['only']);
  });
});

describe('typed events', () => {
  it('delivers to listeners until they unsubscribe', () => {
    const emitter = new CacheEventEmitter(() => undefined);
    const seen: (number | undefined)[] = [];
    expect(emitter.has('operation')).toBe(false);
    const off = emitter.on('operation', (e) => seen.push(e.durationMs));
    expect(emitter.has('operation')).toBe(true);
    emitter.emit('operation', {
      operation: 'get',
      tier: 'memory',
      durationMs: 1,
      outcome: 'hit',
      keys: undefined,
    });
    off();
    emitter.emit('operation', {
      operation: 'get',
      tier: 'memory',
      durationMs: 2,
      outcome: 'hit',
      keys: undefined,
    });
    expect(seen).toStrictEqual([1]);
  });
});

describe('value snapshots', () => {
  it('rejects unsupported binary views and keeps class instances with data as plain objects', () => {
    expect(() => snapshotValue({ f: new Float32Array(2) })).toThrow('value.f is an unsupported binary type');
    class Point {
      constructor(public x: number) {}
    }
    expect(snapshotValue(new Point(1)).value).toStrictEqual({ x: 1 });
    expect(snapshotValue({ a: undefined, b: 1 }).value).toStrictEqual({ b: 1 });
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { n: 1 };
    expect(snapshotValue({ a: shared, b: shared }).value).toStrictEqual({ a: { n: 1 }, b: { n: 1 } });
  });
});

describe('typed events with several listeners', () => {
  it('keeps the other listeners when one unsubscribes', () => {
    const emitter = new CacheEventEmitter(() => undefined);
    const seen: string[] = [];
    const offA = emitter.on('evict', (e) => seen.push(`a:${e.key}`));
    emitter.on('evict', (e) => seen.push(`b:${e.key}`));
    offA();
    emitter.emit('evict', { key: 'k', tier: 'memory', reason: 'evict' });
    expect(seen).toStrictEqual(['b:k']);
    expect(emitter.has('evict')).toBe(true);
  });
});
