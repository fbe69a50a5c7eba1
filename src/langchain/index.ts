export { TiercacheLangChainCache } from './langchain-cache.js';
export type { TiercacheLangChainCacheOptions } from './langchain-cache.js';
