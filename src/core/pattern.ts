import { ValidationError } from './errors.js';

/** Patterns longer than this are rejected (HTTP 400). */
export const MAX_PATTERN_LENGTH = 1024;

/** Validates an invalidation pattern. */
export function assertPattern(pattern: unknown): asserts pattern is string {
  if (typeof pattern !== 'string' || pattern.length > MAX_PATTERN_LENGTH) {
    throw new ValidationError(`pattern must be a string of at most ${MAX_PATTERN_LENGTH} characters`, {
      option: 'pattern',
    });
  }
}

const GLOB_CHARS = /[*?[]/;

/** True when the pattern uses glob syntax (`*`, `?` or `[...]`); otherwise it is a substring match. */
export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Escapes glob metacharacters so the text matches itself literally in a Redis MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Rewrites the pattern so Redis and our matcher read it identically: an unclosed `[` and a trailing
 * lone backslash become literal characters.
 */
function normalizeGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      out += i + 1 < pattern.length ? c + (pattern[++i] as string) : '\\\\';
    } else if (c === '[') {
      const close = findClose(pattern, i);
      if (close < 0) out += '\\[';
      else {
        out += pattern.slice(i, close + 1);
        i = close;
      }
    } else out += c;
  }
  return out;
}

function findClose(pattern: string, open: number): number {
  for (let j = open + 1; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === ']') return j;
  }
  return -1;
}

/**
 * The SCAN MATCH argument for a pattern inside a key prefix (SPEC §9): empty → every key, no glob
 * characters → keys containing the text, otherwise a glob over the whole key (after the prefix).
 */
export function toRedisMatch(prefix: string, pattern: string): string {
  const base = escapeGlob(prefix);
  if (pattern === '') return `${base}*`;
  if (!isGlob(pattern)) return `${base}*${escapeGlob(pattern)}*`;
  return base + normalizeGlob(pattern);
}

/** A predicate over keys with the same semantics Redis applies to `toRedisMatch`. */
export function compilePattern(pattern: string): (key: string) => boolean {
  if (pattern === '') return () => true;
  if (!isGlob(pattern)) return (key) => key.includes(pattern);
  const regex = globToRegExp(normalizeGlob(pattern));
  return (key) => regex.test(key);
}

function globToRegExp(glob: string): RegExp {
  let source = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '\\') {
      const escaped = codePointAt(glob, i + 1);
      source += literal(escaped);
      i += escaped.length;
    } else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else if (c === '[') {
      const close = findClose(glob, i);
      source += charClass(glob.slice(i + 1, close));
      i = close;
    } else {
      // A character outside the BMP is one code point of the 'u' regex: read both of its UTF-16 units.
      const whole = codePointAt(glob, i);
      source += literal(whole);
      i += whole.length - 1;
    }
  }
  return new RegExp(`${source}$`, 'u');
}

/** The character (one code point: one or two UTF-16 units) at `index`. */
function codePointAt(text: string, index: number): string {
  const code = text.codePointAt(index);
  return code === undefined ? '' : String.fromCodePoint(code);
}

function literal(char: string): string {
  return `\\u{${(char.codePointAt(0) as number).toString(16)}}`;
}

/** A `[...]` body in Redis syntax: optional `^` negation, ranges (either order), backslash escapes. */
function charClass(body: string): string {
  let negate = false;
  let i = 0;
  if (body[0] === '^') {
    negate = true;
    i = 1;
  }
  const chars: string[] = [];
  for (; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && i + 1 < body.length) {
      chars.push(literal(body[++i] as string));
    } else if (body[i + 1] === '-' && i + 2 < body.length) {
      const end = body[i + 2] as string;
      i += 2;
      const [lo, hi] = [c, end].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
      chars.push(`${literal(lo as string)}-${literal(hi as string)}`);
    } else chars.push(literal(c));
  }
  if (chars.length === 0) return negate ? '[\\s\\S]' : '(?!)';
  return `[${negate ? '^' : ''}${chars.join('')}]`;
}
