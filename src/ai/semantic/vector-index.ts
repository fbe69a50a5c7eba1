/** A stored request the index can offer: its cache key and how alike it is (the guard reads its entry). */
export interface Candidate {
  key: string;
  similarity: number;
}

/**
 * The unit vectors of one partition's stored requests, scanned in full on every lookup (brute force: at
 * the documented 10,000 entries it stays under the 5 ms goal, docs/semantic-cache.md). Stored by
 * dimension (column `d` holds every row's coordinate `d`), so a lookup adds `query[d] × column d` into
 * one score per row: sequential reads, and a sparse query (the hashing embedder's) reads only its
 * non-zero columns. Removal moves the last row into the gap. Bounded: past `capacity`, the oldest goes.
 */
export class VectorIndex {
  /** Column-major: coordinate `d` of row `r` at `d * #rowsAllocated + r`. */
  #columns: Float32Array;
  #rowsAllocated: number;
  #scores: Float32Array;
  readonly #keys: string[] = [];
  readonly #expiresAt: number[] = [];
  /** When each row was added (its order), to evict the oldest. */
  readonly #added: number[] = [];
  readonly #rowOf = new Map<string, number>();
  #additions = 0;

  constructor(
    readonly dimensions: number,
    readonly capacity: number,
  ) {
    this.#rowsAllocated = Math.min(capacity, 64);
    this.#columns = new Float32Array(dimensions * this.#rowsAllocated);
    this.#scores = new Float32Array(this.#rowsAllocated);
  }

  get size(): number {
    return this.#keys.length;
  }

  has(key: string): boolean {
    return this.#rowOf.has(key);
  }

  /** Adds or replaces a request (its vector must be of unit length and of this index's dimension). */
  add(key: string, vector: Float32Array, expiresAt: number): void {
    let row = this.#rowOf.get(key);
    if (row === undefined) {
      if (this.#keys.length >= this.capacity) this.#removeRow(this.#oldestRow());
      row = this.#keys.length;
      this.#grow(row + 1);
      this.#keys.push(key);
      this.#expiresAt.push(expiresAt);
      this.#added.push(++this.#additions);
      this.#rowOf.set(key, row);
    } else {
      this.#expiresAt[row] = expiresAt;
      this.#added[row] = ++this.#additions;
    }
    const columns = this.#columns;
    const stride = this.#rowsAllocated;
    for (let d = 0; d < this.dimensions; d++) columns[d * stride + row] = vector[d]!;
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
   * are dropped.
   */
  search(query: Float32Array, minSimilarity: number, limit: number, now: number): Candidate[] {
    const rows = this.#keys.length;
    const scores = this.#scores.fill(0, 0, rows);
    const columns = this.#columns;
    const stride = this.#rowsAllocated;
    // Four non-zero columns per pass: one read and write of the scores for four products.
    let pending = 0;
    const ds = [0, 0, 0, 0];
    for (let d = 0; d < this.dimensions; d++) {
      if (query[d] === 0) continue;
      ds[pending++] = d;
      if (pending < 4) continue;
      addFour(scores, columns, stride, query, ds, rows);
      pending = 0;
    }
    for (let i = 0; i < pending; i++) addScaled(scores, columns, ds[i]! * stride, query[ds[i]!]!, rows);
    const best: { row: number; similarity: number }[] = [];
    const expired: number[] = [];
    for (let row = 0; row < rows; row++) {
      const similarity = scores[row]!;
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
      const columns = this.#columns;
      const stride = this.#rowsAllocated;
      for (let d = 0; d < this.dimensions; d++) columns[d * stride + row] = columns[d * stride + last]!;
      this.#keys[row] = this.#keys[last]!;
      this.#expiresAt[row] = this.#expiresAt[last]!;
      this.#added[row] = this.#added[last]!;
      this.#rowOf.set(this.#keys[row], row);
    }
    this.#keys.pop();
    this.#expiresAt.pop();
    this.#added.pop();
  }

  /** Doubles the rows allocated, up to `capacity` (each column moves to its new place). */
  #grow(rows: number): void {
    if (rows <= this.#rowsAllocated) return;
    const allocated = Math.min(this.capacity, Math.max(rows, this.#rowsAllocated * 2));
    const next = new Float32Array(this.dimensions * allocated);
    for (let d = 0; d < this.dimensions; d++)
      next.set(this.#columns.subarray(d * this.#rowsAllocated, (d + 1) * this.#rowsAllocated), d * allocated);
    this.#columns = next;
    this.#rowsAllocated = allocated;
    this.#scores = new Float32Array(allocated);
  }
}

/** `addScaled` for four columns at once. */
function addFour(
  scores: Float32Array,
  columns: Float32Array,
  stride: number,
  query: Float32Array,
  ds: readonly number[],
  rows: number,
): void {
  const [a, b, c, d] = ds as [number, number, number, number];
  const wa = query[a]!;
  const wb = query[b]!;
  const wc = query[c]!;
  const wd = query[d]!;
  const oa = a * stride;
  const ob = b * stride;
  const oc = c * stride;
  const od = d * stride;
  for (let r = 0; r < rows; r++)
    scores[r]! +=
      wa * columns[oa + r]! + wb * columns[ob + r]! + wc * columns[oc + r]! + wd * columns[od + r]!;
}

/** `scores[r] += weight × columns[offset + r]` for every row: one sequential pass over a column. */
function addScaled(
  scores: Float32Array,
  columns: Float32Array,
  offset: number,
  weight: number,
  rows: number,
): void {
  for (let r = 0; r < rows; r++) scores[r]! += weight * columns[offset + r]!;
}
