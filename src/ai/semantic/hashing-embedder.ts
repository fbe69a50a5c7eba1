import { ValidationError } from '../../core/errors.js';
import type { Embedder } from './embedding.js';
import { FUNCTION_WORDS } from './guard-lexicon.js';
import { wordsOf } from './text-features.js';

export interface HashingEmbedderOptions {
  /** Vector length. More dimensions, fewer hash collisions, more memory per indexed request. @default 512 */
  dimensions?: number;
}

const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const CHAR_GRAM_WEIGHT = 0.3;
/** Filler and grammar words weigh this share of a content word: "please, can you…" moves little. */
const FUNCTION_WORD_SHARE = 0.25;

/**
 * A model-free embedder: feature-hashed words, word pairs and character 3-grams (docs/semantic-cache.md).
 * Deterministic, nothing to download, ~20 µs per short text. It catches near-duplicates, reorderings,
 * filler words and typos; it does not know that "tall" and "height" mean one thing (true paraphrase needs
 * a learned model).
 */
export function hashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('hashingEmbedder options must be an object', { option: 'options' });
  for (const name of Object.keys(options))
    if (name !== 'dimensions')
      throw new ValidationError(`unknown hashingEmbedder option: ${name} (known: dimensions)`, {
        option: name,
      });
  const dimensions = options.dimensions ?? 512;
  if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 8192)
    throw new ValidationError('hashingEmbedder dimensions must be an integer from 16 to 8192', {
      option: 'dimensions',
    });
  const embed = (texts: string[]): Promise<Float32Array[]> => {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string'))
      return Promise.reject(new ValidationError('texts must be an array of strings', { option: 'texts' }));
    return Promise.resolve(texts.map((text) => hashText(text, dimensions)));
  };
  return Object.assign(embed, { id: `hashing-v1-${dimensions}` });
}

/** The feature-hashed vector of one text (not normalized: the index scales every vector to unit length). */
export function hashText(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  const add = (feature: string, weight: number): void => {
    const h = fnv1a(feature);
    // The top bit picks the sign: collisions cancel out on average instead of piling up.
    vector[(h & 0x7fffffff) % dimensions]! += h & 0x80000000 ? -weight : weight;
  };
  const words = wordsOf(text);
  let previous: string | undefined;
  for (const word of words) {
    const share = FUNCTION_WORDS.has(word) ? FUNCTION_WORD_SHARE : 1;
    add(`w:${word}`, WORD_WEIGHT * share);
    if (previous !== undefined) add(`b:${previous} ${word}`, BIGRAM_WEIGHT * share);
    previous = word;
    const padded = `<${word}>`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`c:${padded.slice(i, i + 3)}`, CHAR_GRAM_WEIGHT * share);
  }
  // An empty text still gets a vector (the index refuses zero vectors).
  if (words.length === 0) add('w:', 1);
  return vector;
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
