import { CONFIG_KEYS, type CacheConfig } from './config-schema.js';

const HIDDEN = '***';

/** A copy of the config safe to print: passwords, encryption keys and URL credentials hidden. */
export function redactConfig(config: CacheConfig): CacheConfig {
  const { security } = config;
  return {
    ...config,
    ...(config.redisUrl !== undefined && { redisUrl: redactUrl(config.redisUrl) }),
    security: {
      ...security,
      ...(security.password !== undefined && { password: HIDDEN }),
      ...(security.encryptionKeys !== undefined && {
        encryptionKeys: security.encryptionKeys.map(() => HIDDEN),
      }),
    },
  };
}

/** Hides the password of a URL (`redis://user:***@host`). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = HIDDEN;
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, `//${HIDDEN}@`);
  }
}

/** Flattens a config into dotted paths and printable values. */
export function flattenConfig(config: CacheConfig): [string, string][] {
  const rows: [string, string][] = [];
  const visit = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && path.split('.').length < 2) {
      for (const [key, item] of Object.entries(value)) visit(item, path ? `${path}.${key}` : key);
    } else if (value !== undefined) {
      rows.push([path, typeof value === 'string' ? value : JSON.stringify(value)]);
    }
  };
  visit(config, '');
  const rank = (path: string) => CONFIG_KEYS.indexOf(path.split('.')[0] as (typeof CONFIG_KEYS)[number]);
  return rows.sort((a, b) => rank(a[0]) - rank(b[0]));
}
