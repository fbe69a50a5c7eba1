import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';

const DOC = readFileSync(new URL('../../docs/http-api.md', import.meta.url), 'utf8');

describe('docs/http-api.md matches the OpenAPI document of the service', () => {
  it('documents every route the service publishes, and no other', async () => {
    const app = await buildServer({
      logger: false,
      env: { CACHE_PRESET: 'simple' },
      factory: new CacheFactory({ logger: silentLogger }),
    });
    await app.ready();
    try {
      const openapi = app.swagger() as { paths: Record<string, Record<string, unknown>> };
      const published = Object.entries(openapi.paths)
        .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
        .sort();
      const documented = [...DOC.matchAll(/^\| `(GET|POST|PUT|DELETE) ([^`?]+)/gm)]
        .map((m) => `${m[1]} ${m[2]}`)
        .sort();
      expect(documented).toStrictEqual(published);
      expect(published).toContain('GET /internal/cache/dashboard');
    } finally {
      await app.close();
    }
  });
});
