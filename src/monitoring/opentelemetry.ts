import type { TracingChannelSubscribers } from 'node:diagnostics_channel';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import { ConfigurationError } from '../core/errors.js';
import { TRACING_CHANNELS, type TraceContext } from '../core/tracing.js';

export interface OpenTelemetryOptions {
  /** The `@opentelemetry/api` module. @default imported on demand */
  api?: typeof OpenTelemetryApi;
  /** Put cache keys on spans (`tiercache.key`). AI keys may contain user text. @default false */
  includeKeys?: boolean;
}

interface SpanState {
  span: OpenTelemetryApi.Span;
  started: number;
}

/**
 * Turns the `tiercache:*` tracing channels into OpenTelemetry spans (`tiercache.<operation>`) and a
 * `tiercache.operation.duration` histogram (seconds). Only `@opentelemetry/api` is used: with no SDK
 * registered it is a no-op. Returns a function that unsubscribes.
 */
export async function instrumentOpenTelemetry(options: OpenTelemetryOptions = {}): Promise<() => void> {
  const api = options.api ?? (await importApi());
  const tracer = api.trace.getTracer('tiercache');
  const duration = api.metrics.getMeter('tiercache').createHistogram('tiercache.operation.duration', {
    description: 'Cache operation latency',
    unit: 's',
  });
  const states = new WeakMap<object, SpanState>();
  const unsubscribers: (() => void)[] = [];
  for (const [operation, channel] of Object.entries(TRACING_CHANNELS)) {
    const finish = (context: TraceContext, error?: unknown): void => {
      const state = states.get(context);
      if (!state) return;
      states.delete(context);
      if (error !== undefined) {
        state.span.recordException(error instanceof Error ? error : describe(error));
        state.span.setStatus({
          code: api.SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : describe(error),
        });
      }
      state.span.end();
      duration.record((performance.now() - state.started) / 1000, {
        'tiercache.operation': operation,
        'tiercache.cache': context.cache,
      });
    };
    const subscribers: TracingChannelSubscribers<TraceContext> = {
      start: (context) => {
        const attributes: OpenTelemetryApi.Attributes = {
          'tiercache.operation': operation,
          'tiercache.cache': context.cache,
        };
        if (options.includeKeys && context.key !== undefined) attributes['tiercache.key'] = context.key;
        states.set(context, {
          span: tracer.startSpan(`tiercache.${operation}`, { attributes }),
          started: performance.now(),
        });
      },
      end: () => undefined,
      asyncStart: () => undefined,
      asyncEnd: (context) => finish(context),
      error: (context) => finish(context, (context as TraceContext & { error?: unknown }).error),
    };
    channel.subscribe(subscribers);
    unsubscribers.push(() => channel.unsubscribe(subscribers));
  }
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}

async function importApi(): Promise<typeof OpenTelemetryApi> {
  try {
    return await import('@opentelemetry/api');
  } catch (error) {
    throw new ConfigurationError(
      'OpenTelemetry tracing needs @opentelemetry/api: run npm install @opentelemetry/api',
      {
        cause: error,
      },
    );
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'unknown error');
}
