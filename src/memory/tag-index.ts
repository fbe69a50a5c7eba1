/** Which keys carry which tag, for `invalidateTags` on an in-process cache. */
export class TagIndex {
  readonly #keysByTag = new Map<string, Set<string>>();

  add(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      let keys = this.#keysByTag.get(tag);
      if (!keys) this.#keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  remove(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#keysByTag.delete(tag);
    }
  }

  /** The keys carrying any of `tags` (a copy, safe to delete from while iterating). */
  keysOf(tags: readonly string[]): Set<string> {
    const keys = new Set<string>();
    for (const tag of tags) for (const key of this.#keysByTag.get(tag) ?? []) keys.add(key);
    return keys;
  }

  clear(): void {
    this.#keysByTag.clear();
  }
}
