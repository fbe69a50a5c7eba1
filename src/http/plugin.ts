import { canConnect } from '../core/capabilities.js';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Env } from '../config/env.js';
import { ConfigurationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CacheInterface } from '../core/types.js';
import { CacheFactory } from '../factory/cache-factory.js';
import type { CachePerformanceMonitor } from '../monitoring/performance-monitor.js';
import { PrometheusExporter } from '../monitoring/prometheus.js';

export interface TiercachePluginOptions {
  /** Use this cache (it is left open on close). Without it, one is built from `env` by the factory. */
  cache?: CacheInterface;
  /** Environment for the factory. @default process.env */
  env?: Env;
  /** The factory (and its monitor) to build with; its monitor also watches a given `cache`. */
  factory?: CacheFactory;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The application's cache (tiercache). */
    cache: CacheInterface;
    /** The performance monitor that watches `cache`. */
    cacheMonitor: CachePerformanceMonitor;
    /** Prometheus exposition of `cache`'s figures. */
    cachePrometheus: PrometheusExporter;
  }
}

const plugin: FastifyPluginAsync<TiercachePluginOptions> = async (fastify: FastifyInstance, options) => {
  if (fastify.hasDecorator('cache')) {
    throw new ConfigurationError(
      'tiercachePlugin is already registered here (fastify.cache exists): register it once per instance',
    );
  }
  const factory = options.factory ?? new CacheFactory({ logger: fastify.log as unknown as Logger });
  const owned = options.cache === undefined;
  // Never detached: with Redis unreachable at start, the cache starts degraded and reconnects by itself.
  const cache =
    options.cache ?? (await factory.fromEnvironment(options.env ?? process.env, { fallbackToMemory: false }));
  const detach: (() => void)[] = [];
  if (!owned) {
    if (canConnect(cache)) await cache.connect();
    detach.push(factory.performanceMonitor.attach(cache));
  }
  const prometheus = new PrometheusExporter();
  detach.push(prometheus.attach(cache));
  fastify.decorate('cache', cache);
  fastify.decorate('cacheMonitor', factory.performanceMonitor);
  fastify.decorate('cachePrometheus', prometheus);
  fastify.addHook('onClose', async () => {
    for (const off of detach) off();
    if (owned) await cache.close();
  });
};

/** Decorates `fastify.cache` (plus `cacheMonitor`, `cachePrometheus`) and owns the lifecycle of what it builds. */
export const tiercachePlugin = fp(plugin, { fastify: '5.x', name: 'tiercache' });
