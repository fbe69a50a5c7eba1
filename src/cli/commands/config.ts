import { resolveConfig } from '../../config/resolve-config.js';
import { flattenConfig, redactConfig } from '../../config/redact.js';
import { validateConfig } from '../../config/validator.js';
import type { Env } from '../../config/env.js';
import { table, type CommandResult } from '../output.js';

/** `tiercache config validate`: errors, warnings and recommendations; exit 1 when invalid. */
export function configValidate(env: Env): CommandResult {
  const { config } = resolveConfig({ env });
  const result = validateConfig(config);
  const section = (title: string, items: string[]) =>
    items.length === 0 ? [] : [`${title}:`, ...items.map((i) => `  - ${i}`)];
  const text = [
    `configuration (preset ${config.preset}) is ${result.isValid ? 'valid' : 'INVALID'}`,
    ...section('errors', result.errors),
    ...section('warnings', result.warnings),
    ...section('recommendations', result.recommendations),
  ].join('\n');
  return { exitCode: result.isValid ? 0 : 1, text, json: result };
}

/** `tiercache config explain`: every effective value with its source. */
export function configExplain(env: Env): CommandResult {
  const { config, sources } = resolveConfig({ env });
  const safe = redactConfig(config);
  const rows = flattenConfig(safe).map(([path, value]) => [
    path,
    value,
    sources[path] ?? sourceOfParent(sources, path),
  ]);
  return {
    exitCode: 0,
    text: `effective cache configuration (preset ${config.preset})\n${table(['setting', 'value', 'source'], rows)}`,
    json: { config: safe, sources },
  };
}

function sourceOfParent(sources: Record<string, string>, path: string): string {
  const parent = path.split('.')[0] ?? path;
  return sources[parent] ?? 'default';
}
