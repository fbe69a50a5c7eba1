import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Env } from '../config/env.js';
import type { CacheInterface } from '../core/types.js';
import type { CacheFactory } from '../factory/cache-factory.js';
import { ApiKeyAuth, apiKeysFromEnv, assertKeysForEnvironment } from './auth.js';
import { installErrorHandling } from './error-handler.js';
import { tiercachePlugin } from './plugin.js';
import { cacheRoutes } from './routes/cache-routes.js';

export interface BuildServerOptions {
  /** Serve this cache (left open on close); otherwise one is built from `env`. */
  cache?: CacheInterface;
  /** @default process.env */
  env?: Env;
  factory?: CacheFactory;
  /** API keys; default API_KEY + ADDITIONAL_API_KEYS from `env`. */
  apiKeys?: string[];
  /** Fastify logger options (pino); `false` for none. @default info level with API keys redacted */
  logger?: FastifyServerOptions['logger'];
  /** Socket and request time limits (docs/http-api.md). @default HTTP_TIMEOUT_DEFAULTS */
  timeouts?: Partial<HttpTimeouts>;
}

/** How long the service lets a client take, in milliseconds. */
export interface HttpTimeouts {
  /** A whole request, headers and body, must arrive within this (Node `requestTimeout`). */
  requestTimeout: number;
  /** A socket with no traffic at all is closed after this (Fastify `connectionTimeout`; 0 = none). */
  connectionTimeout: number;
  /**
   * A keep-alive connection waits this long for the next request: longer than a load balancer's idle
   * timeout (60 s on AWS ALB), so the balancer never reuses a socket the service just closed.
   */
  keepAliveTimeout: number;
}

/** A slow client cannot hold a request open; idle keep-alive sockets outlive a load balancer's. */
export const HTTP_TIMEOUT_DEFAULTS: Readonly<HttpTimeouts> = {
  requestTimeout: 10_000,
  connectionTimeout: 0,
  keepAliveTimeout: 72_000,
};

/** Headers that must never reach a log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The full cache management service (SPEC §9), ready to `listen` or `inject`. */
export async function buildServer(options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const env = options.env ?? process.env;
  const environment = (env.NODE_ENV ?? env.ENVIRONMENT ?? 'development').toLowerCase();
  const keys = options.apiKeys ?? apiKeysFromEnv(env);
  assertKeysForEnvironment(keys, environment);
  const timeouts = { ...HTTP_TIMEOUT_DEFAULTS, ...options.timeouts };
  const app = Fastify({
    ...timeouts,
    // Given to Node at creation (it arms its deadline checks then), checked often enough to hold:
    // Node's default check runs every 30 s.
    http: {
      requestTimeout: timeouts.requestTimeout,
      headersTimeout: timeouts.requestTimeout,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, timeouts.requestTimeout / 4)),
    },
    logger: options.logger ?? {
      level: env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  });
  installErrorHandling(app);
  if (keys.length === 0)
    app.log.warn(
      'no API keys configured (API_KEY): the cache management API is open to anyone who can reach it',
    );
  await app.register(swagger, {
    openapi: {
      info: { title: 'tiercache management API', version: VERSION },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });
  await app.register(tiercachePlugin, {
    ...(options.cache && { cache: options.cache }),
    ...(options.factory && { factory: options.factory }),
    env,
  });
  await app.register(fp(cacheRoutes), { auth: new ApiKeyAuth(keys), version: VERSION });
  app.get('/documentation/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
