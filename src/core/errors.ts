/** Stable machine-readable codes of the errors tiercache throws; the HTTP layer maps them to statuses. */
export type ErrorCode =
  | 'E_TIERCACHE'
  | 'E_VALIDATION'
  | 'E_CONFIGURATION'
  | 'E_INFRASTRUCTURE'
  | 'E_AUTHENTICATION'
  | 'E_FACTORY_HARD_TIMEOUT'
  | 'E_LOCK_TIMEOUT';

/**
 * Codes only the HTTP service answers with (no class is thrown for them): a malformed request Fastify
 * refused (`E_REQUEST`, its own 4xx status), an unknown route, a failed health check, an unexpected error.
 */
export type HttpOnlyErrorCode = 'E_REQUEST' | 'E_NOT_FOUND' | 'E_UNHEALTHY' | 'E_INTERNAL';

/** Every code a client of tiercache (library or HTTP) can see: one catalogue. */
export type AnyErrorCode = ErrorCode | HttpOnlyErrorCode;

export interface ErrorContext {
  /** The cache key involved, when there is one. */
  key?: string;
  /** The option or field the message is about. */
  option?: string;
  cause?: unknown;
}

/** Base class of every error tiercache throws on purpose. */
export class TierCacheError extends Error {
  readonly code: ErrorCode = 'E_TIERCACHE';
  readonly key: string | undefined;
  readonly option: string | undefined;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.key = context.key;
    this.option = context.option;
  }
}

/** A bad argument to a public API. `errors` lists every problem found, `message` joins them. */
export class ValidationError extends TierCacheError {
  override readonly code = 'E_VALIDATION';
  readonly errors: string[];

  constructor(message: string, context: ErrorContext & { errors?: string[] } = {}) {
    super(message, context);
    this.errors = context.errors ?? [message];
  }
}

/** Bad environment, preset, config file or security setup. */
export class ConfigurationError extends TierCacheError {
  override readonly code = 'E_CONFIGURATION';
}

/** Redis unreachable in strict mode, or an unexpected backend failure. */
export class InfrastructureError extends TierCacheError {
  override readonly code = 'E_INFRASTRUCTURE';
}

/** A missing or invalid API key. */
export class AuthenticationError extends TierCacheError {
  override readonly code = 'E_AUTHENTICATION';
}

/** A `getOrSet` factory ran past its `hardTimeout`. */
export class FactoryTimeoutError extends TierCacheError {
  override readonly code = 'E_FACTORY_HARD_TIMEOUT';
}

/**
 * `getOrSet` waited `lockTimeout` for another instance's running factory, had no stale value to serve,
 * and did not start a second factory (single-flight holds for the owner's whole life).
 */
export class LockTimeoutError extends TierCacheError {
  override readonly code = 'E_LOCK_TIMEOUT';
}

/** HTTP status for each error code (SPEC §1). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  E_TIERCACHE: 500,
  E_VALIDATION: 400,
  E_CONFIGURATION: 500,
  E_INFRASTRUCTURE: 503,
  E_AUTHENTICATION: 401,
  E_FACTORY_HARD_TIMEOUT: 504,
  E_LOCK_TIMEOUT: 504,
};

/** HTTP status of the HTTP-only codes (`E_REQUEST` keeps the 4xx status Fastify gave the request). */
export const HTTP_ONLY_STATUS: Readonly<Record<HttpOnlyErrorCode, number>> = {
  E_REQUEST: 400,
  E_NOT_FOUND: 404,
  E_UNHEALTHY: 503,
  E_INTERNAL: 500,
};
