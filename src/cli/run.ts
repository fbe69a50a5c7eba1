import { randomBytes } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TierCacheError } from '../core/errors.js';
import { CONFIG_HELP, configExplain, configValidate } from './commands/config.js';
import {
  REMOTE_OPTIONS_HELP,
  RemoteError,
  health,
  invalidate,
  metrics,
  status,
  type RemoteTarget,
} from './commands/remote.js';
import type { CommandResult } from './output.js';

/** A fresh 256-bit key in base64 (the format REDIS_ENCRYPTION_KEY takes). */
export const generateKey = (): string => randomBytes(32).toString('base64');

const HELP = `usage: tiercache <command> [options]

commands:
  serve                      run the cache service (same as npm start)
  status                     Redis, L1 and hit figures of a running service
  metrics [--prometheus]     performance metrics (JSON figures, or the Prometheus text)
  invalidate <pattern>       remove keys matching a pattern (--dry-run counts them only)
  health                     health of a running service (exit 1 when degraded)
  config validate|explain    check or explain the configuration from the environment
  keygen                     print a new random encryption key (32 bytes, base64)

options:
  --json                     machine-readable output
  --help                     help for a command

exit codes: 0 ok, 1 a check failed or the service could not be reached, 2 usage error`;

const REMOTE = { url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean' } } as const;

interface Command {
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: [min: number, max: number];
}

const COMMANDS: Record<string, Command> = {
  serve: {
    help: `usage: tiercache serve [--host <host>] [--port <port>]

Runs the cache management service with the cache the environment describes (CACHE_PRESET, CACHE_REDIS_URL,
API_KEY ...; see docs/configuration.md). Defaults: HOST or 127.0.0.1, PORT or 8000.`,
    options: { host: { type: 'string' }, port: { type: 'string' } },
    positionals: [0, 0],
  },
  status: {
    help: `usage: tiercache status [options]\n\n${REMOTE_OPTIONS_HELP}`,
    options: REMOTE,
    positionals: [0, 0],
  },
  metrics: {
    help: `usage: tiercache metrics [--prometheus] [options]\n\n  --prometheus       the Prometheus text exposition\n${REMOTE_OPTIONS_HELP}`,
    options: { ...REMOTE, prometheus: { type: 'boolean' } },
    positionals: [0, 0],
  },
  invalidate: {
    help: `usage: tiercache invalidate <pattern> [--dry-run] [--context <text>] [options]

  <pattern>          SPEC §9 pattern: 'user:*' (glob), 'user' (substring), '' is refused by the service
  --dry-run          count the matching keys, remove nothing
  --context <text>   recorded with the invalidation (e.g. a deploy id)
${REMOTE_OPTIONS_HELP}`,
    options: { ...REMOTE, 'dry-run': { type: 'boolean' }, context: { type: 'string' } },
    positionals: [1, 1],
  },
  health: {
    help: `usage: tiercache health [options]\n\nExit 0 when healthy, 1 when degraded, unhealthy or unreachable.\n\n${REMOTE_OPTIONS_HELP}`,
    options: REMOTE,
    positionals: [0, 0],
  },
  config: { help: CONFIG_HELP, options: { json: { type: 'boolean' } }, positionals: [1, 1] },
  keygen: {
    help: 'usage: tiercache keygen [--json]\n\nPrints a new random 32-byte key, base64, for REDIS_ENCRYPTION_KEY.',
    options: { json: { type: 'boolean' } },
    positionals: [0, 0],
  },
};

type Values = Record<string, string | boolean | undefined>;
type Out = (s: string) => void;

/** Runs the CLI and returns the exit code (separate from process handling for testing). */
export async function run(argv: string[], env: NodeJS.ProcessEnv, out: Out, err: Out): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      err(`no command given\n\n${HELP}`);
      return 2;
    }
    out(HELP);
    return 0;
  }
  const command = COMMANDS[name];
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
    return await execute(name, positionals, values, env, out, err);
  } catch (error) {
    if (error instanceof RemoteError || error instanceof TierCacheError) {
      if (values.json) out(JSON.stringify({ ok: false, error: error.message }, null, 2));
      else err(`error: ${error.message}`);
      return 1;
    }
    if (error instanceof RangeError) {
      err(`${error.message}\n\n${command.help}`);
      return 2;
    }
    throw error;
  }
}

async function execute(
  name: string,
  positionals: string[],
  values: Values,
  env: NodeJS.ProcessEnv,
  out: Out,
  err: Out,
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
      result = sub === 'validate' ? configValidate(env) : configExplain(env);
      break;
    }
    default:
      result = await remoteCommand(name, positionals, values, targetOf(values, env));
  }
  out(json ? JSON.stringify(result.json, null, 2) : result.text);
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
    case 'invalidate':
      return invalidate(
        target,
        positionals[0] as string,
        values['dry-run'] === true,
        values.context as string | undefined,
      );
    default:
      return health(target);
  }
}

function targetOf(values: Values, env: NodeJS.ProcessEnv): RemoteTarget {
  const url = (values.url as string | undefined) ?? env.TIERCACHE_URL ?? 'http://127.0.0.1:8000';
  if (!/^https?:\/\/[^/]+/.test(url)) throw new RangeError(`--url must be an http(s) URL, got '${url}'`);
  return { url, apiKey: (values['api-key'] as string | undefined) ?? env.API_KEY, timeoutMs: 10_000 };
}
