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
 * revokes the ticket, and a revoked fill answers the callers it already had but stores nothing. Callers
 * that come after the revocation start a new flight (`onRevoke`), so none of them gets a value computed
 * before the invalidation. Only running fills are tracked, so the fence is bounded by the fills in flight.
 */
export class FillFence {
  readonly #open = new Map<string, Set<FillTicket>>();

  constructor(private readonly onRevoke: (key: string) => void = () => undefined) {}

  open(key: string): FillTicket {
    const ticket: FillTicket = { key, revoked: false, revokedTags: undefined };
    let tickets = this.#open.get(key);
    if (!tickets) this.#open.set(key, (tickets = new Set()));
    tickets.add(ticket);
    return ticket;
  }

  close(ticket: FillTicket): void {
    const tickets = this.#open.get(ticket.key);
    if (!tickets?.delete(ticket)) return;
    if (tickets.size === 0) this.#open.delete(ticket.key);
  }

  /** True when the fill may store its value under `tags`. */
  admits(ticket: FillTicket, tags: readonly string[] | undefined): boolean {
    if (ticket.revoked) return false;
    if (ticket.revokedTags && tags) for (const tag of tags) if (ticket.revokedTags.has(tag)) return false;
    return true;
  }

  revokeKey(key: string): void {
    const tickets = this.#open.get(key);
    if (!tickets) return;
    for (const ticket of tickets) ticket.revoked = true;
    this.onRevoke(key);
  }

  revokeKeys(keys: Iterable<string>): void {
    if (this.#open.size === 0) return;
    for (const key of keys) this.revokeKey(key);
  }

  revokeMatching(matches: (key: string) => boolean): void {
    for (const key of [...this.#open.keys()]) if (matches(key)) this.revokeKey(key);
  }

  /** Fills stored under one of `tags` are refused; later callers of every running key start anew. */
  revokeTags(tags: readonly string[]): void {
    for (const [key, tickets] of this.#open) {
      for (const ticket of tickets) {
        ticket.revokedTags ??= new Set();
        for (const tag of tags) ticket.revokedTags.add(tag);
      }
      this.onRevoke(key);
    }
  }

  revokeAll(): void {
    for (const key of [...this.#open.keys()]) this.revokeKey(key);
  }

  /** Fills running now. */
  get size(): number {
    let count = 0;
    for (const tickets of this.#open.values()) count += tickets.size;
    return count;
  }
}
