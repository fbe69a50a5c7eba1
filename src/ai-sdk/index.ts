export { tiercacheMiddleware } from './middleware.js';
export type { TiercacheMiddlewareOptions } from './middleware.js';
