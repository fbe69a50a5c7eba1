/** A fixed-capacity buffer: pushing past capacity overwrites the oldest item, so memory stays bounded. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Items oldest first, keeping only those `keep` accepts. */
  toArray(keep: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(start + i) % this.capacity] as T;
      if (keep(item)) out.push(item);
    }
    return out;
  }

  get size(): number {
    return this.#size;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
