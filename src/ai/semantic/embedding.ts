import { TierCacheError } from '../../core/errors.js';

/**
 * Turns request texts into vectors, one per text, all of one dimension (docs/semantic-cache.md shows an
 * embeddings API and a local model wired in). `id` names the model: vectors of different ids are never
 * compared (changing the embedder starts a new index instead of matching against the old one's vectors).
 */
export type Embedder = ((texts: string[]) => Promise<ArrayLike<number>[]>) & { readonly id?: string };

/** The largest dimension accepted (text-embedding-3-large has 3072). */
export const MAX_DIMENSIONS = 8192;

/**
 * The embedder's vector for one text, checked and scaled to unit length (so cosine similarity is a dot
 * product). Throws a TierCacheError saying what is wrong: the caller treats it as "no semantic lookup".
 */
export async function embedOne(
  embed: Embedder,
  text: string,
  dimensions: number | undefined,
): Promise<Float32Array> {
  let vectors: unknown;
  try {
    vectors = await embed([text]);
  } catch (error) {
    throw new TierCacheError(
      `semantic.embed threw: ${error instanceof Error ? error.message : String(error)}`,
      {
        option: 'semantic.embed',
        cause: error,
      },
    );
  }
  if (!Array.isArray(vectors) || vectors.length !== 1)
    throw embedError(
      `semantic.embed must resolve to one vector per text (got ${describe(vectors)} for 1 text)`,
    );
  return unitVector(vectors[0], dimensions);
}

/** A copy of `vector` scaled to unit length, or a TierCacheError naming the defect. */
export function unitVector(vector: unknown, dimensions: number | undefined): Float32Array {
  const length = (vector as ArrayLike<number> | null)?.length;
  if (
    typeof vector !== 'object' ||
    vector === null ||
    typeof length !== 'number' ||
    !(ArrayBuffer.isView(vector) || Array.isArray(vector))
  )
    throw embedError(
      `semantic.embed returned ${describe(vector)}, not a Float32Array or an array of numbers`,
    );
  if (length === 0 || length > MAX_DIMENSIONS)
    throw embedError(
      `semantic.embed returned a vector of ${length} dimensions (1 to ${MAX_DIMENSIONS} accepted)`,
    );
  if (dimensions !== undefined && length !== dimensions)
    throw embedError(
      `semantic.embed returned a vector of ${length} dimensions where this index holds ${dimensions}: ` +
        'give the new embedder another id, or keep its dimension',
    );
  const out = Float32Array.from(vector as ArrayLike<number>);
  let norm = 0;
  for (let i = 0; i < out.length; i++) {
    const x = out[i] as number;
    if (!Number.isFinite(x)) throw embedError(`semantic.embed returned a vector holding ${x} at index ${i}`);
    norm += x * x;
  }
  if (norm === 0) throw embedError('semantic.embed returned a zero vector (nothing to compare)');
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * scale;
  return out;
}

function embedError(message: string): TierCacheError {
  return new TierCacheError(message, { option: 'semantic.embed' });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? 'null' : typeof value;
}

/** Vectors travel inside stored entries as base64 of their float32 bytes. */
export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

/** The vector of a stored entry, or undefined when it is not a well-formed unit vector. */
export function decodeVector(text: unknown): Float32Array | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
  const vector = new Float32Array(bytes.length / 4);
  new Uint8Array(vector.buffer).set(bytes);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (vector[i] as number) * (vector[i] as number);
  return Math.abs(norm - 1) < 1e-3 ? vector : undefined;
}
