export { TiercacheKeyvStore } from './keyv-store.js';
export type { KeyvBackingCache, TiercacheKeyvStoreOptions } from './keyv-store.js';
