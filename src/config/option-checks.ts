import { existsSync } from 'node:fs';
import { lifetimeProblem } from '../core/duration.js';
import { resolveOperationTtls } from '../ai/operation-ttls.js';
import { resolveTextSizeTiers } from '../ai/text-tiers.js';
import { redisUrlProblem } from '../redis/connection.js';
import { isPlainObject } from '../core/objects.js';
import { ValidationError } from '../core/errors.js';

const isInt = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** The cache settings every entry point shares, checked with the messages of SPEC §6. */
export interface CommonSettings {
  redisUrl?: unknown;
  defaultTtl?: unknown;
  enableMemoryCache?: unknown;
  memoryCacheSize?: unknown;
  compressionThreshold?: unknown;
  compressionLevel?: unknown;
  failOnConnectionError?: unknown;
}

/** Problems with the common settings present in `settings` (absent ones are not checked). */
export function commonProblems(settings: CommonSettings): string[] {
  const errors: string[] = [];
  if ('redisUrl' in settings && settings.redisUrl !== undefined) {
    const problem = redisUrlProblem(settings.redisUrl);
    if (problem) errors.push(problem);
  }
  if (settings.defaultTtl !== undefined) {
    const ttl = lifetimeProblem(settings.defaultTtl, 'defaultTtl');
    if (typeof ttl === 'string') errors.push(ttl);
  }
  if (settings.failOnConnectionError !== undefined && typeof settings.failOnConnectionError !== 'boolean') {
    errors.push('failOnConnectionError must be a boolean');
  }
  if (settings.enableMemoryCache !== undefined && typeof settings.enableMemoryCache !== 'boolean') {
    errors.push('enableMemoryCache must be a boolean');
  }
  if (settings.memoryCacheSize !== undefined && !isInt(settings.memoryCacheSize, 1, 10_000_000)) {
    errors.push('memoryCacheSize must be a positive integer');
  }
  if (settings.compressionThreshold !== undefined && !isInt(settings.compressionThreshold, 0, 104_857_600)) {
    errors.push('compressionThreshold must be a non-negative integer');
  }
  if (settings.compressionLevel !== undefined && !isInt(settings.compressionLevel, 1, 9)) {
    errors.push('compressionLevel must be an integer between 1 and 9');
  }
  return errors;
}

/** The AI settings' problems (SPEC §6 messages). */
export function aiProblems(settings: {
  textHashThreshold?: unknown;
  operationTtls?: unknown;
  textSizeTiers?: unknown;
  maxTextLength?: unknown;
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
