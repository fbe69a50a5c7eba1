/** A stored request the index can offer: its cache key, its text (for the guard) and how alike it is. */
export interface Candidate {
  key: string;
  text: string;
  similarity: number;
}

/**
 * The unit vectors of one partition's stored requests, scanned in full on every lookup (brute force: at
 * the documented 10,000 entries it stays well under the 5 ms goal, docs/semantic-cache.md). Rows sit in
 * one Float32Array; removal moves the last row into the gap. Bounded: past `capacity`, the oldest goes.
 */
export class VectorIndex {
  #vectors: Float32Array;
  readonly #keys: string[] = [];
  readonly #texts: string[] = [];
  readonly #expiresAt: number[] = [];
  /** When each row was added (its order), to evict the oldest. */
  readonly #added: number[] = [];
  readonly #rowOf = new Map<string, number>();
  #additions = 0;

  constructor(
    readonly dimensions: number,
    readonly capacity: number,
  ) {
    this.#vectors = new Float32Array(dimensions * Math.min(capacity, 64));
  }

  get size(): number {
    return this.#keys.length;
  }

  has(key: string): boolean {
    return this.#rowOf.has(key);
  }

  /** Adds or replaces a request (its vector must be of unit length and of this index's dimension). */
  add(key: string, text: string, vector: Float32Array, expiresAt: number): void {
    let row = this.#rowOf.get(key);
    if (row === undefined) {
      if (this.#keys.length >= this.capacity) this.#removeRow(this.#oldestRow());
      row = this.#keys.length;
      this.#grow(row + 1);
      this.#keys.push(key);
      this.#texts.push(text);
      this.#expiresAt.push(expiresAt);
      this.#added.push(++this.#additions);
      this.#rowOf.set(key, row);
    } else {
      this.#texts[row] = text;
      this.#expiresAt[row] = expiresAt;
      this.#added[row] = ++this.#additions;
    }
    this.#vectors.set(vector, row * this.dimensions);
  }

  remove(key: string): boolean {
    const row = this.#rowOf.get(key);
    if (row === undefined) return false;
    this.#removeRow(row);
    return true;
  }

  /** Removes the keys `matches` accepts (an invalidation here). */
  removeWhere(matches: (key: string) => boolean): void {
    for (let row = this.#keys.length - 1; row >= 0; row--)
      if (matches(this.#keys[row]!)) this.#removeRow(row);
  }

  /**
   * The `limit` most similar requests at or above `minSimilarity`, best first; expired rows met on the way
   * are dropped. A sparse query (most coordinates 0, as the hashing embedder's) only reads its non-zero
   * coordinates.
   */
  search(query: Float32Array, minSimilarity: number, limit: number, now: number): Candidate[] {
    const { dimensions } = this;
    const nonZero: number[] = [];
    for (let d = 0; d < dimensions; d++) if (query[d] !== 0) nonZero.push(d);
    const sparse = nonZero.length * 3 < dimensions;
    const indices = Int32Array.from(nonZero);
    const weights = Float32Array.from(nonZero, (d) => query[d] as number);
    const vectors = this.#vectors;
    const best: { row: number; similarity: number }[] = [];
    const expired: number[] = [];
    for (let row = 0, base = 0; row < this.#keys.length; row++, base += dimensions) {
      const similarity = sparse
        ? sparseDot(indices, weights, vectors, base)
        : denseDot(query, vectors, base, dimensions);
      if (similarity < minSimilarity) continue;
      if (this.#expiresAt[row]! <= now) {
        expired.push(row);
        continue;
      }
      if (best.length === limit && similarity <= best[limit - 1]!.similarity) continue;
      best.push({ row, similarity });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > limit) best.pop();
    }
    const found = best.map(({ row, similarity }) => ({
      key: this.#keys[row]!,
      text: this.#texts[row]!,
      similarity: Math.min(1, similarity),
    }));
    // Highest row first: moving the last row into a gap never moves a row still to be removed.
    for (const row of expired.reverse()) this.#removeRow(row);
    return found;
  }

  #oldestRow(): number {
    let oldest = 0;
    for (let row = 1; row < this.#added.length; row++)
      if (this.#added[row]! < this.#added[oldest]!) oldest = row;
    return oldest;
  }

  #removeRow(row: number): void {
    const last = this.#keys.length - 1;
    this.#rowOf.delete(this.#keys[row]!);
    if (row !== last) {
      const { dimensions } = this;
      this.#vectors.copyWithin(row * dimensions, last * dimensions, (last + 1) * dimensions);
      this.#keys[row] = this.#keys[last]!;
      this.#texts[row] = this.#texts[last]!;
      this.#expiresAt[row] = this.#expiresAt[last]!;
      this.#added[row] = this.#added[last]!;
      this.#rowOf.set(this.#keys[row], row);
    }
    this.#keys.pop();
    this.#texts.pop();
    this.#expiresAt.pop();
    this.#added.pop();
  }

  /** Doubles the row storage up to `capacity` rows. */
  #grow(rows: number): void {
    if (rows * this.dimensions <= this.#vectors.length) return;
    const next = new Float32Array(
      this.dimensions * Math.min(this.capacity, Math.max(rows, (this.#vectors.length / this.dimensions) * 2)),
    );
    next.set(this.#vectors);
    this.#vectors = next;
  }
}

function sparseDot(indices: Int32Array, weights: Float32Array, vectors: Float32Array, base: number): number {
  let sum = 0;
  for (let i = 0; i < indices.length; i++) sum += weights[i]! * vectors[base + indices[i]!]!;
  return sum;
}

/** Four running sums: independent additions that the CPU overlaps (about 1.5× a single sum in V8). */
function denseDot(query: Float32Array, vectors: Float32Array, base: number, dimensions: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dimensions; d += 4) {
    s0 += query[d]! * vectors[base + d]!;
    s1 += query[d + 1]! * vectors[base + d + 1]!;
    s2 += query[d + 2]! * vectors[base + d + 2]!;
    s3 += query[d + 3]! * vectors[base + d + 3]!;
  }
  for (; d < dimensions; d++) s0 += query[d]! * vectors[base + d]!;
  return s0 + s1 + s2 + s3;
}
