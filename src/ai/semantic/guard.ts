import {
  DIRECTION_MARKERS,
  FUNCTION_WORDS,
  KNOWN_NAMES,
  NEGATIONS,
  NUMBER_WORDS,
  OPPOSITE_SIDES,
  PARTICLE_ONLY,
  PARTICLES,
  PHRASAL_VERBS,
  UNITS,
  CASED_UNITS,
} from './guard-lexicon.js';
import { tokenize, type Token } from './text-features.js';

/**
 * The differences the guard looks for between a request and a stored one (docs/semantic-cache.md):
 * `negation` (not, never, without…), `opposites` (enable/disable, increase/decrease, turn on/off…),
 * `numbers` (digits, number words, ordinals), `units` (km/miles, USD/EUR…), `names` (capitalized words,
 * all-caps, words with digits, well-known names), `direction` ("USD to EUR" vs "EUR to USD", "A than B"),
 * `wording` (a topic word of one text has no counterpart, typo aside, in the other: "rice" vs "pasta").
 */
export type GuardCheck = 'negation' | 'opposites' | 'numbers' | 'units' | 'names' | 'direction' | 'wording';

export const GUARD_CHECKS: readonly GuardCheck[] = [
  'negation',
  'opposites',
  'numbers',
  'units',
  'names',
  'direction',
  'wording',
];

/** What the guard reads in a text. */
export interface Reading {
  readonly words: ReadonlySet<string>;
  readonly negations: number;
  readonly sides: readonly string[];
  /** In order of appearance. */
  readonly numbers: readonly string[];
  readonly units: readonly string[];
  /** In order of first appearance. */
  readonly names: readonly string[];
  readonly content: readonly string[];
  /** Topic words (and numbers) of each clause, in order: who does what to whom. */
  readonly clauses: readonly (readonly string[])[];
  /** For each direction marker: the topic words (and numbers) before and after it, within its clause. */
  readonly markers: readonly { marker: string; left: ReadonlySet<string>; right: ReadonlySet<string> }[];
}

/** Reads a text once (a stored request is read once per lookup, whatever the number of checks). */
export function readText(text: string): Reading {
  const tokens = tokenize(text);
  const words = new Set<string>();
  const sides: string[] = [];
  const numbers: string[] = [];
  const units: string[] = [];
  const names: string[] = [];
  const content: string[] = [];
  const topical: number[] = [];
  let negations = 0;
  const consumed = new Set<number>();
  tokens.forEach((token, i) => {
    const { word } = token;
    words.add(word);
    words.add(stem(word));
    if (NEGATIONS.has(word)) negations++;
    const number = numberOf(word);
    if (number !== undefined) numbers.push(number);
    const unit = CASED_UNITS.get(token.original) ?? UNITS.get(word);
    if (unit !== undefined && (word.length > 1 || numberOf(tokens[i - 1]?.word ?? '') !== undefined))
      units.push(unit);
    if (isName(token)) {
      const name = word;
      if (!names.includes(name)) names.push(name);
    }
    const side = sideOf(tokens, i, consumed);
    if (side !== undefined) sides.push(side);
    const topic = !FUNCTION_WORDS.has(word) && !NEGATIONS.has(word) && !DIRECTION_MARKERS.has(word);
    if (topic && number === undefined) content.push(word);
    if (topic || number !== undefined) topical.push(i);
  });
  const markers = tokens.flatMap((token, i) => {
    if (!DIRECTION_MARKERS.has(token.word)) return [];
    const clauseOf = (from: number, step: 1 | -1): Set<string> => {
      const found = new Set<string>();
      for (let j = from; j >= 0 && j < tokens.length; j += step) {
        if (step === 1 && tokens[j]!.clauseStart) break;
        if (DIRECTION_MARKERS.has(tokens[j]!.word)) break;
        // Unstemmed: "http" and "https" are not one word here.
        if (topical.includes(j)) found.add(tokens[j]!.word);
        if (step === -1 && tokens[j]!.clauseStart) break;
      }
      return found;
    };
    return [{ marker: token.word, left: clauseOf(i - 1, -1), right: clauseOf(i + 1, 1) }];
  });
  const clauses: string[][] = [];
  for (const i of topical) {
    const started =
      clauses.length === 0 ||
      tokens.slice(topical[topical.indexOf(i) - 1] ?? 0, i + 1).some((t, j) => j > 0 && t.clauseStart);
    if (started) clauses.push([]);
    clauses.at(-1)!.push(stem(tokens[i]!.word));
  }
  return {
    words,
    negations,
    sides: sides.sort(),
    numbers,
    units: units.sort(),
    names,
    content,
    markers,
    clauses,
  };
}

/** Why `query` must not be answered by `stored`, or undefined when no check finds a difference. */
export function vetoReason(
  query: Reading,
  stored: Reading,
  checks: ReadonlySet<GuardCheck>,
): string | undefined {
  if (checks.has('negation') && query.negations !== stored.negations) return 'negation differs';
  if (checks.has('opposites') && !sameList(query.sides, stored.sides))
    return 'opposite wording (e.g. enable/disable)';
  // In order: "port 8080 to 80" and "port 80 to 8080" hold the same numbers.
  if (checks.has('numbers') && !sameList(query.numbers, stored.numbers))
    return `numbers differ (${query.numbers.join(' ') || 'none'} vs ${stored.numbers.join(' ') || 'none'})`;
  if (checks.has('units') && !sameList(query.units, stored.units))
    return `units differ (${query.units.join(' ') || 'none'} vs ${stored.units.join(' ') || 'none'})`;
  if (checks.has('names')) {
    const missing =
      query.names.find((n) => !stored.words.has(n)) ?? stored.names.find((n) => !query.words.has(n));
    if (missing !== undefined) return `names differ (${missing})`;
  }
  if (checks.has('direction') && directionDiffers(query, stored)) return 'direction differs';
  if (checks.has('wording')) {
    const unmatched = unmatchedWord(query, stored) ?? unmatchedWord(stored, query);
    if (unmatched !== undefined) return `wording differs (${unmatched})`;
  }
  return undefined;
}

/** A name: capitalized mid-sentence, all capitals, letters with digits, or a well-known lower-case name. */
function isName(token: Token): boolean {
  const { word, original, sentenceStart } = token;
  if (FUNCTION_WORDS.has(word) || NEGATIONS.has(word)) return false;
  if (KNOWN_NAMES.has(word)) return true;
  if (/\p{L}/u.test(word) && /\d/.test(word)) return true;
  if (original.length >= 2 && original === original.toUpperCase() && /\p{Lu}/u.test(original)) return true;
  return !sentenceStart && /^\p{Lu}/u.test(original);
}

/** A number's canonical text: "1,000" → "1000", "five" → "5", "3rd" → "3rd", "2.50" → "2.5". */
function numberOf(word: string): string | undefined {
  if (/^\d+(\.\d+)?$/.test(word)) return String(Number(word));
  const ordinal = /^(\d+)(st|nd|rd|th)$/.exec(word);
  if (ordinal) return `${Number(ordinal[1])}${ordinal[2]}`;
  return NUMBER_WORDS.get(word);
}

/**
 * The opposite class and side a token stands for. A phrasal verb takes its particle (up to three words
 * on: "turn the alarm off"); `on`, `off`, `up`… alone are not a polarity ("on Linux").
 */
function sideOf(tokens: readonly Token[], i: number, consumed: Set<number>): string | undefined {
  if (consumed.has(i)) return undefined;
  const { word } = tokens[i]!;
  if (PHRASAL_VERBS.has(word)) {
    for (let j = i + 1; j <= i + 3 && j < tokens.length; j++) {
      const particle = tokens[j]!.word;
      if (!PARTICLES.has(particle)) continue;
      consumed.add(j);
      return OPPOSITE_SIDES.get(`${word}-${particle}`) ?? OPPOSITE_SIDES.get(particle);
    }
  }
  return PARTICLE_ONLY.has(word) ? undefined : OPPOSITE_SIDES.get(word);
}

/**
 * A word that crossed a direction marker: before "to" in one text, after it in the other ("8080 to 80" vs
 * "80 to 8080", "cats … than dogs" vs "dogs … than cats", "tabs with spaces" vs "spaces with tabs"). A
 * word on both sides of the marker in a text has not crossed.
 */
function directionDiffers(a: Reading, b: Reading): boolean {
  if (rolesSwapped(a, b)) return true;
  // The k-th "to" of one text faces the k-th "to" of the other ("how to connect to Redis" has two).
  const seen = new Map<string, number>();
  for (const m of a.markers) {
    const k = seen.get(m.marker) ?? 0;
    seen.set(m.marker, k + 1);
    const n = b.markers.filter((other) => other.marker === m.marker)[k];
    if (n === undefined) continue;
    for (const word of m.left) if (!m.right.has(word) && n.right.has(word) && !n.left.has(word)) return true;
    for (const word of m.right) if (!m.left.has(word) && n.left.has(word) && !n.right.has(word)) return true;
  }
  return false;
}

/**
 * Two words that share a clause in both texts but come in the other order: "my landlord owes me" vs "I owe
 * my landlord", "substitute soda for powder" vs "powder for soda". Clauses moved whole keep their meaning
 * ("In Python, how do I…" / "How do I… in Python?").
 */
function rolesSwapped(a: Reading, b: Reading): boolean {
  for (const clauseA of a.clauses) {
    for (const clauseB of b.clauses) {
      const once = (clause: readonly string[], w: string) => clause.indexOf(w) === clause.lastIndexOf(w);
      const shared = clauseA.filter((w) => clauseB.includes(w) && once(clauseA, w) && once(clauseB, w));
      const orderB = shared.map((w) => clauseB.indexOf(w));
      if (orderB.some((position, i) => i > 0 && position < orderB[i - 1]!)) return true;
    }
  }
  return false;
}

/** A topic word of `a` with no counterpart in `b`: not there, not a plural or a verb form, not a typo. */
function unmatchedWord(a: Reading, b: Reading): string | undefined {
  for (const word of a.content) {
    const stemmed = stem(word);
    if (b.words.has(word) || b.words.has(stemmed)) continue;
    if ([...b.words].some((other) => typoOf(word, other) || typoOf(stemmed, stem(other)))) continue;
    return word;
  }
  return undefined;
}

/** One or two slips (by length): "recieve" / "receive", "kubernets" / "kubernetes". Names never differ by a typo. */
function typoOf(a: string, b: string): boolean {
  const shorter = Math.min(a.length, b.length);
  // A slip keeps the first letter: "email" and "mail" are two words.
  if (shorter < 4 || a[0] !== b[0]) return false;
  const allowed = shorter >= 8 ? 2 : 1;
  if (Math.abs(a.length - b.length) > allowed) return false;
  return editDistance(a, b, allowed) <= allowed;
}

/** Damerau (adjacent transposition) edit distance, stopped early past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]![j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
    if (i > 0 && Math.min(...rows[i]!) > limit) return limit + 1;
  }
  return rows[a.length]![b.length]!;
}

/**
 * A light stem so plurals and verb forms meet: "jobs" → "job", "sorting" → "sort", "deleting" and
 * "delete" → "delet". Both texts go through it, so only agreement matters, not English.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let base = word;
  for (const suffix of ['ing', 'ies', 'ed', 's']) {
    if (word.endsWith(suffix) && !word.endsWith('ss') && word.length - suffix.length >= 3) {
      base = suffix === 'ies' ? `${word.slice(0, -3)}y` : word.slice(0, -suffix.length);
      break;
    }
  }
  return base.length > 3 && base.endsWith('e') ? base.slice(0, -1) : base;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
