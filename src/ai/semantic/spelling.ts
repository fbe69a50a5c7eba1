import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';

/** Words longer than this are never taken for a typo of another (a DNA sequence, a token, a hash). */
const MAX_TYPO_LENGTH = 24;

let dictionary: ReadonlySet<string> | undefined;

/** The English word list (word-list, 274k words), read once, when the guard first needs it. */
function englishWords(): ReadonlySet<string> {
  dictionary ??= new Set(readFileSync(wordListPath, 'utf8').split('\n'));
  return dictionary;
}

/**
 * Whether `a` and `b` are one word with a slip in one of them: one or two edits apart (by length), the
 * same first letter, no digits, and exactly one of the two an English word. Two real words are never one
 * typo apart for the guard ("desert" / "dessert", "casual" / "causal", "hypertension" / "hypotension").
 */
export function typoOf(a: string, b: string): boolean {
  const shorter = Math.min(a.length, b.length);
  if (shorter < 4 || a[0] !== b[0] || a.length > MAX_TYPO_LENGTH || b.length > MAX_TYPO_LENGTH) return false;
  if (/\d/.test(a) || /\d/.test(b)) return false;
  const allowed = shorter >= 8 ? 2 : 1;
  if (Math.abs(a.length - b.length) > allowed || editDistance(a, b, allowed) > allowed) return false;
  const words = englishWords();
  return words.has(a) !== words.has(b);
}

/** Damerau (adjacent transposition) edit distance within a band of `limit`, or `limit + 1` past it. */
function editDistance(a: string, b: string, limit: number): number {
  const width = b.length + 1;
  const far = limit + 1;
  let twoBack = new Array<number>(width).fill(far);
  let previous = Array.from({ length: width }, (_, j) => (j <= limit ? j : far));
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(width).fill(far);
    if (i <= limit) current[0] = i;
    let best = current[0]!;
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, twoBack[j - 2]! + 1);
      current[j] = d;
      if (d < best) best = d;
    }
    if (best > limit) return far;
    twoBack = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, far);
}
