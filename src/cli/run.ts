import { randomBytes } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_KEYS_LIMIT, MAX_KEYS_LIMIT, inspect, keys } from './commands/keys.js';
import { health, invalidate, invalidateTags, metrics, status } from './commands/remote.js';
import { DEFAULT_TOP_INTERVAL, parseInterval, top } from './commands/top.js';
import {
  CONFIG_HELP,
  HEALTH_HELP,
  HELP,
  INSPECT_HELP,
  INVALIDATE_HELP,
  KEYGEN_HELP,
  KEYS_HELP,
  METRICS_HELP,
  SERVE_HELP,
  STATUS_HELP,
  TOP_HELP,
} from './help.js';
import { RemoteError, type RemoteTarget } from './http.js';
import { UsageError, type CommandResult } from './output.js';

// Start-up time: this module and everything it imports statically stay within src/cli/ and Node's
// built-ins. The service (serve) and the configuration code (config) are imported when those run.

/** A fresh 256-bit key in base64 (the format REDIS_ENCRYPTION_KEY takes). */
export const generateKey = (): string => randomBytes(32).toString('base64');

const REMOTE = { url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' } } as const;

interface Command {
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: [min: number, max: number];
}

const COMMANDS: Record<string, Command> = {
  serve: {
    help: SERVE_HELP,
    options: { host: { type: 'string' }, port: { type: 'string' } },
    positionals: [0, 0],
  },
  status: { help: STATUS_HELP, options: REMOTE, positionals: [0, 0] },
  top: {
    help: TOP_HELP,
    options: { ...REMOTE, interval: { type: 'string' }, once: { type: 'boolean' } },
    positionals: [0, 0],
  },
  metrics: {
    help: METRICS_HELP,
    options: { ...REMOTE, prometheus: { type: 'boolean' } },
    positionals: [0, 0],
  },
  keys: { help: KEYS_HELP, options: { ...REMOTE, limit: { type: 'string' } }, positionals: [0, 1] },
  inspect: { help: INSPECT_HELP, options: { ...REMOTE, value: { type: 'boolean' } }, positionals: [1, 1] },
  invalidate: {
    help: INVALIDATE_HELP,
    options: {
      ...REMOTE,
      'dry-run': { type: 'boolean' },
      context: { type: 'string' },
      all: { type: 'boolean' },
      tag: { type: 'string', multiple: true },
    },
    positionals: [0, 1],
  },
  health: { help: HEALTH_HELP, options: REMOTE, positionals: [0, 0] },
  config: { help: CONFIG_HELP, options: { json: { type: 'boolean' } }, positionals: [1, 1] },
  keygen: { help: KEYGEN_HELP, options: { json: { type: 'boolean' } }, positionals: [0, 0] },
};

type Values = Record<string, string | boolean | string[] | undefined>;
type Out = (s: string) => void;

/** What the process gives the CLI beyond its streams (main.ts); tests pass their own. */
export interface RunContext {
  /** stdout is a terminal: `top` redraws in place. */
  isTTY?: boolean;
  /** Called by a long-running command (`top`): a signal aborted on Ctrl-C (SIGINT) or SIGTERM. */
  interrupted?: () => AbortSignal;
}

/** Runs the CLI and returns the exit code (separate from process handling for testing). */
export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: Out,
  err: Out,
  context: RunContext = {},
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      err(`no command given\n\n${HELP}`);
      return 2;
    }
    out(HELP);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err(`unknown command: ${name}\n\n${HELP}`);
    return 2;
  }
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    err(`${(error as Error).message}\n\n${command.help}`);
    return 2;
  }
  if (values.help) {
    out(command.help);
    return 0;
  }
  const [min, max] = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    err(
      `${positionals.length < min ? 'missing argument' : `unexpected argument: ${positionals.slice(max).join(' ')}`}\n\n${command.help}`,
    );
    return 2;
  }
  try {
    return await execute(name, positionals, values, env, out, err, context);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      err(`${error.message}\n\n${command.help}`);
      return 2;
    }
    if (error instanceof RemoteError || (await isTierCacheError(error))) {
      const message = (error as Error).message;
      if (values.json) out(JSON.stringify({ ok: false, error: message }, null, 2));
      else err(`error: ${message}`);
      return 1;
    }
    throw error;
  }
}

/** The library's errors (a bad environment for serve or config): loaded only when something failed. */
async function isTierCacheError(error: unknown): Promise<boolean> {
  const { TierCacheError } = await import('../core/errors.js');
  return error instanceof TierCacheError;
}

async function execute(
  name: string,
  positionals: string[],
  values: Values,
  env: NodeJS.ProcessEnv,
  out: Out,
  err: Out,
  context: RunContext,
): Promise<number> {
  const json = values.json === true;
  let result: CommandResult;
  switch (name) {
    case 'keygen': {
      const key = generateKey();
      out(json ? JSON.stringify({ key }) : key);
      return 0;
    }
    case 'serve': {
      // Loaded only for `serve`: the service (Fastify, ioredis) is most of the CLI's start-up time.
      const { listenAddress, serve } = await import('../http/serve.js');
      const address = listenAddress(
        env,
        values.host as string | undefined,
        values.port as string | undefined,
      );
      const { url } = await serve(env, address);
      err(`tiercache service listening on ${url} (dashboard: ${url}/internal/cache/dashboard)`);
      return 0;
    }
    case 'config': {
      const sub = positionals[0];
      if (sub !== 'validate' && sub !== 'explain') {
        err(`unknown command: config ${sub}\n\n${CONFIG_HELP}`);
        return 2;
      }
      // Loaded only for `config`: the configuration code (presets, validators) weighs on start-up.
      const { configExplain, configValidate } = await import('./commands/config.js');
      result = sub === 'validate' ? configValidate(env) : configExplain(env);
      break;
    }
    case 'top': {
      const intervalMs = parseInterval((values.interval as string | undefined) ?? DEFAULT_TOP_INTERVAL);
      const once = values.once === true;
      return top(
        targetOf(values, env),
        { intervalMs, once, json },
        { write: out, isTTY: context.isTTY === true, signal: once ? undefined : context.interrupted?.() },
      );
    }
    default:
      result = await remoteCommand(name, positionals, values, targetOf(values, env));
  }
  if (result.text !== '') out(json ? JSON.stringify(result.json, null, 2) : result.text);
  else if (json) out(JSON.stringify(result.json, null, 2));
  if (!json && result.note) err(result.note);
  return result.exitCode;
}

function remoteCommand(
  name: string,
  positionals: string[],
  values: Values,
  target: RemoteTarget,
): Promise<CommandResult> {
  switch (name) {
    case 'status':
      return status(target);
    case 'metrics':
      return metrics(target, values.prometheus === true);
    case 'keys':
      return keys(target, positionals[0] ?? '', limitOf(values.limit as string | undefined));
    case 'inspect': {
      const key = positionals[0] as string;
      if (key === '') throw new UsageError('the key must not be empty');
      return inspect(target, key, values.value === true);
    }
    case 'invalidate':
      return invalidation(positionals[0], values, target);
    default:
      return health(target);
  }
}

/** `--limit`: a whole number from 1 to the service's bound. */
function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_KEYS_LIMIT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_KEYS_LIMIT)
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_KEYS_LIMIT}, got '${text}'`);
  return limit;
}

/**
 * `invalidate` by pattern, by tags, or everything. The service reads a missing or empty pattern as every
 * key of the cache; the CLI sends one only for an explicit --all, so an unset shell variable
 * (`tiercache invalidate "$PATTERN"`) cannot wipe the cache.
 */
function invalidation(
  pattern: string | undefined,
  values: Values,
  target: RemoteTarget,
): Promise<CommandResult> {
  const all = values.all === true;
  const dryRun = values['dry-run'] === true;
  const context = values.context as string | undefined;
  const tagged = values.tag as string[] | undefined;
  if (tagged !== undefined) {
    if (pattern !== undefined || all)
      throw new UsageError('--tag invalidates by tags: give no pattern and no --all with it');
    if (dryRun || context !== undefined)
      throw new UsageError('--dry-run and --context are not available with --tag');
    const tags = tagged.flatMap((t) => t.split(',')).map((t) => t.trim());
    if (tags.length === 0 || tags.some((t) => t === ''))
      throw new UsageError(`--tag needs tag names (comma-separated, none empty), got '${tagged.join(',')}'`);
    return invalidateTags(target, tags);
  }
  if (all) {
    if (pattern !== undefined && pattern !== '')
      throw new UsageError(`give a pattern or --all, not both (got '${pattern}' and --all)`);
    return invalidate(target, '', dryRun, context);
  }
  if (pattern === undefined || pattern === '')
    throw new UsageError(
      `${pattern === undefined ? 'no pattern given' : "empty pattern ''"}: the service reads a missing or empty pattern as EVERY key of the cache.\n` +
        "Pass --all to invalidate every key (try --all --dry-run first), or give a pattern such as 'user:*'.",
    );
  return invalidate(target, pattern, dryRun, context);
}

function targetOf(values: Values, env: NodeJS.ProcessEnv): RemoteTarget {
  const url = (values.url as string | undefined) ?? env.TIERCACHE_URL ?? 'http://127.0.0.1:8000';
  if (!/^https?:\/\/[^/]+/.test(url)) throw new RangeError(`--url must be an http(s) URL, got '${url}'`);
  return { url, apiKey: (values['api-key'] as string | undefined) ?? env.API_KEY, timeoutMs: 10_000 };
}
