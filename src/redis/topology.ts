import { ValidationError } from '../core/errors.js';

export interface HostPort {
  host: string;
  port: number;
}

interface Credentials {
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
}

/** Where Redis is: one server (URL), a Cluster (seed nodes) or a Sentinel-managed master. */
export type Topology =
  | ({ kind: 'standalone'; url: string } & Credentials)
  | ({ kind: 'cluster'; nodes: HostPort[] } & Credentials)
  | ({ kind: 'sentinel'; sentinels: HostPort[]; name: string; db: number } & Credentials);

/** Explicit topologies for code (the URL forms are `redis+cluster://` and `redis+sentinel://`). */
export interface ClusterOptions {
  /** Seed nodes: `'host:port'` strings or `{ host, port }`; the rest of the cluster is discovered. */
  nodes: (string | HostPort)[];
}
export interface SentinelOptions {
  /** Sentinels: `'host:port'` strings or `{ host, port }`. */
  sentinels: (string | HostPort)[];
  /** The master name the sentinels monitor. */
  name: string;
}

const FORMATS = {
  cluster: 'redis+cluster://[user:password@]host:port,host:port (or rediss+cluster://)',
  sentinel: 'redis+sentinel://[user:password@]host:port,host:port/masterName (or rediss+sentinel://)',
} as const;

const SCHEMES: Record<string, { kind: 'cluster' | 'sentinel'; tls: boolean }> = {
  'redis+cluster:': { kind: 'cluster', tls: false },
  'rediss+cluster:': { kind: 'cluster', tls: true },
  'redis+sentinel:': { kind: 'sentinel', tls: false },
  'rediss+sentinel:': { kind: 'sentinel', tls: true },
};

/** True for the multi-node URL schemes. */
export function isTopologyUrl(url: string): boolean {
  const colon = url.indexOf(':');
  return colon > 0 && SCHEMES[url.slice(0, colon + 1)] !== undefined;
}

/** Parses a `redis+cluster://` or `redis+sentinel://` URL, or returns the problem with the expected format. */
export function parseTopologyUrl(url: string): Topology | string {
  const colon = url.indexOf(':');
  const scheme = SCHEMES[url.slice(0, colon + 1)];
  if (!scheme) return 'redisUrl must start with redis://, rediss://, redis+cluster:// or redis+sentinel://';
  const format = FORMATS[scheme.kind];
  const rest = url.slice(colon + 1);
  if (!rest.startsWith('//')) return `redisUrl must look like ${format}`;
  let body = rest.slice(2);
  let username: string | undefined;
  let password: string | undefined;
  const at = body.lastIndexOf('@');
  if (at >= 0) {
    const userInfo = body.slice(0, at);
    body = body.slice(at + 1);
    const sep = userInfo.indexOf(':');
    const user = decodeURIComponent(sep >= 0 ? userInfo.slice(0, sep) : userInfo);
    username = user === '' ? undefined : user;
    password = sep >= 0 ? decodeURIComponent(userInfo.slice(sep + 1)) : undefined;
  }
  const slash = body.indexOf('/');
  const hostList = slash >= 0 ? body.slice(0, slash) : body;
  const path = slash >= 0 ? body.slice(slash + 1) : '';
  const hosts = parseHostList(hostList.split(','));
  if (typeof hosts === 'string') return `redisUrl ${hosts}; expected ${format}`;
  const credentials = { tls: scheme.tls, username, password };
  if (scheme.kind === 'cluster') {
    if (path !== '')
      return `redisUrl of a cluster takes no path (clusters have database 0 only); expected ${format}`;
    return { kind: 'cluster', nodes: hosts, ...credentials };
  }
  const [name = '', db = '0', ...extra] = path.split('/');
  if (name === '') return `redisUrl is missing the master name; expected ${format}`;
  if (extra.length > 0 || !/^\d+$/.test(db))
    return `redisUrl path must be /masterName or /masterName/db; expected ${format}`;
  return {
    kind: 'sentinel',
    sentinels: hosts,
    name: decodeURIComponent(name),
    db: Number(db),
    ...credentials,
  };
}

/** Checks the explicit `cluster` / `sentinel` options; returns the hosts or a problem. */
export function parseHostList(entries: unknown): HostPort[] | string {
  if (!Array.isArray(entries) || entries.length === 0) return 'must list at least one host:port';
  const hosts: HostPort[] = [];
  for (const entry of entries as unknown[]) {
    let host: unknown;
    let port: unknown;
    if (typeof entry === 'string') {
      const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(entry.trim());
      if (!match) return `has a malformed host '${entry}' (host:port expected)`;
      [, host, port] = match;
      port = Number(port);
    } else if (typeof entry === 'object' && entry !== null) {
      ({ host, port } = entry as HostPort);
    }
    if (typeof host !== 'string' || host === '') return 'has an entry without a host';
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      return `has a bad port for ${host} (1-65535)`;
    }
    hosts.push({ host, port });
  }
  return hosts;
}

/** Resolves the explicit options into a topology, or throws `ValidationError` naming the option. */
export function topologyFromOptions(
  cluster: ClusterOptions | undefined,
  sentinel: SentinelOptions | undefined,
  tls: boolean,
): Topology | undefined {
  if (cluster !== undefined && sentinel !== undefined) {
    throw new ValidationError('cluster and sentinel cannot both be set', { option: 'cluster' });
  }
  const credentials = { tls, username: undefined, password: undefined };
  if (cluster !== undefined) {
    const nodes = parseHostList((cluster as { nodes?: unknown } | null)?.nodes);
    if (typeof nodes === 'string') {
      throw new ValidationError(`cluster.nodes ${nodes}; expected { nodes: ['host:port', ...] }`, {
        option: 'cluster.nodes',
      });
    }
    return { kind: 'cluster', nodes, ...credentials };
  }
  if (sentinel !== undefined) {
    const sentinels = parseHostList((sentinel as { sentinels?: unknown } | null)?.sentinels);
    if (typeof sentinels === 'string') {
      throw new ValidationError(
        `sentinel.sentinels ${sentinels}; expected { sentinels: ['host:port', ...], name }`,
        {
          option: 'sentinel.sentinels',
        },
      );
    }
    const name = (sentinel as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') {
      throw new ValidationError('sentinel.name must be the master name the sentinels monitor', {
        option: 'sentinel.name',
      });
    }
    return { kind: 'sentinel', sentinels, name, db: 0, ...credentials };
  }
  return undefined;
}
