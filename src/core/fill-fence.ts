/** One running fill (a `getOrSet` factory); revoked when its key is invalidated before it stores. */
export interface FillTicket {
  readonly key: string;
  revoked: boolean;
  /** Tags invalidated while the fill ran: its value must not be stored under any of them. */
  revokedTags: Set<string> | undefined;
}

/**
 * The in-process fence of `getOrSet` fills (docs/resilience.md, "Fenced fills"). A fill opens a ticket
 * when its factory starts; every write, delete or invalidation that covers the key before the fill stores
 * revokes the ticket, and a revoked fill answers its callers but stores nothing, so a late factory result
 * can never resurrect what was just invalidated. Only running fills are tracked (at most one per key, by
 * single-flight), so the fence is bounded by the number of factories in flight.
 */
export class FillFence {
  readonly #open = new Map<string, FillTicket>();

  open(key: string): FillTicket {
    const ticket: FillTicket = { key, revoked: false, revokedTags: undefined };
    this.#open.set(key, ticket);
    return ticket;
  }

  close(ticket: FillTicket): void {
    if (this.#open.get(ticket.key) === ticket) this.#open.delete(ticket.key);
  }

  /** True when the fill may store its value under `tags`. */
  admits(ticket: FillTicket, tags: readonly string[] | undefined): boolean {
    if (ticket.revoked) return false;
    if (ticket.revokedTags && tags) for (const tag of tags) if (ticket.revokedTags.has(tag)) return false;
    return true;
  }

  revokeKey(key: string): void {
    const ticket = this.#open.get(key);
    if (ticket) ticket.revoked = true;
  }

  revokeKeys(keys: Iterable<string>): void {
    if (this.#open.size === 0) return;
    for (const key of keys) this.revokeKey(key);
  }

  revokeMatching(matches: (key: string) => boolean): void {
    for (const ticket of this.#open.values()) if (matches(ticket.key)) ticket.revoked = true;
  }

  revokeTags(tags: readonly string[]): void {
    for (const ticket of this.#open.values()) {
      ticket.revokedTags ??= new Set();
      for (const tag of tags) ticket.revokedTags.add(tag);
    }
  }

  revokeAll(): void {
    for (const ticket of this.#open.values()) ticket.revoked = true;
  }

  /** Fills running now. */
  get size(): number {
    return this.#open.size;
  }
}
