import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_PATTERN_LENGTH } from '../core/pattern.js';

export const AnyObject = Type.Object({}, { additionalProperties: true });

export const ErrorBodySchema = Type.Object({
  success: Type.Literal(false),
  error: Type.String(),
  error_code: Type.String(),
  detail: Type.Object({ message: Type.String() }),
  timestamp: Type.String(),
});

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
  timestamp: Type.String(),
  version: Type.String(),
  cache: Type.Object({
    type: Type.String(),
    redis: Type.Union([Type.Literal('connected'), Type.Literal('degraded'), Type.Literal('not_configured')]),
    l1_entries: Type.Integer(),
    breaker: Type.String(),
    /** Why Redis counts as degraded (the last failure), when it does. */
    reason: Type.Optional(Type.String()),
  }),
});

export const TimeSeriesQuerySchema = Type.Object(
  { seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, default: 300 })) },
  { additionalProperties: false },
);

export const HealthQuerySchema = Type.Object(
  {
    strict: Type.Optional(
      Type.Boolean({ description: 'answer 503 unless healthy (for probes that should fail over)' }),
    ),
  },
  { additionalProperties: false },
);

export const StatusSchema = Type.Object({
  redis: Type.Object({
    /** Set when the cache is the factory's in-memory fallback for a Redis unreachable at start. */
    fallback_reason: Type.Optional(Type.String()),
    status: Type.String(),
    /** Why there is no Redis, or why it is not connected. */
    message: Type.Optional(Type.String()),
    keys: Type.Integer(),
    memory_used: Type.String(),
    memory_used_bytes: Type.Integer(),
    connected_clients: Type.Integer(),
  }),
  memory: Type.Object({
    status: Type.String(),
    entries: Type.Integer(),
    max_size: Type.Integer(),
    utilization_percent: Type.Number(),
    memory_usage: Type.Integer(),
  }),
  performance: Type.Object({
    status: Type.String(),
    hit_rate: Type.Number(),
    total_operations: Type.Integer(),
    hits: Type.Integer(),
    misses: Type.Integer(),
    cache_type: Type.String(),
  }),
  ai_metrics: Type.Optional(AnyObject),
  /** How L1 is kept coherent: asked for, in force, and client tracking's state (Redis caches). */
  coherence: Type.Optional(AnyObject),
  /** The most read keys (sampled top-k), when the cache tracks them. */
  hot_keys: Type.Optional(Type.Array(Type.Object({ key: Type.String(), estimated_reads: Type.Integer() }))),
  /** The last 1 and 5 minutes (the figures above are lifetime). */
  windows: Type.Optional(Type.Array(AnyObject)),
  security: Type.Optional(
    Type.Object({
      security_level: Type.String(),
      tls_enabled: Type.Boolean(),
      has_authentication: Type.Boolean(),
      encryption_enabled: Type.Boolean(),
    }),
  ),
});

export const InvalidateQuerySchema = Type.Object(
  {
    pattern: Type.String({
      maxLength: MAX_PATTERN_LENGTH,
      default: '',
      description: 'substring, or glob with * ? [...]; empty or absent = every key (as the original)',
    }),
    operation_context: Type.Optional(Type.String({ maxLength: 256 })),
    dry_run: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const InvalidateResponseSchema = Type.Object({
  message: Type.String(),
  pattern: Type.String(),
  keys_invalidated: Type.Integer(),
  dry_run: Type.Boolean(),
});

export const InvalidationStatsSchema = Type.Object({
  total_operations: Type.Integer(),
  total_keys_invalidated: Type.Integer(),
  frequency: Type.Object({
    last_hour: Type.Integer(),
    last_24_hours: Type.Integer(),
    average_per_hour: Type.Number(),
  }),
  patterns: Type.Object({
    most_common_patterns: Type.Array(Type.Object({ pattern: Type.String(), count: Type.Integer() })),
    invalidation_types: Type.Record(Type.String(), Type.Integer()),
  }),
  thresholds: Type.Object({ warning_per_hour: Type.Number(), critical_per_hour: Type.Number() }),
  performance: Type.Object({
    avg_keys_per_invalidation: Type.Number(),
    avg_duration: Type.Number(),
    max_duration: Type.Number(),
  }),
});

export const RecommendationsSchema = Type.Object({
  recommendations: Type.Array(
    Type.Object({
      severity: Type.String(),
      issue: Type.String(),
      message: Type.String(),
      suggestions: Type.Array(Type.String()),
    }),
  ),
});

export const MetricsSchema = Type.Object(
  {
    timestamp: Type.String(),
    retention_hours: Type.Number(),
    cache_hit_rate: Type.Number(),
    total_cache_operations: Type.Integer(),
    cache_hits: Type.Integer(),
    cache_misses: Type.Integer(),
    key_generation: Type.Optional(AnyObject),
    cache_operations: Type.Optional(AnyObject),
    compression: Type.Optional(AnyObject),
    memory_usage: Type.Optional(AnyObject),
    invalidation: Type.Optional(AnyObject),
    /** What the percentiles above are computed over (the counts are lifetime totals). */
    percentile_basis: Type.Optional(AnyObject),
    /** The last 1 and 5 minutes. */
    windows: Type.Optional(Type.Array(AnyObject)),
  },
  { additionalProperties: false },
);

/** The responses every route may give besides 200. */
export function withErrors(ok: TSchema, ...codes: number[]): Record<number, TSchema> {
  const responses: Record<number, TSchema> = { 200: ok };
  for (const code of codes) responses[code] = ErrorBodySchema;
  return responses;
}

export const KeysQuerySchema = Type.Object(
  {
    pattern: Type.String({ maxLength: MAX_PATTERN_LENGTH, default: '', description: 'as for invalidate' }),
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  },
  { additionalProperties: false },
);

export const InspectQuerySchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 1024 }),
    value: Type.Boolean({ default: false, description: 'include the value (it may hold personal data)' }),
  },
  { additionalProperties: false },
);

export const TagsQuerySchema = Type.Object(
  { tags: Type.String({ minLength: 1, maxLength: 4096, description: 'comma-separated tags' }) },
  { additionalProperties: false },
);
