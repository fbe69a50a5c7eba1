import { hash } from 'node:crypto';

/** The longest key any tiercache cache accepts (SPEC §2), in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** Tenant and model values longer than this (escaped, in bytes) are hashed in v3 keys. */
export const MAX_EMBEDDED_SCOPE_BYTES = 128;

/** Hex digits of a digest in v3 keys: 128 bits, so distinct texts, options and questions never meet. */
export const V3_DIGEST_HEX = 32;

/**
 * What v3 escapes in embedded values: `|` (separates parts), `:` (separates a part's name), `%` (starts an
 * escape) and lone surrogates (UTF-8 cannot carry them: Redis would see U+FFFD for all of them). With the
 * `u` flag a surrogate pair is one code point, so `\p{Cs}` matches only lone halves.
 */
const RESERVED = /[%|:]|\p{Cs}/u;
const RESERVED_ALL = /[%|:]|\p{Cs}/gu;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0xd800) return `%u${code.toString(16).toUpperCase()}`;
  return code === 0x25 ? '%25' : code === 0x7c ? '%7C' : '%3A';
}

/**
 * The value with `%`, `|`, `:` and lone surrogates percent-escaped (`%25`, `%7C`, `%3A`, `%uD800`): every
 * `%` in the result starts an escape, so two distinct values never escape to the same text, and the result
 * holds no separator.
 */
export function escapeKeyPart(value: string): string {
  return RESERVED.test(value) ? value.replace(RESERVED_ALL, escapeOne) : value;
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20); the project's lib is ES2023. */
function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * A digest of any string, injective in practice: a well-formed string is hashed as its UTF-8 bytes
 * (`hash:`), one with lone surrogates (which UTF-8 would turn into U+FFFD) as its escaped form (`uhash:`).
 */
export function hashPart(algorithm: string, value: string, hexDigits: number): string {
  return isWellFormed(value)
    ? `hash:${hash(algorithm, value, 'hex').slice(0, hexDigits)}`
    : `uhash:${hash(algorithm, escapeKeyPart(value), 'hex').slice(0, hexDigits)}`;
}

/** A digest for a part that is always hashed (options, question): no marker, same injectivity. */
export function digestPart(algorithm: string, value: string, hexDigits: number): string {
  return isWellFormed(value)
    ? hash(algorithm, value, 'hex').slice(0, hexDigits)
    : `u${hash(algorithm, escapeKeyPart(value), 'hex').slice(0, hexDigits)}`;
}

/** `value` escaped when it fits in `budget` bytes, else its digest (`hash:`/`uhash:`). */
export function embedOrHash(value: string, budget: number, algorithm: string, hexDigits: number): string {
  if (value.length <= budget) {
    const escaped = escapeKeyPart(value);
    if (escaped.length * 3 <= budget || Buffer.byteLength(escaped) <= budget) return escaped;
  }
  return hashPart(algorithm, value, hexDigits);
}
