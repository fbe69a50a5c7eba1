import { parseWaitMs, type Duration } from '../../core/duration.js';
import { ValidationError } from '../../core/errors.js';
import { isPlainObject } from '../../core/objects.js';
import type { Embedder } from './embedding.js';
import { GUARD_CHECKS, type GuardCheck } from './guard.js';

/** A verifier run after the built-in checks (an LLM judge, a rule of your domain): true accepts. */
export type SemanticVerifier = (request: string, stored: string) => boolean | Promise<boolean>;

export interface SemanticGuardOptions {
  /** Which differences veto a candidate. @default every check (see `GuardCheck`) */
  checks?: GuardCheck[];
  /** Runs on candidates the checks accepted; false or a throw vetoes. @default none */
  verify?: SemanticVerifier;
}

/** Semantic matching (docs/semantic-cache.md): on an exact-key miss, a near-identical stored request answers. */
export interface SemanticOptions {
  /** Embeds request texts: `hashingEmbedder()` (model-free) or your model's, with an `id` naming the model. Required. */
  embed: Embedder;
  /** Cosine similarity a stored request must reach. @default 0.75 (measured for hashingEmbedder; sweep yours with `npm run bench:semantic`) */
  threshold?: number;
  /** The guard that vetoes near-identical requests with different answers; `false` = threshold alone. @default every check */
  guard?: false | SemanticGuardOptions;
  /** Candidates at or above the threshold tried per lookup, most similar first. @default 3 */
  maxCandidates?: number;
  /** Requests indexed per partition, in Redis and in each process (the oldest leave first). @default 10000 */
  maxEntries?: number;
  /** Partitions whose index a process holds (the least recently used leave first). @default 64 */
  maxPartitions?: number;
  /** Longest text (in characters) matched semantically; a longer one is matched by its exact key only. @default 4000 */
  maxTextLength?: number;
  /** How long `embed` and `verify` may take; past it, the lookup is a miss (embed) or a veto (verify). @default '2s' */
  timeout?: Duration;
}

/** The settings with every default applied. */
export interface ResolvedSemantic {
  embed: Embedder;
  threshold: number;
  checks: ReadonlySet<GuardCheck>;
  verify: SemanticVerifier | undefined;
  maxCandidates: number;
  maxEntries: number;
  maxPartitions: number;
  maxTextLength: number;
  timeoutMs: number;
}

/** The threshold the docs recommend with `hashingEmbedder()` (from `npm run bench:semantic`). */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.75;

const KNOWN = [
  'embed',
  'threshold',
  'guard',
  'maxCandidates',
  'maxEntries',
  'maxPartitions',
  'maxTextLength',
  'timeout',
];
const GUARD_KNOWN = ['checks', 'verify'];

/** Checks `semantic` and fills in its defaults; every problem is named with the option to change. */
export function resolveSemantic(options: unknown): ResolvedSemantic | undefined {
  if (options === undefined) return undefined;
  const fail = (message: string, option: string): never => {
    throw new ValidationError(message, { option: `semantic.${option}` });
  };
  if (!isPlainObject(options))
    return fail('semantic must be an object: { embed, threshold?, guard?, … }', 'semantic');
  const given = options;
  for (const name of Object.keys(given))
    if (!KNOWN.includes(name)) fail(`unknown semantic option: ${name} (known: ${KNOWN.join(', ')})`, name);
  const {
    embed,
    threshold = DEFAULT_SEMANTIC_THRESHOLD,
    guard,
    maxCandidates = 3,
    maxEntries = 10_000,
    maxPartitions = 64,
    maxTextLength = 4000,
    timeout = '2s',
  } = given;
  if (typeof embed !== 'function')
    fail(
      'semantic.embed must be a function (texts: string[]) => Promise<Float32Array[]>, e.g. hashingEmbedder()',
      'embed',
    );
  const { id } = embed as Embedder;
  if (typeof id !== 'string' || id === '')
    fail(
      "semantic.embed needs an id naming its model, e.g. Object.assign(embed, { id: 'text-embedding-3-small-256' }): " +
        'vectors of two models must never be compared',
      'embed',
    );
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1))
    fail('semantic.threshold must be a cosine similarity above 0 and at most 1', 'threshold');
  const integer = (value: unknown, name: string, max: number): number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max
      ? value
      : fail(`semantic.${name} must be an integer from 1 to ${max}`, name);
  let checks: ReadonlySet<GuardCheck> = new Set(GUARD_CHECKS);
  let verify: SemanticVerifier | undefined;
  if (guard === false) checks = new Set();
  else if (guard !== undefined) {
    if (!isPlainObject(guard)) fail('semantic.guard must be false or { checks?, verify? }', 'guard');
    const g = guard as Record<string, unknown>;
    for (const name of Object.keys(g))
      if (!GUARD_KNOWN.includes(name))
        fail(`unknown semantic.guard option: ${name} (known: checks, verify)`, `guard.${name}`);
    if (g.checks !== undefined) {
      if (!Array.isArray(g.checks) || g.checks.some((c) => !GUARD_CHECKS.includes(c as GuardCheck)))
        fail(`semantic.guard.checks must list some of: ${GUARD_CHECKS.join(', ')}`, 'guard.checks');
      checks = new Set(g.checks as GuardCheck[]);
    }
    if (g.verify !== undefined && typeof g.verify !== 'function')
      fail(
        'semantic.guard.verify must be a function (request, stored) => boolean | Promise<boolean>',
        'guard.verify',
      );
    verify = g.verify as SemanticVerifier | undefined;
  }
  return {
    embed: embed as Embedder,
    threshold: threshold as number,
    checks,
    verify,
    maxCandidates: integer(maxCandidates, 'maxCandidates', 100),
    maxEntries: integer(maxEntries, 'maxEntries', 1_000_000),
    maxPartitions: integer(maxPartitions, 'maxPartitions', 100_000),
    maxTextLength: integer(maxTextLength, 'maxTextLength', 1_000_000),
    timeoutMs: parseWaitMs(timeout as Duration, 'semantic.timeout'),
  };
}
