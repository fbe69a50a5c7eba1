export { tiercachePlugin } from './plugin.js';
export { buildServer, REDACTED_PATHS } from './server.js';
export { cacheRoutes } from './routes/cache-routes.js';
export { ApiKeyAuth, apiKeysFromEnv, MISSING_KEY_MESSAGE, INVALID_KEY_MESSAGE } from './auth.js';
export { errorBody } from './error-handler.js';

export type { TiercachePluginOptions } from './plugin.js';
export type { BuildServerOptions } from './server.js';
export type { CacheRoutesOptions } from './routes/cache-routes.js';
export type { ErrorBody } from './error-handler.js';
