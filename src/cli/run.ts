import { parseArgs } from 'node:util';
import { TierCacheError } from '../core/errors.js';
import { CONFIG_HELP, configExplain, configValidate } from './commands/config.js';
import { randomBytes } from 'node:crypto';
import type { CommandResult } from './output.js';

/** A fresh 256-bit key in base64 (the format REDIS_ENCRYPTION_KEY takes). */
export const generateKey = (): string => randomBytes(32).toString('base64');

const HELP = `usage: tiercache <command> [options]

commands:
  config validate   check the configuration from the environment (exit 0 valid, 1 invalid)
  config explain    show the effective configuration and the source of each value
  keygen            print a new random encryption key (32 bytes, base64) for REDIS_ENCRYPTION_KEY

options:
  --json            machine-readable output
  --help            help for a command

exit codes: 0 ok, 1 a check failed, 2 usage error`;

/** Runs the CLI and returns the exit code (separate from process handling for clarity). */
export function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [command, sub, ...rest] = parsed.positionals;
  if (parsed.values.help || command === 'help') {
    out(command === 'config' ? CONFIG_HELP : HELP);
    return 0;
  }
  if (command === 'keygen' && sub === undefined) {
    const key = generateKey();
    out(parsed.values.json ? JSON.stringify({ key }) : key);
    return 0;
  }
  if (command !== 'config' || (sub !== 'validate' && sub !== 'explain') || rest.length > 0) {
    err(
      `${command === undefined ? 'no command given' : `unknown command: ${parsed.positionals.join(' ')}`}\n\n${command === 'config' ? CONFIG_HELP : HELP}`,
    );
    return 2;
  }
  let result: CommandResult;
  try {
    result = sub === 'validate' ? configValidate(env) : configExplain(env);
  } catch (error) {
    if (!(error instanceof TierCacheError)) throw error;
    if (parsed.values.json) out(JSON.stringify({ isValid: false, errors: [error.message] }, null, 2));
    else err(`error: ${error.message}`);
    return 1;
  }
  out(parsed.values.json ? JSON.stringify(result.json, null, 2) : result.text);
  return result.exitCode;
}
