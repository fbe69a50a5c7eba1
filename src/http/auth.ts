import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigurationError } from '../core/errors.js';
import { sendError } from './error-handler.js';

export const MISSING_KEY_MESSAGE =
  "API key required. Provide it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.";
export const INVALID_KEY_MESSAGE = 'Invalid API key';

/** API keys from `API_KEY` plus comma-separated `ADDITIONAL_API_KEYS`, trimmed, empty ones dropped. */
export function apiKeysFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return [env.API_KEY ?? '', ...(env.ADDITIONAL_API_KEYS ?? '').split(',')]
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Checks request keys in constant time: keys are compared as sha256 digests (equal lengths), and every
 * configured key is compared, so timing says nothing about which key or how much of it matched.
 */
export class ApiKeyAuth {
  readonly #digests: Buffer[];

  constructor(keys: string[]) {
    this.#digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.#digests.length > 0;
  }

  isValid(key: string): boolean {
    const candidate = digest(key);
    let match = false;
    for (const known of this.#digests) match = timingSafeEqual(candidate, known) || match;
    return match;
  }

  /** The request's key: `Authorization: Bearer <key>` when present and non-empty, else `X-API-Key`. */
  static keyOf(request: FastifyRequest): string | undefined {
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string') {
      const match = /^Bearer\s+(.*)$/i.exec(authorization.trim());
      const bearer = match?.[1]?.trim();
      if (bearer) return bearer;
    }
    const header = request.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    return key?.trim() || undefined;
  }

  /** preHandler for mutations: a valid key is required (when keys are configured). */
  readonly required = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!this.enabled) return;
    const key = ApiKeyAuth.keyOf(request);
    if (key === undefined) await sendError(reply, 401, 'E_AUTHENTICATION', MISSING_KEY_MESSAGE);
    else if (!this.isValid(key)) await sendError(reply, 401, 'E_AUTHENTICATION', INVALID_KEY_MESSAGE);
  };

  /** preHandler for reads: no key is fine, a wrong key is not. */
  readonly optional = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!this.enabled) return;
    const key = ApiKeyAuth.keyOf(request);
    if (key !== undefined && !this.isValid(key))
      await sendError(reply, 401, 'E_AUTHENTICATION', INVALID_KEY_MESSAGE);
  };
}

/** Shortest API key production accepts: a short key can be guessed over the network. */
export const MIN_PRODUCTION_KEY_LENGTH = 16;

/**
 * Production refuses to serve the management API without keys (SPEC §9), or with a key shorter than
 * `MIN_PRODUCTION_KEY_LENGTH` characters (the message never shows the key).
 */
export function assertKeysForEnvironment(keys: string[], environment: string): void {
  if (environment !== 'production') return;
  if (keys.length === 0) {
    throw new ConfigurationError(
      'no API keys configured: set API_KEY (and optionally ADDITIONAL_API_KEYS) before starting in production',
      { option: 'API_KEY' },
    );
  }
  const short = keys.filter((key) => key.length < MIN_PRODUCTION_KEY_LENGTH).length;
  if (short > 0) {
    throw new ConfigurationError(
      `${short} API key(s) shorter than ${MIN_PRODUCTION_KEY_LENGTH} characters: use long random keys in production (e.g. \`openssl rand -base64 24\`)`,
      { option: 'API_KEY' },
    );
  }
}
