import { topologyOfUrl } from '../redis/connection.js';
import { PRODUCTION_PRESETS, type CacheConfig } from './config-schema.js';

/** True for production presets or NODE_ENV/ENVIRONMENT=production. */
export function isProduction(config: Pick<CacheConfig, 'preset' | 'environment'>): boolean {
  return PRODUCTION_PRESETS.includes(config.preset) || config.environment === 'production';
}

/** Whether the config's Redis connection uses TLS, a password and encryption at rest. */
export function securityInForce(config: CacheConfig): {
  tls: boolean;
  password: boolean;
  encryption: boolean;
} {
  let urlPassword = false;
  let urlTls = false;
  try {
    const topology = topologyOfUrl(config.redisUrl ?? '');
    urlPassword = (topology.password ?? '') !== '';
    urlTls = topology.tls;
  } catch {
    // no URL or an invalid one: reported by the validator
  }
  return {
    tls: urlTls || config.security.tlsEnabled,
    password: urlPassword || (config.security.password ?? '') !== '',
    encryption: (config.security.encryptionKeys?.length ?? 0) > 0,
  };
}

/**
 * SPEC §7's fail-fast rule: in production, a Redis cache needs TLS, a password and an encryption key.
 * Returns one message per missing piece, saying how to supply it.
 */
export function missingProductionSecurity(config: CacheConfig): string[] {
  if (!config.redisUrl || config.preset === 'disabled' || !isProduction(config)) return [];
  const inForce = securityInForce(config);
  const missing: string[] = [];
  if (!inForce.tls)
    missing.push(
      'TLS is off: use a rediss:// URL or set REDIS_TLS_ENABLED=true (with REDIS_TLS_CA_PATH for a private CA)',
    );
  if (!inForce.password)
    missing.push(
      'no Redis password: set REDIS_PASSWORD (and REDIS_ACL_USERNAME for an ACL user) or put them in the URL',
    );
  if (!inForce.encryption)
    missing.push('no encryption key: set REDIS_ENCRYPTION_KEY (generate one with `tiercache keygen`)');
  return missing;
}
