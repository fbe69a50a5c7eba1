import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/core/logger.js';
import { GenericRedisCache } from '../src/redis/generic-redis-cache.js';
import { startRedisServer } from '../src/testing/redis-server.js';

/**
 * `npm run chaos`: 50 workers read and write through two caches (two "instances") on a private
 * redis-server that is killed, frozen (SIGSTOP) and slept (DEBUG SLEEP) on a schedule. A checker knows
 * each key's last acknowledged version and flags any read that answers an older one on the instance that
 * wrote it, or a value deleted there (resurrection). Prints exceptions, wrong values, latency against
 * `commandTimeout` + 50 ms, and how long each recovery took. Exit 1 when a correctness goal fails.
 * Loopback only; bounded by `--seconds`.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    workers: { type: 'string', default: '50' },
    'command-timeout': { type: 'string', default: '250' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const workers = Number(values.workers);
const commandTimeout = Number(values['command-timeout']);
const bound = commandTimeout + 50;
const KEYS = 200;

const server = await startRedisServer();
const make = (): GenericRedisCache =>
  new GenericRedisCache({
    redisUrl: server.url,
    keyPrefix: 'chaos:',
    commandTimeout,
    connectTimeout: 1000,
    logger: silentLogger,
  });
const instances = [make(), make()];
await Promise.all(instances.map((c) => c.connect()));

/**
 * Each worker owns its keys and uses one instance, so every key has one writer and its acknowledged
 * history is exact: after a write is acknowledged, a read must answer that version, a newer one or a miss;
 * after a delete is acknowledged, never an older version (that would be a resurrection).
 */
const acknowledged = new Map<number, { version: number; deleted: boolean }>();
let nextVersion = 1;
const latencies: number[] = [];
const overBound: { operation: string; ms: number }[] = [];
let calls = 0;
let exceptions = 0;
let wrong = 0;
let resurrected = 0;
const examples: string[] = [];

type Stored = { key: number; version: number };

function check(
  key: number,
  read: Stored | undefined,
  known: { version: number; deleted: boolean } | undefined,
): void {
  if (!known || read === undefined) return; // a miss is always allowed
  if (known.deleted && read.version < known.version) {
    resurrected++;
    if (examples.length < 5) examples.push(`resurrected key ${key}: v${read.version} after its delete`);
  } else if (!known.deleted && read.version < known.version) {
    wrong++;
    if (examples.length < 5)
      examples.push(`key ${key}: read v${read.version} after v${known.version} was acknowledged`);
  }
}

async function timed<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  calls++;
  try {
    return await call();
  } catch (error) {
    exceptions++;
    if (examples.length < 5) examples.push(`${operation} threw ${(error as Error).message}`);
    return undefined;
  } finally {
    const ms = performance.now() - started;
    latencies.push(ms);
    if (ms > bound) overBound.push({ operation, ms });
  }
}

async function worker(id: number, deadline: number): Promise<void> {
  const cache = instances[id % instances.length] as GenericRedisCache;
  const owned = Array.from({ length: KEYS / workers }, (_, i) => id + i * workers);
  while (performance.now() < deadline) {
    // L1 hits resolve without I/O: yield as a request handler would, or timers (faults, timeouts) starve.
    await new Promise((resolve) => setImmediate(resolve));
    const key = owned[Math.floor(Math.random() * owned.length)] as number;
    const roll = Math.random();
    const known = acknowledged.get(key);
    if (roll < 0.25) {
      const version = nextVersion++;
      await timed('set', () => cache.set(`k${key}`, { key, version }, 60));
      acknowledged.set(key, { version, deleted: false });
    } else if (roll < 0.3) {
      const version = nextVersion++;
      await timed('delete', () => cache.delete(`k${key}`));
      acknowledged.set(key, { version, deleted: true });
    } else if (roll < 0.4) {
      const read = await timed('getOrSet', () =>
        cache.getOrSet<Stored>(`k${key}`, () => ({ key, version: nextVersion++ }), { ttl: 60 }),
      );
      check(key, read, known);
      if (read && (!known || read.version > known.version))
        acknowledged.set(key, { version: read.version, deleted: false });
    } else {
      check(key, await timed('get', () => cache.get<Stored>(`k${key}`)), known);
    }
  }
}

/** Faults every 5 s: kill + restart, SIGSTOP for 1.5 s + SIGCONT, DEBUG SLEEP 1. */
const recoveries: { fault: string; ms: number }[] = [];
async function faults(deadline: number): Promise<void> {
  const admin = () => new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Back on Redis: a write through the first instance reaches the server. */
  const recovered = async (fault: string, from: number): Promise<void> => {
    for (;;) {
      const probe = `probe:${Math.random()}`;
      await instances[0]?.set(probe, 1, 5).catch(() => undefined);
      const raw = admin();
      const there = await raw
        .connect()
        .then(() => raw.exists(`chaos:${probe}`))
        .catch(() => 0);
      raw.disconnect();
      if (there === 1 || performance.now() > deadline + 10_000) {
        recoveries.push({ fault, ms: performance.now() - from });
        return;
      }
      await sleep(25);
    }
  };
  let round = 0;
  while (performance.now() + 5000 < deadline) {
    await sleep(3500);
    const fault = ['kill', 'stop', 'sleep'][round++ % 3] as string;
    if (fault === 'kill') {
      await server.kill();
      await sleep(1000);
      await server.restart();
      await recovered(fault, performance.now());
    } else if (fault === 'stop') {
      server.pause();
      await sleep(1500);
      server.resume();
      await recovered(fault, performance.now());
    } else {
      const raw = admin();
      await raw.connect();
      void raw.call('DEBUG', 'SLEEP', '1').catch(() => undefined);
      await sleep(1000);
      raw.disconnect();
      await recovered(fault, performance.now());
    }
  }
}

const deadline = performance.now() + seconds * 1000;
await Promise.all([faults(deadline), ...Array.from({ length: workers }, (_, id) => worker(id, deadline))]);
await Promise.all(instances.map((c) => c.close()));
await server.stop();

latencies.sort((a, b) => a - b);
const quantile = (q: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
const slowest = latencies[latencies.length - 1] ?? 0;
const byFault = (fault: string): number[] =>
  recoveries.filter((r) => r.fault === fault).map((r) => Math.round(r.ms));
const report = {
  seconds,
  workers,
  commandTimeoutMs: commandTimeout,
  calls,
  exceptions,
  wrong,
  resurrected,
  latencyMs: { p50: quantile(0.5), p99: quantile(0.99), p999: quantile(0.999), max: slowest },
  overBound: overBound.length,
  overBoundByOperation: Object.fromEntries(
    ['get', 'set', 'delete', 'getOrSet'].map((op) => [
      op,
      overBound.filter((o) => o.operation === op).length,
    ]),
  ),
  recoveryMs: { kill: byFault('kill'), stop: byFault('stop'), sleep: byFault('sleep') },
  examples,
};
const goals = [
  ['0 exceptions', exceptions === 0],
  ['0 wrong or resurrected values', wrong === 0 && resurrected === 0],
  [`0 calls over commandTimeout + 50 ms (${bound} ms)`, overBound.length === 0],
  ['back on Redis ≤ 1.5 s after each restart', byFault('kill').every((ms) => ms <= 1500)],
] as const;
if (values.json) console.log(JSON.stringify({ ...report, goals: Object.fromEntries(goals) }, null, 2));
else {
  console.log(`chaos: ${seconds} s, ${workers} workers, commandTimeout ${commandTimeout} ms, ${calls} calls`);
  console.log(`exceptions ${exceptions}, wrong ${wrong}, resurrected ${resurrected}`);
  const l = report.latencyMs;
  console.log(
    `latency ms: p50 ${l.p50.toFixed(2)}, p99 ${l.p99.toFixed(1)}, p99.9 ${l.p999.toFixed(1)}, max ${l.max.toFixed(1)}; over ${bound} ms: ${overBound.length} ${JSON.stringify(report.overBoundByOperation)}`,
  );
  console.log(`recovery ms: ${JSON.stringify(report.recoveryMs)}`);
  for (const example of examples) console.log(`  e.g. ${example}`);
  for (const [goal, met] of goals) console.log(`${met ? 'met    ' : 'NOT MET'}  ${goal}`);
}
// Correctness goals decide the exit code; latency and recovery are reported.
process.exit(exceptions === 0 && wrong === 0 && resurrected === 0 ? 0 : 1);
