import { describe, expect, it } from 'vitest';
import { compilePattern, escapeGlob, isGlob, toRedisMatch } from '../../src/core/pattern.js';

describe('pattern semantics (SPEC §9)', () => {
  it.each([
    ['', 'anything', true],
    ['user', 'my:user:1', true],
    ['user', 'usr:1', false],
    ['a|b:c', 'x a|b:c y', true],
    ['user:*', 'user:1', true],
    ['user:*', 'my:user:1', false],
    ['user:?', 'user:12', false],
    ['user:[12]', 'user:2', true],
    ['user:[^12]', 'user:2', false],
    ['user:[a-c]', 'user:b', true],
    ['user:[c-a]', 'user:b', true],
    ['literal\\*', 'literal*', true],
    ['literal\\*', 'literalX', false],
    ['open[bracket*', 'open[bracket-x', true],
    ['trailing\\', 'trailing\\', true],
    ['[]', 'x', false],
    ['*.json', 'config.json', true],
  ])('pattern %j against %j is %s', (pattern, key, expected) => {
    expect(compilePattern(pattern)(key)).toBe(expected);
  });

  it('tells globs from substrings', () => {
    expect(isGlob('a*')).toBe(true);
    expect(isGlob('a?')).toBe(true);
    expect(isGlob('a[b]')).toBe(true);
    expect(isGlob('a:b|c')).toBe(false);
  });

  it('escapes the prefix and substring patterns in Redis MATCH arguments', () => {
    expect(escapeGlob('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
    expect(toRedisMatch('app:', '')).toBe('app:*');
    expect(toRedisMatch('app:', 'x*y')).toBe('app:x*y');
    expect(toRedisMatch('app[1]:', 'user')).toBe('app\\[1\\]:*user*');
    expect(toRedisMatch('p:', 'open[x')).toBe('p:open\\[x');
  });
});
