import type { Trace } from './traces.js';

/**
 * The offline optimum (Bélády's MIN, with bypass): on a miss with the cache full, evict the entry whose
 * next use is farthest away, or keep nothing if the new key's next use is farther still. No online policy
 * can beat it; it is the physical limit of the hit ratio for a cache of this size on this trace.
 */
export function beladyHits(trace: Trace, capacity: number): number {
  const { keys, keySpace } = trace;
  const length = keys.length;
  let maxId = 0;
  for (let i = 0; i < length; i++) if (keys[i]! > maxId) maxId = keys[i]!;
  // nextUse[i]: where the key of request i is read next (length = never).
  const nextUse = new Int32Array(length);
  const seenAt = new Int32Array(maxId + 1).fill(length);
  for (let i = length - 1; i >= 0; i--) {
    nextUse[i] = seenAt[keys[i]!]!;
    seenAt[keys[i]!] = i;
  }
  const cachedUntil = new Int32Array(maxId + 1).fill(-1); // the key's next use while cached, else -1
  const heap = new MaxHeap(length);
  let cached = 0;
  let hits = 0;
  for (let i = 0; i < length; i++) {
    const key = keys[i]!;
    const next = nextUse[i]!;
    if (cachedUntil[key]! >= 0) {
      if (key < keySpace) hits++;
      cachedUntil[key] = next;
      heap.push(next, key); // the old heap item is now stale: skipped when popped
      continue;
    }
    if (next === length) continue; // never read again: not worth a slot
    if (cached === capacity) {
      let farthest = heap.peekPriority();
      let victim = heap.peekValue();
      while (cachedUntil[victim] !== farthest) {
        heap.pop();
        farthest = heap.peekPriority();
        victim = heap.peekValue();
      }
      if (farthest <= next) continue; // everything cached is read sooner than this key
      heap.pop();
      cachedUntil[victim] = -1;
      cached--;
    }
    cachedUntil[key] = next;
    heap.push(next, key);
    cached++;
  }
  return hits;
}

/** A binary max-heap of (priority, value) int32 pairs, sized by the caller (a push per request at most). */
class MaxHeap {
  readonly #priorities: Int32Array;
  readonly #values: Int32Array;
  #size = 0;

  constructor(capacity: number) {
    this.#priorities = new Int32Array(capacity);
    this.#values = new Int32Array(capacity);
  }

  peekPriority(): number {
    return this.#priorities[0]!;
  }

  peekValue(): number {
    return this.#values[0]!;
  }

  push(priority: number, value: number): void {
    const p = this.#priorities;
    const v = this.#values;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (p[parent]! >= priority) break;
      p[i] = p[parent]!;
      v[i] = v[parent]!;
      i = parent;
    }
    p[i] = priority;
    v[i] = value;
  }

  pop(): void {
    const p = this.#priorities;
    const v = this.#values;
    const size = --this.#size;
    const priority = p[size]!;
    const value = v[size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && p[child + 1]! > p[child]!) child++;
      if (p[child]! <= priority) break;
      p[i] = p[child]!;
      v[i] = v[child]!;
      i = child;
    }
    p[i] = priority;
    v[i] = value;
  }
}
