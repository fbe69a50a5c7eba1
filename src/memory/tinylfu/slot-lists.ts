/** The end of a list, or no neighbour. */
export const NONE = -1;

/**
 * Doubly linked lists of slot numbers, from most to least recently used, their links in typed arrays
 * shared by all lists (as lru-cache does: a move touches a few compact arrays instead of scattered
 * objects, which is most of the cost of a hit). Each region of the W-TinyLFU cache is one list; a slot
 * is in one list at a time.
 */
export class SlotLists {
  /** Slot s's more recent neighbour at 2s, its less recent one at 2s + 1: one cache line for both. */
  #links: Int32Array;
  /** The list each slot is in. */
  #listOf: Uint8Array;
  readonly #first: Int32Array;
  readonly #last: Int32Array;
  readonly #sizes: Uint32Array;

  constructor(lists: number, capacity: number) {
    this.#links = new Int32Array(capacity * 2);
    this.#listOf = new Uint8Array(capacity);
    this.#first = new Int32Array(lists).fill(NONE);
    this.#last = new Int32Array(lists).fill(NONE);
    this.#sizes = new Uint32Array(lists);
  }

  /** Room for slots up to `capacity` - 1 (the links are copied). */
  grow(capacity: number): void {
    const grown = <A extends Int32Array | Uint8Array>(from: A, to: A): A => {
      to.set(from);
      return to;
    };
    this.#links = grown(this.#links, new Int32Array(capacity * 2));
    this.#listOf = grown(this.#listOf, new Uint8Array(capacity));
  }

  get capacity(): number {
    return this.#listOf.length;
  }

  /** Slots in a list. */
  size(list: number): number {
    return this.#sizes[list]!;
  }

  /** The list a (linked) slot is in. */
  listOf(slot: number): number {
    return this.#listOf[slot]!;
  }

  /** The least recently used slot of a list, or NONE. */
  last(list: number): number {
    return this.#last[list]!;
  }

  /** The next more recent slot, or NONE. */
  newer(slot: number): number {
    return this.#links[2 * slot]!;
  }

  /** Links a slot as the most recent of a list. */
  pushFirst(list: number, slot: number): void {
    const links = this.#links;
    const first = this.#first[list]!;
    this.#listOf[slot] = list;
    links[2 * slot] = NONE;
    links[2 * slot + 1] = first;
    if (first === NONE) this.#last[list] = slot;
    else links[2 * first] = slot;
    this.#first[list] = slot;
    this.#sizes[list]!++;
  }

  /** Unlinks a slot from its list. */
  remove(slot: number): void {
    const links = this.#links;
    const list = this.#listOf[slot]!;
    const newer = links[2 * slot]!;
    const older = links[2 * slot + 1]!;
    if (newer === NONE) this.#first[list] = older;
    else links[2 * newer + 1] = older;
    if (older === NONE) this.#last[list] = newer;
    else links[2 * older] = newer;
    this.#sizes[list]!--;
  }

  /** Makes a (linked) slot the most recent of `list`, its own or another: one pass, the hit's hot path. */
  moveToFront(slot: number, list: number): void {
    const links = this.#links;
    const from = this.#listOf[slot]!;
    const newer = links[2 * slot]!;
    if (newer === NONE && from === list) return;
    const older = links[2 * slot + 1]!;
    if (newer === NONE) this.#first[from] = older;
    else links[2 * newer + 1] = older;
    if (older === NONE) this.#last[from] = newer;
    else links[2 * older] = newer;
    const first = this.#first[list]!;
    links[2 * slot] = NONE;
    links[2 * slot + 1] = first;
    if (first === NONE) this.#last[list] = slot;
    else links[2 * first] = slot;
    this.#first[list] = slot;
    if (from !== list) {
      this.#listOf[slot] = list;
      this.#sizes[from]!--;
      this.#sizes[list]!++;
    }
  }

  clear(): void {
    this.#first.fill(NONE);
    this.#last.fill(NONE);
    this.#sizes.fill(0);
  }

  /** A list's slots, most recent first (the slot just yielded may be unlinked meanwhile). */
  *slots(list: number): Generator<number> {
    for (let slot = this.#first[list]!; slot !== NONE;) {
      const older = this.#links[2 * slot + 1]!;
      yield slot;
      slot = older;
    }
  }
}
