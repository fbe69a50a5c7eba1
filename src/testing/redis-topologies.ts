import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import {
  findRedisServerBinary,
  getFreePort,
  spawnUntilReady,
  startRedisServer,
  type RedisServer,
} from './redis-server.js';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it holds, or throws after `timeoutMs` with `what`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function ask<T>(port: number, command: (client: Redis) => Promise<T>, password?: string): Promise<T> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(password !== undefined && { password }),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await command(client);
  } finally {
    client.disconnect();
  }
}

export interface RedisClusterOptions {
  /** @default 3 (the minimum Redis Cluster accepts) */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long before a silent master is failed over. @default 1000 */
  nodeTimeoutMs?: number;
  /** `requirepass` and `masterauth` on every node (the URL then carries it). */
  password?: string;
}

/** A private Redis Cluster of redis-server processes on free ports. */
export interface RedisCluster {
  /** `redis+cluster://127.0.0.1:<port>,...` (every node as a seed). */
  readonly url: string;
  readonly nodes: readonly RedisServer[];
  /** The node that serves `key`'s slot as master now. */
  masterFor(key: string): Promise<RedisServer>;
  /** Waits until every live node reports `cluster_state:ok` (e.g. after a failover). */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster: `masters × (1 + replicasPerMaster)` redis-server processes with
 * `--cluster-enabled yes`, joined by `redis-cli --cluster create`. Small on purpose (the 2-core CI
 * machine runs it): share one per test file.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodeTimeout = options.nodeTimeoutMs ?? 1000;
  const { password } = options;
  const askNode = <T>(port: number, command: (client: Redis) => Promise<T>): Promise<T> =>
    ask(port, command, password);
  const args = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(nodeTimeout),
    ...(password === undefined ? [] : ['--masterauth', password]),
  ];
  const nodes = await Promise.all(
    Array.from({ length: masters * (1 + replicas) }, () =>
      startRedisServer({ args, ...(password !== undefined && { password }) }),
    ),
  );
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const cluster: RedisCluster = {
    url: `redis+cluster://${auth}${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    nodes,
    async masterFor(key) {
      const live = nodes.find((n) => n.pid !== undefined) as RedisServer;
      const slot = await askNode(live.port, (c) => c.call('CLUSTER', 'KEYSLOT', key) as Promise<number>);
      const ranges = await askNode(
        live.port,
        (c) => c.call('CLUSTER', 'SLOTS') as Promise<[number, number, [string, number]][]>,
      );
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
      const port = owner?.[2][1];
      const server = nodes.find((n) => n.port === port);
      if (!server) throw new Error(`no node serves slot ${slot}`);
      return server;
    },
    async waitUntilHealthy(timeoutMs = 20_000) {
      await waitFor(
        'cluster_state:ok on every live node',
        async () => {
          const live = nodes.filter((n) => n.pid !== undefined);
          const states = await Promise.all(
            live.map((n) => askNode(n.port, (c) => c.call('CLUSTER', 'INFO') as Promise<string>)),
          );
          return states.every((info) => info.includes('cluster_state:ok'));
        },
        timeoutMs,
      );
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  try {
    const cli = findRedisCli();
    await run(cli, [
      '--cluster',
      'create',
      ...nodes.map((n) => `${n.host}:${n.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
      ...(password === undefined ? [] : ['-a', password, '--no-auth-warning']),
    ]);
    await cluster.waitUntilHealthy();
    // Replicas must have synced before a test kills a master, or there is nobody to promote.
    await waitFor(
      'every replica linked to its master',
      async () => {
        const roles = await Promise.all(nodes.map((n) => askNode(n.port, (c) => c.info('replication'))));
        return roles.filter((r) => r.includes('master_link_status:up')).length === masters * replicas;
      },
      20_000,
    );
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export interface RedisSentinelOptions {
  /** Replicas of the master. @default 1 */
  replicas?: number;
  /** Sentinel processes (a quorum of a majority). @default 3 */
  sentinels?: number;
  /** `down-after-milliseconds`. @default 1000 */
  downAfterMs?: number;
}

/** A private master + replicas watched by Sentinels. */
export interface RedisSentinelSetup {
  /** `redis+sentinel://127.0.0.1:<port>,.../<name>` */
  readonly url: string;
  /** The master name the sentinels monitor. */
  readonly name: string;
  /** The data nodes: the initial master first. */
  readonly servers: readonly RedisServer[];
  readonly sentinelPorts: readonly number[];
  /** The data node that is master now, as the sentinels see it. */
  currentMaster(): Promise<RedisServer>;
  stop(): Promise<void>;
}

/** Starts a master, its replicas and Sentinels on free ports (`redis-server --sentinel`). */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
  const binary = findRedisServerBinary();
  if (!binary)
    throw new Error('redis-server was not found on PATH; install it (apt-get install redis-server)');
  const name = 'tiercache';
  const master = await startRedisServer();
  const servers: RedisServer[] = [master];
  const sentinels: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tiercache-sentinel-'));
  const ports: number[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      sentinels.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.exitCode !== null || s.signalCode !== null) return resolve();
            s.once('exit', () => resolve());
            s.kill('SIGTERM');
          }),
      ),
    );
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      servers.push(await startRedisServer({ args: ['--replicaof', master.host, String(master.port)] }));
    }
    await waitFor(
      'replicas linked to the master',
      async () =>
        (await ask(master.port, (c) => c.info('replication'))).includes(
          `connected_slaves:${servers.length - 1}`,
        ),
      20_000,
    );
    for (let i = 0; i < (options.sentinels ?? 3); i++) {
      const port = await getFreePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} ${master.host} ${master.port} ${Math.floor((options.sentinels ?? 3) / 2) + 1}`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await spawnUntilReady(binary, [conf, '--sentinel'], 10_000, '+monitor master'));
      ports.push(port);
    }
    // Every sentinel must know the replicas and the other sentinels before a failover can be agreed.
    await waitFor(
      'sentinels to discover the replicas and each other',
      async () => {
        const views = await Promise.all(
          ports.map((p) => ask(p, (c) => c.call('SENTINEL', 'MASTER', name) as Promise<string[]>)),
        );
        return views.every((fields) => {
          const info = new Map<string, string>();
          for (let i = 0; i + 1 < fields.length; i += 2)
            info.set(fields[i] as string, fields[i + 1] as string);
          return (
            Number(info.get('num-slaves')) === servers.length - 1 &&
            Number(info.get('num-other-sentinels')) === ports.length - 1
          );
        });
      },
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis+sentinel://${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${name}`,
    name,
    servers,
    sentinelPorts: ports,
    async currentMaster() {
      for (const port of ports) {
        const address = await ask(
          port,
          (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name) as Promise<[string, string]>,
        ).catch(() => undefined);
        const server = servers.find((s) => String(s.port) === address?.[1]);
        if (server) return server;
      }
      throw new Error('no sentinel could name the master');
    },
    stop,
  };
}

function findRedisCli(): string {
  const server = findRedisServerBinary();
  if (!server)
    throw new Error('redis-server was not found on PATH; install it (apt-get install redis-server)');
  return join(server, '..', 'redis-cli');
}
