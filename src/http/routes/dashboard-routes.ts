import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyAuth } from '../auth.js';

/** How often the page polls the JSON endpoints. */
export const DASHBOARD_POLL_MS = 2000;

// The page is plain files read once at start-up (no build step): repo-root assets/ from src/ and dist/ alike.
const ASSETS = new URL('../../../assets/dashboard/', import.meta.url);
const require = createRequire(import.meta.url);
const read = (path: string | URL): string => readFileSync(path, 'utf8');

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /internal/cache/dashboard`: a page with live charts drawn by uPlot from the JSON endpoints. Like
 * the other reads it is optional-auth; the page asks for a key when keys are configured and sends it
 * from `sessionStorage`.
 */
export function registerDashboard(app: FastifyInstance, auth: ApiKeyAuth): void {
  const config = JSON.stringify({ authEnabled: auth.enabled, pollMs: DASHBOARD_POLL_MS }).replace(
    /</g,
    '\\u003c',
  );
  const page = read(new URL('index.html', ASSETS)).replace('__CONFIG__', config);
  const assets: Record<string, { type: string; body: string }> = {
    'dashboard.js': { type: 'text/javascript', body: read(new URL('dashboard.js', ASSETS)) },
    'dashboard.css': { type: 'text/css', body: read(new URL('dashboard.css', ASSETS)) },
    'uplot.js': { type: 'text/javascript', body: read(require.resolve('uplot/dist/uPlot.iife.min.js')) },
    'uplot.css': { type: 'text/css', body: read(require.resolve('uplot/dist/uPlot.min.css')) },
  };

  app.get(
    '/internal/cache/dashboard',
    { preHandler: auth.optional, schema: { tags: ['monitoring'], produces: ['text/html'] } },
    async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
        .header('Cache-Control', 'no-store')
        .send(page),
  );

  app.get<{ Params: { file: string } }>(
    '/internal/cache/dashboard/assets/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const asset = assets[request.params.file];
      if (!asset) return reply.code(404).type('text/plain').send('not found');
      return reply
        .type(`${asset.type}; charset=utf-8`)
        .header('Cache-Control', 'public, max-age=300')
        .send(asset.body);
    },
  );
}
