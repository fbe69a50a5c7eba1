import { canListKeys } from '../../core/capabilities.js';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { toRedisMatch } from '../../core/pattern.js';
import type { ApiKeyAuth } from '../auth.js';
import { sendError } from '../error-handler.js';
import {
  AnyObject,
  TimeSeriesQuerySchema,
  ErrorBodySchema,
  HealthQuerySchema,
  HealthSchema,
  InvalidateQuerySchema,
  InvalidateResponseSchema,
  InvalidationStatsSchema,
  MetricsSchema,
  RecommendationsSchema,
  StatusSchema,
  withErrors,
} from '../schemas.js';
import { registerDashboard } from './dashboard-routes.js';
import { registerKeyRoutes } from './key-routes.js';
import { healthBody, invalidationStatsBody, redisOf, statusBody, toSnake } from '../wire.js';

export interface CacheRoutesOptions {
  auth: ApiKeyAuth;
  version: string;
}

type InvalidateQuery = Static<typeof InvalidateQuerySchema>;

/** The cache management API of SPEC §9, on top of `fastify.cache` (register tiercachePlugin first). */
export const cacheRoutes: FastifyPluginAsync<CacheRoutesOptions> = async (
  app: FastifyInstance,
  { auth, version },
) => {
  app.get<{ Querystring: Static<typeof HealthQuerySchema> }>(
    '/health',
    {
      schema: {
        tags: ['health'],
        querystring: HealthQuerySchema,
        // 503: the health body (?strict=true while degraded) or an error body (the check itself failed).
        response: { 200: HealthSchema, 503: Type.Union([HealthSchema, ErrorBodySchema]) },
      },
    },
    async (request, reply) => {
      try {
        const body = await healthBody(app.cache, version);
        // ?strict=true: for probes that should take the instance out while Redis is away.
        if (request.query.strict === true && body.status !== 'healthy') return reply.code(503).send(body);
        return body;
      } catch (error) {
        app.log.error({ err: error }, 'health check failed');
        return sendError(reply, 503, 'E_UNHEALTHY', 'cache is unhealthy');
      }
    },
  );

  app.get(
    '/internal/cache/status',
    { preHandler: auth.optional, schema: { tags: ['cache'], response: withErrors(StatusSchema, 401) } },
    async () => statusBody(app.cache, app.cacheMonitor),
  );

  app.post<{ Querystring: InvalidateQuery }>(
    '/internal/cache/invalidate',
    {
      preHandler: auth.required,
      schema: {
        tags: ['cache'],
        querystring: InvalidateQuerySchema,
        response: withErrors(InvalidateResponseSchema, 400, 401, 503),
      },
    },
    async (request, reply) => {
      const { pattern, operation_context: context, dry_run: dryRun = false } = request.query;
      const redis = redisOf(app.cache);
      const keys = dryRun
        ? canListKeys(app.cache)
          ? await app.cache.countMatching(pattern)
          : 0
        : await app.cache.invalidatePattern(pattern, context);
      if (redis && (await redis.getStats()).redis !== 'connected') {
        return sendError(
          reply,
          503,
          'E_INFRASTRUCTURE',
          dryRun
            ? 'Redis is unavailable: keys could only be counted in this process'
            : `Redis is unavailable: ${keys} keys were invalidated in this process; Redis keys matching ${toRedisMatch(redis.keyPrefix, pattern)} will be removed when it returns`,
        );
      }
      return {
        message: `Cache invalidated for pattern: ${pattern}`,
        pattern,
        keys_invalidated: keys,
        dry_run: dryRun,
      };
    },
  );

  app.get(
    '/internal/cache/invalidation-stats',
    {
      preHandler: auth.optional,
      schema: { tags: ['monitoring'], response: withErrors(InvalidationStatsSchema, 401) },
    },
    async () => invalidationStatsBody(app.cacheMonitor.getInvalidationFrequencyStats()),
  );

  app.get(
    '/internal/cache/invalidation-recommendations',
    {
      preHandler: auth.optional,
      schema: { tags: ['monitoring'], response: withErrors(RecommendationsSchema, 401) },
    },
    async () => ({ recommendations: app.cacheMonitor.getInvalidationRecommendations() }),
  );

  app.get(
    '/internal/cache/metrics',
    { preHandler: auth.optional, schema: { tags: ['monitoring'], response: withErrors(MetricsSchema, 401) } },
    async () => {
      await app.cacheMonitor.sampleMemory();
      return toSnake(app.cacheMonitor.getPerformanceStats());
    },
  );

  app.get<{ Querystring: Static<typeof TimeSeriesQuerySchema> }>(
    '/internal/cache/timeseries',
    {
      preHandler: auth.optional,
      schema: {
        tags: ['monitoring'],
        querystring: TimeSeriesQuerySchema,
        response: withErrors(AnyObject, 400, 401),
      },
    },
    async (request) => toSnake(app.cacheMonitor.getTimeSeries(request.query.seconds)),
  );

  app.get(
    '/internal/cache/metrics/prometheus',
    { preHandler: auth.optional, schema: { tags: ['monitoring'], produces: ['text/plain'] } },
    async (_request, reply) =>
      reply.type(app.cachePrometheus.contentType).send(await app.cachePrometheus.metrics()),
  );

  registerKeyRoutes(app, auth);
  registerDashboard(app, auth);
};
