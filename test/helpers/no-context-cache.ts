import type { GetOrSetFactory } from '../../src/core/types.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

/** A composed cache as a third party might write one: its getOrSet passes no factory context. */
export class NoContextCache extends InMemoryCache {
  override async getOrSet<T>(key: string, factory: GetOrSetFactory<T>): Promise<T> {
    const found = await this.get<T>(key);
    if (found !== undefined) return found;
    const value = await (factory as () => Promise<T>)();
    if (value !== undefined) await this.set(key, value);
    return value;
  }
}
