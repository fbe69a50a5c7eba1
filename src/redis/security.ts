import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Redis } from 'ioredis';
import { ConfigurationError, ValidationError } from '../core/errors.js';

/** How to authenticate to Redis and protect the connection. */
export interface RedisSecurityOptions {
  /** Redis password (AUTH). */
  password?: string;
  /** ACL user name (AUTH username password). */
  username?: string;
  tls?: {
    /** Use TLS even with a redis:// URL (rediss:// always does). @default false */
    enabled?: boolean;
    /** PEM file of the CA that signed the server certificate. */
    caPath?: string;
    /** PEM client certificate and key, for servers that ask for them. */
    certPath?: string;
    keyPath?: string;
    /** Check the server certificate and host name. @default true */
    verifyCertificates?: boolean;
    /** @default 'TLSv1.2' */
    minVersion?: 'TLSv1.2' | 'TLSv1.3';
  };
}

/** What is in force, without any secret (for status pages and `getSecurityStatus()`). */
export interface SecurityStatus {
  tlsEnabled: boolean;
  certificatesVerified: boolean;
  authenticated: boolean;
  aclUser: string | undefined;
  encryptionEnabled: boolean;
  /** Ids of the encryption keys (first encrypts). */
  encryptionKeyIds: number[];
}

export interface ResolvedSecurity {
  password: string | undefined;
  username: string | undefined;
  tls: ConnectionOptions | undefined;
  status: Omit<SecurityStatus, 'encryptionEnabled' | 'encryptionKeyIds'>;
}

/** Reads certificate files and settles the connection's security from options and the topology (URL). */
export function resolveSecurity(
  options: RedisSecurityOptions | undefined,
  topology: { tls: boolean; username: string | undefined; password: string | undefined },
): ResolvedSecurity {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ValidationError('security must be an object { password?, username?, tls? }', {
      option: 'security',
    });
  }
  const tlsOptions = options?.tls ?? {};
  const tlsEnabled = topology.tls || tlsOptions.enabled === true;
  const verify = tlsOptions.verifyCertificates ?? true;
  const read = (name: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigurationError(`${name} file not found or unreadable: ${path}`, {
        option: name,
        cause: error,
      });
    }
  };
  const ca = read('tls.caPath', tlsOptions.caPath);
  const cert = read('tls.certPath', tlsOptions.certPath);
  const key = read('tls.keyPath', tlsOptions.keyPath);
  const tls: ConnectionOptions | undefined = tlsEnabled
    ? {
        rejectUnauthorized: verify,
        minVersion: tlsOptions.minVersion ?? 'TLSv1.2',
        ...(ca && { ca }),
        ...(cert && { cert }),
        ...(key && { key }),
      }
    : undefined;
  const password = options?.password ?? topology.password;
  const username = options?.username ?? topology.username;
  return resolved(password, username, tls);
}

function resolved(
  password: string | undefined,
  username: string | undefined,
  tls: ConnectionOptions | undefined,
): ResolvedSecurity {
  const tlsEnabled = tls !== undefined;
  return {
    password,
    username,
    tls,
    status: {
      tlsEnabled,
      certificatesVerified: tlsEnabled && tls.rejectUnauthorized !== false,
      authenticated: password !== undefined,
      aclUser: username,
    },
  };
}

/** What an adopted client was configured with. */
export function securityOfClient(client: Redis): ResolvedSecurity {
  const { tls, password, username } = client.options;
  return resolved(password, username, tls);
}
