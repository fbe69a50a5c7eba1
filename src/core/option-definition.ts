import { lifetimeProblem, waitProblem } from './duration.js';

/**
 * The shape of an option definition: each cache defines its options once (kind, default, doc line,
 * environment variable, whether a configuration may carry it), and its checks, defaults, the env reader
 * and the docs tables are derived from that (see GENERIC_REDIS_CACHE_OPTIONS, IN_MEMORY_CACHE_OPTIONS).
 */

/** How an option's value is checked and read from an environment variable. */
export type OptionKind =
  | { type: 'boolean' }
  | { type: 'integer'; min: number; max: number; message: string }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'lifetime' }
  /** `zeroIsOff`: `0` switches the feature off instead of being a wait. */
  | { type: 'wait'; zeroIsOff?: true }
  | { type: 'fraction' }
  | { type: 'text'; message: string }
  /** Checked by its own code (a URL, a topology, an object or a function). */
  | { type: 'custom' };

/** One option, defined once: the cache, the factory, configurations, the env reader and the docs use it. */
export interface OptionDefinition {
  kind: OptionKind;
  /** The line of the options table in docs/configuration.md. */
  doc: string;
  /** The environment variable that sets it (`fromEnvironment`, the service). */
  env: string | undefined;
  /** The default when the option is absent (undefined = none). */
  default: string | number | boolean | undefined;
  /** The default as the docs show it, when it is not a plain value. */
  defaultText: string | undefined;
  /** `true`: a configuration (CACHE_CUSTOM_CONFIG, overrides) may carry it; else where it belongs instead. */
  config: true | string;
}

type Scalar = string | number | boolean;

/** The kinds that take no parameters. */
export const KINDS = {
  BOOLEAN: { type: 'boolean' },
  LIFETIME: { type: 'lifetime' },
  WAIT: { type: 'wait' },
  FRACTION: { type: 'fraction' },
  CUSTOM: { type: 'custom' },
} as const satisfies Record<string, OptionKind>;

/** An option a configuration may carry (plain data). */
export function plain<const D extends Scalar | undefined = undefined>(
  kind: OptionKind,
  doc: string,
  env?: string,
  defaultValue?: D,
  defaultText?: string,
) {
  return { kind, doc, env, default: defaultValue as D, defaultText, config: true as const };
}

/** An option only code can give (a client, a function, a secret), and where it belongs instead. */
export function inCode(doc: string, home: string, defaultText?: string) {
  return { kind: KINDS.CUSTOM, doc, env: undefined, default: undefined, defaultText, config: home };
}

/** The problem with one option's value under its definition's kind, or undefined (custom kinds: none here). */
export function optionProblem(name: string, kind: OptionKind, value: unknown): string | undefined {
  switch (kind.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name} must be a boolean`;
    case 'integer':
      return isInt(value, kind.min, kind.max) ? undefined : `${name} must be ${kind.message}`;
    case 'enum':
      return kind.values.includes(value as string)
        ? undefined
        : `${name} must be ${kind.values.map((v) => `'${v}'`).join(' or ')}`;
    case 'lifetime': {
      const ms = lifetimeProblem(value, name);
      return typeof ms === 'string' ? ms : undefined;
    }
    case 'wait': {
      if (kind.zeroIsOff && value === 0) return undefined;
      const ms = waitProblem(value, name);
      if (typeof ms === 'string') return ms;
      return ms < 1 || ms > 600_000 ? `${name} must be between 1 ms and 10 minutes` : undefined;
    }
    case 'text':
      return typeof value === 'string' && value !== '' ? undefined : `${name} must be ${kind.message}`;
    default:
      return undefined; // fraction and custom kinds are checked by their own resolvers
  }
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
