import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { HTTP_ONLY_STATUS, HTTP_STATUS_BY_CODE, TierCacheError, type AnyErrorCode } from '../core/errors.js';

/** The error body of every failed request (SPEC §9). */
export interface ErrorBody {
  success: false;
  error: string;
  error_code: string;
  detail: { message: string };
  timestamp: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function errorBody(status: number, code: AnyErrorCode, message: string): ErrorBody {
  return {
    success: false,
    error: STATUS_TEXT[status] ?? 'Error',
    error_code: code,
    detail: { message },
    timestamp: new Date().toISOString(),
  };
}

/** Sends an error body; 401s carry `WWW-Authenticate: Bearer`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: AnyErrorCode,
  message: string,
): FastifyReply {
  if (status === 401) void reply.header('WWW-Authenticate', 'Bearer');
  return reply
    .code(status)
    .type('application/json')
    .send(errorBody(status, code, message));
}

/**
 * Maps every error to the error body in one place: tiercache errors by their code, Fastify's request
 * validation to 400, other client errors (4xx) as they are, anything else to a logged 500.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | TierCacheError, request, reply) => {
    if (error instanceof TierCacheError)
      return sendError(reply, HTTP_STATUS_BY_CODE[error.code], error.code, error.message);
    if ('validation' in error && error.validation)
      return sendError(reply, 400, 'E_VALIDATION', error.message);
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    // Fastify's own codes (FST_ERR_CTP_BODY_TOO_LARGE, ...) stay in the message; the code is ours.
    if (status >= 400 && status < 500) return sendError(reply, status, 'E_REQUEST', error.message);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, HTTP_ONLY_STATUS.E_INTERNAL, 'E_INTERNAL', 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      HTTP_ONLY_STATUS.E_NOT_FOUND,
      'E_NOT_FOUND',
      `route ${request.method} ${request.url.split('?')[0]} not found`,
    ),
  );
}
