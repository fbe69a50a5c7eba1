import {
  CASED_UNITS,
  DIRECTION_MARKERS,
  FUNCTION_WORDS,
  GRAMMAR_KINDS,
  KNOWN_NAMES,
  NEGATIONS,
  NUMBER_WORDS,
  OPPOSITE_SIDES,
  PARTICLE_ONLY,
  PARTICLES,
  PHRASAL_VERBS,
  TENSE_FORMS,
  UNITS,
} from './guard-lexicon.js';
import { tokenize, type Token } from './text-features.js';

/** What the guard reads in a text (once per text, whatever the number of checks). */
export interface Reading {
  /** Every word, as written and stemmed. */
  readonly words: ReadonlySet<string>;
  readonly negations: number;
  readonly sides: readonly string[];
  /** Numbers as written (commas aside) and number words, in order of appearance. */
  readonly numbers: readonly string[];
  /** Operators and math symbols, in order ("12 - 4", "age < 30", "2^10"). */
  readonly symbols: readonly string[];
  readonly units: readonly string[];
  /** In order of first appearance. */
  readonly names: readonly string[];
  /** Each kind of `GRAMMAR_KINDS`: its words in the text, sorted. */
  readonly grammar: Readonly<Record<string, readonly string[]>>;
  readonly content: readonly string[];
  /** Topic words (and numbers) of each clause, stemmed, in order: who does what to whom. */
  readonly clauses: readonly (readonly string[])[];
  /** For each direction marker: the topic words (and numbers) before and after it, within its clause. */
  readonly markers: readonly { marker: string; left: ReadonlySet<string>; right: ReadonlySet<string> }[];
}

const GRAMMAR_OF = new Map<string, string>();
for (const [kind, members] of Object.entries(GRAMMAR_KINDS)) for (const w of members) GRAMMAR_OF.set(w, kind);

/**
 * How a request is asked rather than what it asks: "can you tell me", "could you please explain", "do
 * you know", "I was wondering if", "please show me". Their small words do not count as grammar.
 */
const REQUEST_FRAMES = [
  /^(?:can|could|would|will) (?:you|someone|anyone|somebody|anybody) (?:please )?(?:tell|show|explain|give|help|let|describe|list|suggest|recommend|share)?(?: me| us)?/,
  /^do you know\b/,
  /^(?:please )?(?:tell|show|explain|give|help|let)(?: me| us)\b/,
  /^i (?:was |am )?wonder(?:ing)?(?: if| whether)?\b/,
  /^i would (?:like|love)(?: to know| it if you could)?\b/,
  /^(?:would|do) you mind\b/,
];

/** "How do I…", "how can I…", "how should we…" and "how to…" ask one thing: the words after "how" do not count. */
const HOW_TO = /\bhow (?:(?:do|does|can|could|should|would|might|may|shall) (?:i|we|you|one)|to)\b/g;

/** Kinds whose words make a clause more than filler ("which should I use" is a question, not a greeting). */
const MEANINGFUL_KINDS = new Set(['question', 'quantity', 'modality', 'conjunction']);

/** Indexes of the tokens of request frames at clause starts, and of clauses made of filler only. */
function framing(tokens: readonly Token[]): Set<number> {
  const skipped = new Set<number>();
  for (let start = 0; start < tokens.length; start++) {
    if (!tokens[start]!.clauseStart) continue;
    let end = start + 1;
    while (end < tokens.length && !tokens[end]!.clauseStart) end++;
    const clause = tokens.slice(start, end).map((t) => t.word);
    const filler = (w: string) =>
      (FUNCTION_WORDS.has(w) || GRAMMAR_OF.has(w)) && !MEANINGFUL_KINDS.has(GRAMMAR_OF.get(w) ?? '');
    if (clause.every(filler)) {
      for (let i = start; i < end; i++) skipped.add(i);
      continue;
    }
    const text = clause.join(' ');
    const skipWords = (from: number, words: string): void => {
      // `from` is a character offset in `text`: count the words before it.
      const first = from === 0 ? 0 : text.slice(0, from).trim().split(' ').length;
      const count = words.trim().split(' ').length;
      for (let i = start + first; i < start + first + count; i++) skipped.add(i);
    };
    for (const frame of REQUEST_FRAMES) {
      const match = frame.exec(text);
      if (match && match[0].trim() !== '') {
        skipWords(0, match[0]);
        break;
      }
    }
    for (const match of text.matchAll(HOW_TO))
      skipWords(match.index + 'how '.length, match[0].slice('how '.length));
  }
  return skipped;
}

/** Reads a text for the guard. Linear in its length (sets and maps, no nested scans). */
export function readText(text: string): Reading {
  const tokens = tokenize(text);
  const framed = framing(tokens);
  const words = new Set<string>();
  const sides: string[] = [];
  const numbers: string[] = [];
  const symbols: string[] = [];
  const units: string[] = [];
  const names: string[] = [];
  const grammar: Record<string, string[]> = Object.fromEntries(
    Object.keys(GRAMMAR_KINDS).map((k) => [k, []]),
  );
  const content: string[] = [];
  const topical = new Set<number>();
  const clauses: string[][] = [];
  let negations = 0;
  let clauseBreak = true;
  const consumed = new Set<number>();
  tokens.forEach((token, i) => {
    const { word } = token;
    if (token.clauseStart) clauseBreak = true;
    words.add(word);
    words.add(stem(word));
    if (NEGATIONS.has(word)) negations++;
    const kind = framed.has(i) ? undefined : GRAMMAR_OF.get(word);
    // "…, but how many…": a "but" opening a clause only joins it to the one before.
    if (kind !== undefined && !(word === 'but' && token.clauseStart))
      grammar[kind]!.push(TENSE_FORMS.get(word) ?? word);
    const number = numberOf(word);
    if (number !== undefined) numbers.push(number);
    const unit = CASED_UNITS.get(token.original) ?? UNITS.get(word) ?? currencyOf(word);
    if (unit !== undefined && (word.length > 1 || numberOf(tokens[i - 1]?.word ?? '') !== undefined))
      units.push(unit);
    else if (isSymbol(word) && (word !== '-' || isOperand(tokens[i - 1]) || isOperand(tokens[i + 1])))
      symbols.push(word);
    if (isName(token) && !names.includes(word)) names.push(word);
    const side = sideOf(tokens, i, consumed);
    if (side !== undefined) sides.push(side);
    const topic =
      !FUNCTION_WORDS.has(word) && !NEGATIONS.has(word) && !DIRECTION_MARKERS.has(word) && !isSymbol(word);
    if (topic && number === undefined) content.push(word);
    if (topic || number !== undefined) {
      topical.add(i);
      if (clauseBreak) clauses.push([]);
      clauseBreak = false;
      clauses.at(-1)!.push(stem(word));
    }
  });
  for (const list of Object.values(grammar)) list.sort();
  return {
    words,
    negations,
    sides: sides.sort(),
    numbers,
    symbols,
    units: units.sort(),
    names,
    grammar,
    content,
    clauses,
    markers: markersOf(tokens, topical),
  };
}

function markersOf(tokens: readonly Token[], topical: ReadonlySet<number>): Reading['markers'] {
  const clauseOf = (from: number, step: 1 | -1): Set<string> => {
    const found = new Set<string>();
    for (let j = from; j >= 0 && j < tokens.length; j += step) {
      if (step === 1 && tokens[j]!.clauseStart) break;
      if (DIRECTION_MARKERS.has(tokens[j]!.word)) break;
      // Unstemmed: "http" and "https" are not one word here.
      if (topical.has(j)) found.add(tokens[j]!.word);
      if (step === -1 && tokens[j]!.clauseStart) break;
    }
    return found;
  };
  return tokens.flatMap((token, i) =>
    DIRECTION_MARKERS.has(token.word)
      ? [{ marker: token.word, left: clauseOf(i - 1, -1), right: clauseOf(i + 1, 1) }]
      : [],
  );
}

/** A name: capitalized mid-sentence, all capitals, letters with digits, or a well-known lower-case name. */
function isName(token: Token): boolean {
  const { word, original, sentenceStart } = token;
  if (FUNCTION_WORDS.has(word) || NEGATIONS.has(word) || GRAMMAR_OF.has(word)) return false;
  if (KNOWN_NAMES.has(word)) return true;
  if (/\p{L}/u.test(word) && /\d/.test(word)) return true;
  if (original.length >= 2 && original === original.toUpperCase() && /\p{Lu}/u.test(original)) return true;
  return !sentenceStart && /^\p{Lu}/u.test(original);
}

/** A number as written ("3.10" is not "3.1"; "10.0.0.1" is one number), commas aside; number words as digits. */
function numberOf(word: string): string | undefined {
  if (/^-?\d+(\.\d+)*$/.test(word)) return word;
  const ordinal = /^(\d+)(st|nd|rd|th)$/.exec(word);
  if (ordinal) return `${ordinal[1]}${ordinal[2]}`;
  return NUMBER_WORDS.get(word);
}

/** A currency symbol the unit list does not name is its own unit (₱, ₫…); "X$" likewise. */
function currencyOf(word: string): string | undefined {
  return /^\p{Sc}$/u.test(word) || /^\p{L}{1,3}\$$/u.test(word) ? word : undefined;
}

/** A dash between spaces is a minus beside a number or a one-letter name ("12 - 4", "x - 1"), else punctuation. */
function isOperand(token: Token | undefined): boolean {
  return token !== undefined && (numberOf(token.word) !== undefined || /^\p{L}$/u.test(token.word));
}

export function isSymbol(word: string): boolean {
  return word === '-' || word === '!=' || /^[\p{Sm}^*/]$/u.test(word);
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
