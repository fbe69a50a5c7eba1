/**
 * How the semantic layer reads a text: one tokenizer for the hashing embedder and the guard, so both see
 * the same words. Lower-cased, NFKC-normalized, contractions expanded ("don't" → "do not", "what's" →
 * "what is"), possessives dropped, currency and unit symbols kept as tokens.
 */
import { ABBREVIATIONS } from './guard-lexicon.js';

export interface Token {
  /** Lower-cased, normalized. */
  readonly word: string;
  /** As written (for capitalization). */
  readonly original: string;
  /** First word of a sentence (its capital says nothing about being a name). */
  readonly sentenceStart: boolean;
  /** First word after punctuation that ends a clause (`,` `;` `:` `?` dashes…), or of the text. */
  readonly clauseStart: boolean;
}

/**
 * Words (with inner apostrophes, dots and commas: "don't", "3.10", "10.0.0.1", "1,000"), a number's leading
 * minus ("-40"), "c++" and "c#", a currency with its country letters ("A$", "NZ$"), currency and math
 * symbols, and operators standing alone ("12 - 4", "age < 30"); never a hyphen inside a word.
 */
const TOKEN =
  /(?<![\p{L}\p{N}])-(?=\d)[\p{N}]+(?:[.,][\p{N}]+)*|\p{Lu}{1,3}\$|[\p{L}\p{N}]+(?:['’.,][\p{L}\p{N}]+)*(?:\+\+|#)?|!=|[\p{Sc}\p{Sm}%°^*/]|(?<=\s|^)-(?=\s)/gu;
const SENTENCE_END = /[.!?:;\n]/;
const CLAUSE_END = /[.!?:;,()\n]|\s[-–—]\s/;

/** "isn't" → "is not": the cue the guard needs is the word "not". */
const CONTRACTION_TAILS: readonly (readonly [string, string])[] = [
  ["n't", 'not'],
  ["'re", 'are'],
  ["'m", 'am'],
  ["'ll", 'will'],
  ["'ve", 'have'],
  ["'d", 'would'],
];
const IRREGULAR: Readonly<Record<string, readonly string[]>> = {
  "can't": ['can', 'not'],
  "won't": ['will', 'not'],
  "shan't": ['shall', 'not'],
  cannot: ['can', 'not'],
  "ain't": ['is', 'not'],
  // Written without the apostrophe, as people type:
  dont: ['do', 'not'],
  doesnt: ['does', 'not'],
  didnt: ['did', 'not'],
  isnt: ['is', 'not'],
  arent: ['are', 'not'],
  wasnt: ['was', 'not'],
  cant: ['can', 'not'],
  wont: ['will', 'not'],
  shouldnt: ['should', 'not'],
  wouldnt: ['would', 'not'],
  couldnt: ['could', 'not'],
  havent: ['have', 'not'],
  hasnt: ['has', 'not'],
  whats: ['what', 'is'],
  hows: ['how', 'is'],
  wheres: ['where', 'is'],
  whos: ['who', 'is'],
  thats: ['that', 'is'],
  theres: ['there', 'is'],
  im: ['i', 'am'],
  ive: ['i', 'have'],
};
/** "what's" is "what is"; any other "'s" is a possessive and is dropped ("France's" → "france"). */
/** "let's" is "let us". */
const US_CONTRACTIONS = new Set(['let']);
const IS_CONTRACTIONS = new Set([
  'it',
  'what',
  'that',
  'there',
  'here',
  'how',
  'who',
  'where',
  'when',
  'why',
  'he',
  'she',
]);

/** The text's tokens, in order. */
export function tokenize(text: string): Token[] {
  const normalized = text.normalize('NFKC').replace(/’/g, "'");
  const tokens: Token[] = [];
  let last = 0;
  let sentenceStart = true;
  let clauseStart = true;
  for (const match of normalized.matchAll(TOKEN)) {
    const original = match[0];
    const index = match.index ?? 0;
    const between = normalized.slice(last, index);
    if (SENTENCE_END.test(between)) sentenceStart = true;
    if (CLAUSE_END.test(between)) clauseStart = true;
    last = index + original.length;
    for (const word of expand(original.toLowerCase())) {
      tokens.push({ word, original, sentenceStart, clauseStart });
      sentenceStart = clauseStart = false;
    }
    // A dash standing alone ends a clause ("rebase vs merge - which should I use"), as a comma does.
    if (original === '-') clauseStart = true;
  }
  return tokens;
}

function expand(word: string): readonly string[] {
  // "u.s" → "us", "e.g" → "eg": an abbreviation reads the same with or without its dots.
  if (/^(\p{L}\.)+\p{L}$/u.test(word)) return [word.replace(/\./g, '')];
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (!word.includes("'")) return [ABBREVIATIONS.get(word) ?? trimNumberPunctuation(word)];
  for (const [tail, full] of CONTRACTION_TAILS) {
    if (word.endsWith(tail)) return [word.slice(0, -tail.length), full];
  }
  if (word.endsWith("'s")) {
    const head = word.slice(0, -2);
    if (US_CONTRACTIONS.has(head)) return [head, 'us'];
    return IS_CONTRACTIONS.has(head) ? [head, 'is'] : [head];
  }
  return [word.replace(/'/g, '')];
}

/** "1,000" → "1000"; "end." never reaches here (the regex stops at a trailing dot). */
function trimNumberPunctuation(word: string): string {
  return /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(word) ? word.replace(/,/g, '') : word;
}

/** The words alone. */
export function wordsOf(text: string): string[] {
  return tokenize(text).map((t) => t.word);
}
