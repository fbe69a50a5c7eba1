import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GenericRedisCacheOptions } from '../../src/redis/options.js';

const WORKER = fileURLToPath(new URL('./cache-worker.ts', import.meta.url));

interface Reply {
  id?: number;
  ready?: boolean;
  result?: { value?: unknown; undefined?: true };
  error?: string;
}

/** A GenericRedisCache running in its own process. */
export interface CacheWorker {
  process: ChildProcess;
  call<T = unknown>(op: string, ...args: unknown[]): Promise<T>;
  /** SIGKILL, as a crash would. */
  kill(): void;
  stop(): Promise<void>;
}

/** Forks a worker process holding a GenericRedisCache built from `options` and waits until it is connected. */
export async function startCacheWorker(
  options: Omit<GenericRedisCacheOptions, 'logger' | 'clock' | 'redisClient' | 'random'>,
): Promise<CacheWorker> {
  const child = fork(WORKER, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`cache worker exited early (code ${code})`)));
    child.on('message', (reply: Reply) => {
      if (reply.ready) return resolve();
      const waiter = pending.get(reply.id as number);
      if (!waiter) return;
      pending.delete(reply.id as number);
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.result?.undefined ? undefined : reply.result?.value);
    });
  });
  await ready;
  child.removeAllListeners('exit');
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('cache worker exited'));
    pending.clear();
  });
  return {
    process: child,
    call: <T>(op: string, ...args: unknown[]) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      }),
    kill: () => child.kill('SIGKILL'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
