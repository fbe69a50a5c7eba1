import { existsSync } from 'node:fs';
import { AI_OPTIONS } from '../ai/ai-options.js';
import { resolveOperationTtls } from '../ai/operation-ttls.js';
import { resolveTextSizeTiers } from '../ai/text-tiers.js';
import { redisUrlProblem } from '../redis/connection.js';
import { GENERIC_REDIS_CACHE_OPTIONS, optionProblem, type OptionKind } from '../redis/options.js';
import { isPlainObject } from '../core/objects.js';
import { ValidationError } from '../core/errors.js';

const isInt = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** The cache settings every entry point shares (SPEC §6), checked by their option definitions. */
const COMMON_SETTINGS = [
  'defaultTtl',
  'enableMemoryCache',
  'memoryCacheSize',
  'memoryCachePolicy',
  'compressionThreshold',
  'compressionLevel',
] as const;

export type CommonSettings = {
  [K in (typeof COMMON_SETTINGS)[number] | 'redisUrl' | 'failOnConnectionError']?: unknown;
};

/**
 * A common setting's kind: the cache's own, except that the entry points also size their in-memory cache
 * (the fallback, or `preset: 'disabled'`) with `memoryCacheSize`, which therefore cannot be 0 there.
 */
function commonKind(name: (typeof COMMON_SETTINGS)[number]): OptionKind {
  const { kind } = GENERIC_REDIS_CACHE_OPTIONS[name];
  return name === 'memoryCacheSize'
    ? { type: 'integer', min: 1, max: 10_000_000, message: 'a positive integer' }
    : kind;
}

/** Problems with the common settings present in `settings` (absent ones are not checked). */
export function commonProblems(settings: CommonSettings): string[] {
  const errors: string[] = [];
  if (settings.redisUrl !== undefined) {
    const problem = redisUrlProblem(settings.redisUrl);
    if (problem) errors.push(problem);
  }
  for (const name of COMMON_SETTINGS) {
    if (settings[name] === undefined) continue;
    const problem = optionProblem(name, commonKind(name), settings[name]);
    if (problem !== undefined) errors.push(problem);
  }
  if (settings.failOnConnectionError !== undefined && typeof settings.failOnConnectionError !== 'boolean') {
    errors.push('failOnConnectionError must be a boolean');
  }
  return errors;
}

/** The AI settings' problems (SPEC §6 messages). */
export function aiProblems(settings: {
  textHashThreshold?: unknown;
  operationTtls?: unknown;
  textSizeTiers?: unknown;
  maxTextLength?: unknown;
  keyScheme?: unknown;
}): string[] {
  const errors: string[] = [];
  if (settings.textHashThreshold !== undefined && !isInt(settings.textHashThreshold, 0)) {
    errors.push('textHashThreshold must be a non-negative integer');
  }
  if (settings.operationTtls !== undefined)
    errors.push(...problemsOf(() => resolveOperationTtls(settings.operationTtls as never)));
  if (settings.textSizeTiers !== undefined) {
    if (!isPlainObject(settings.textSizeTiers))
      errors.push(
        'textSizeTiers must be positive integers { small, medium, large } with small < medium < large',
      );
    else errors.push(...problemsOf(() => resolveTextSizeTiers(settings.textSizeTiers as never)));
  }
  if (settings.maxTextLength !== undefined && !isInt(settings.maxTextLength, 1))
    errors.push('maxTextLength must be a positive integer');
  const scheme =
    settings.keyScheme === undefined
      ? undefined
      : optionProblem('keyScheme', AI_OPTIONS.keyScheme.kind, settings.keyScheme);
  if (scheme !== undefined) errors.push(scheme);
  return errors;
}

/** Certificate files that are named but missing. */
export function missingFiles(paths: Record<string, string | undefined>): string[] {
  return Object.entries(paths)
    .filter(([, path]) => path !== undefined && !existsSync(path))
    .map(([name, path]) => `${name} file not found: ${path}`);
}

function problemsOf(check: () => unknown): string[] {
  try {
    check();
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
}
