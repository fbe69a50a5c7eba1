import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { canInspect, canListKeys } from '../../core/capabilities.js';
import type { ApiKeyAuth } from '../auth.js';
import { sendError } from '../error-handler.js';
import { AnyObject, InspectQuerySchema, KeysQuerySchema, TagsQuerySchema, withErrors } from '../schemas.js';
import { toSnake } from '../wire.js';

/**
 * The operator's key routes (`tiercache keys`, `inspect`, `invalidate --tag`): list keys by pattern with
 * a limit, describe one key without its value unless asked, and invalidate by tags.
 */
export function registerKeyRoutes(app: FastifyInstance, auth: ApiKeyAuth): void {
  app.get<{ Querystring: Static<typeof KeysQuerySchema> }>(
    '/internal/cache/keys',
    {
      preHandler: auth.required,
      schema: {
        tags: ['cache'],
        querystring: KeysQuerySchema,
        response: withErrors(AnyObject, 400, 401, 501),
      },
    },
    async (request, reply) => {
      const { pattern, limit } = request.query;
      if (!canListKeys(app.cache))
        return sendError(reply, 501, 'E_VALIDATION', 'this cache cannot list its keys');
      const keys: string[] = [];
      let truncated = false;
      for await (const key of app.cache.scanKeys(pattern)) {
        if (keys.length === limit) {
          truncated = true;
          break;
        }
        keys.push(key);
      }
      return { pattern, keys, truncated };
    },
  );

  app.get<{ Querystring: Static<typeof InspectQuerySchema> }>(
    '/internal/cache/inspect',
    {
      // Required: the key's metadata (and with value=true its content) is not for anonymous readers.
      preHandler: auth.required,
      schema: {
        tags: ['cache'],
        querystring: InspectQuerySchema,
        response: withErrors(AnyObject, 400, 401, 501),
      },
    },
    async (request, reply) => {
      const { key, value } = request.query;
      if (!canInspect(app.cache))
        return sendError(reply, 501, 'E_VALIDATION', 'this cache cannot describe keys');
      const inspection = toSnake(await app.cache.inspect(key)) as Record<string, unknown>;
      if (value) inspection.value = (await app.cache.get(key)) ?? null;
      return inspection;
    },
  );

  app.post<{ Querystring: Static<typeof TagsQuerySchema> }>(
    '/internal/cache/invalidate/tags',
    {
      preHandler: auth.required,
      schema: { tags: ['cache'], querystring: TagsQuerySchema, response: withErrors(AnyObject, 400, 401) },
    },
    async (request) => {
      const tags = request.query.tags
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      const keys = await app.cache.invalidateTags(tags);
      return { message: `Cache invalidated for tags: ${tags.join(', ')}`, tags, keys_invalidated: keys };
    },
  );
}
