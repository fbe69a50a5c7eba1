import { GRAMMAR_KINDS } from './guard-lexicon.js';
import { stem, type Reading } from './guard-reading.js';
import { typoOf } from './spelling.js';

export { readText, stem, type Reading } from './guard-reading.js';

/**
 * The differences the guard looks for between a request and a stored one (docs/semantic-cache.md):
 * `negation` (not, never, without…), `opposites` (enable/disable, increase/decrease, turn on/off…),
 * `numbers` (digits as written, number words, ordinals, operators), `units` (km/miles, USD/EUR, A$/$…),
 * `names` (capitalized words, all-caps, words with digits, well-known names), `grammar` (question words,
 * quantifiers, modals, tense, pronouns, and/or, prepositions), `direction` ("USD to EUR" vs "EUR to USD",
 * "my landlord owes me" vs "I owe my landlord"), `wording` (a topic word of one text has no counterpart,
 * typos aside, in the other: "rice" vs "pasta").
 */
export type GuardCheck =
  'negation' | 'opposites' | 'numbers' | 'units' | 'names' | 'grammar' | 'direction' | 'wording';

export const GUARD_CHECKS: readonly GuardCheck[] = [
  'negation',
  'opposites',
  'numbers',
  'units',
  'names',
  'grammar',
  'direction',
  'wording',
];

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
  if (checks.has('numbers')) {
    if (!sameList(query.numbers, stored.numbers))
      return `numbers differ (${query.numbers.join(' ') || 'none'} vs ${stored.numbers.join(' ') || 'none'})`;
    if (!sameList(query.symbols, stored.symbols))
      return `operators differ (${query.symbols.join(' ') || 'none'} vs ${stored.symbols.join(' ') || 'none'})`;
  }
  if (checks.has('units') && !sameList(query.units, stored.units))
    return `units differ (${query.units.join(' ') || 'none'} vs ${stored.units.join(' ') || 'none'})`;
  if (checks.has('names')) {
    const missing =
      query.names.find((n) => !stored.words.has(n)) ?? stored.names.find((n) => !query.words.has(n));
    if (missing !== undefined) return `names differ (${missing})`;
  }
  if (checks.has('grammar')) {
    const kind = grammarDifference(query, stored);
    if (kind !== undefined) return `${kind} words differ`;
  }
  if (checks.has('direction') && directionDiffers(query, stored)) return 'direction differs';
  if (checks.has('wording')) {
    const unmatched = unmatchedWord(query, stored) ?? unmatchedWord(stored, query);
    if (unmatched !== undefined) return `wording differs (${unmatched})`;
  }
  return undefined;
}

/** The first kind of small meaning-bearing words whose multiset differs ("should I" / "can I"). */
function grammarDifference(a: Reading, b: Reading): string | undefined {
  for (const kind of Object.keys(GRAMMAR_KINDS)) {
    const [x, y] = [a.grammar[kind] ?? [], b.grammar[kind] ?? []];
    // "How do I…" and "How to…": pronouns count only when both texts have some.
    if (kind === 'pronoun' && (x.length === 0 || y.length === 0)) continue;
    if (!sameList(x, y)) return kind;
  }
  return undefined;
}

/**
 * A word that crossed a direction marker: before "to" in one text, after it in the other ("8080 to 80" vs
 * "80 to 8080", "cats … than dogs" vs "dogs … than cats", "tabs with spaces" vs "spaces with tabs"), or two
 * words of one clause in the other order ("my landlord owes me" / "I owe my landlord").
 */
function directionDiffers(a: Reading, b: Reading): boolean {
  if (rolesSwapped(a, b)) return true;
  // The k-th "to" of one text faces the k-th "to" of the other ("how to connect to Redis" has two).
  const seen = new Map<string, number>();
  const byMarker = new Map<string, Reading['markers'][number][]>();
  for (const n of b.markers) byMarker.set(n.marker, [...(byMarker.get(n.marker) ?? []), n]);
  for (const m of a.markers) {
    const k = seen.get(m.marker) ?? 0;
    seen.set(m.marker, k + 1);
    const n = byMarker.get(m.marker)?.[k];
    if (n === undefined) continue;
    for (const word of m.left) if (!m.right.has(word) && n.right.has(word) && !n.left.has(word)) return true;
    for (const word of m.right) if (!m.left.has(word) && n.left.has(word) && !n.right.has(word)) return true;
  }
  return false;
}

/**
 * Two words that share a clause in both texts but come in the other order. Clauses moved whole keep
 * their meaning ("In Python, how do I…" / "How do I… in Python?").
 */
function rolesSwapped(a: Reading, b: Reading): boolean {
  for (const clauseA of a.clauses) {
    const onceA = positionsOnce(clauseA);
    for (const clauseB of b.clauses) {
      const onceB = positionsOnce(clauseB);
      let last = -1;
      for (const word of clauseA) {
        const position = onceA.has(word) ? onceB.get(word) : undefined;
        if (position === undefined) continue;
        if (position < last) return true;
        last = position;
      }
    }
  }
  return false;
}

/** Each word that occurs once in the clause, with its position. */
function positionsOnce(clause: readonly string[]): Map<string, number> {
  const positions = new Map<string, number>();
  const repeated = new Set<string>();
  clause.forEach((word, i) => (positions.has(word) ? repeated.add(word) : positions.set(word, i)));
  for (const word of repeated) positions.delete(word);
  return positions;
}

/** A topic word of `a` with no counterpart in `b`: not there, not a plural or a verb form, not a typo. */
function unmatchedWord(a: Reading, b: Reading): string | undefined {
  for (const word of a.content) {
    const stemmed = stem(word);
    if (b.words.has(word) || b.words.has(stemmed)) continue;
    if (b.content.some((other) => typoOf(word, other))) continue;
    return word;
  }
  return undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
