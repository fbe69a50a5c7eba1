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
  /** A key's running fills: the lone ticket itself (the common case: no Set per write), or a Set of them. */
  readonly #open = new Map<string, FillTicket | Set<FillTicket>>();

  constructor(private readonly onRevoke: (key: string) => void = () => undefined) {}

  open(key: string): FillTicket {
    const ticket: FillTicket = { key, revoked: false, revokedTags: undefined };
    const held = this.#open.get(key);
    if (held === undefined) this.#open.set(key, ticket);
    else if (held instanceof Set) held.add(ticket);
    else this.#open.set(key, new Set([held, ticket]));
    return ticket;
  }

  close(ticket: FillTicket): void {
    const held = this.#open.get(ticket.key);
    if (held === ticket) this.#open.delete(ticket.key);
    else if (held instanceof Set && held.delete(ticket) && held.size === 0) this.#open.delete(ticket.key);
  }

  /** True when the fill may store its value under `tags`. */
  admits(ticket: FillTicket, tags: readonly string[] | undefined): boolean {
    if (ticket.revoked) return false;
    if (ticket.revokedTags && tags) for (const tag of tags) if (ticket.revokedTags.has(tag)) return false;
    return true;
  }

  revokeKey(key: string): void {
    const held = this.#open.get(key);
    if (!held) return;
    for (const ticket of tickets(held)) ticket.revoked = true;
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
    for (const [key, held] of this.#open) {
      for (const ticket of tickets(held)) {
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
    for (const held of this.#open.values()) count += held instanceof Set ? held.size : 1;
    return count;
  }
}

function tickets(held: FillTicket | Set<FillTicket>): Iterable<FillTicket> {
  return held instanceof Set ? held : [held];
}
