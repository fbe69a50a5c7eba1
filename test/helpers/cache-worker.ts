// A GenericRedisCache in a child process, driven over IPC by test/helpers/workers.ts.
import { silentLogger } from '../../src/core/logger.js';
import type { BusEvent } from '../../src/core/events.js';
import type { GetOrSetOptions } from '../../src/core/types.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { hashingEmbedder } from '../../src/ai/semantic/hashing-embedder.js';

/** What the factory of a worker's getOrSet does: count its call in Redis, then answer (or hang). */
export interface WorkerFactory {
  counterKey: string;
  value: unknown;
  delayMs?: number;
  hang?: boolean;
  /** Runs until this Redis key exists (the test sets it once it has done what must happen meanwhile). */
  releaseKey?: string;
}

interface Request {
  id: number;
  op: string;
  args: unknown[];
}

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const cache = new GenericRedisCache({ commandTimeout: '5s', ...options, logger: silentLogger });
const ai = new AIResponseCache({ cache });
const semantic = new AIResponseCache({ cache, semantic: { embed: hashingEmbedder() } });
const busEvents: (BusEvent & { receivedAt: number })[] = [];
cache.on('bus', (event) => busEvents.push({ ...event, receivedAt: Date.now() }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function getOrSet(key: string, factory: WorkerFactory, getOrSetOptions?: GetOrSetOptions): Promise<unknown> {
  return cache.getOrSet(
    key,
    async () => {
      await cache.client.incr(factory.counterKey);
      if (factory.hang) await new Promise(() => undefined);
      if (factory.releaseKey) await released(factory.releaseKey);
      await sleep(factory.delayMs ?? 0);
      return factory.value;
    },
    getOrSetOptions,
  );
}

/** Waits until the test sets `key`; fails (rather than polls forever) when a test never does. */
async function released(key: string): Promise<void> {
  for (const giveUp = Date.now() + 20_000; (await cache.client.exists(key)) === 0; await sleep(5))
    if (Date.now() > giveUp) throw new Error(`release key ${key} was never set`);
}

/** An AI compute that counts its call in Redis, then answers after `delayMs`. */
async function aiGetOrCompute(text: string, factory: WorkerFactory): Promise<unknown> {
  return ai.getOrCompute({ operation: 'summarize', text }, async () => {
    await cache.client.incr(factory.counterKey);
    await sleep(factory.delayMs ?? 0);
    return factory.value;
  });
}

/** A semantic AI lookup: the result with where it came from (`source`, `matchedKey`). */
function aiSemantic(text: string, factory: WorkerFactory): Promise<unknown> {
  return semantic.getOrComputeResult({ operation: 'qa', text }, async () => {
    await cache.client.incr(factory.counterKey);
    return factory.value;
  });
}

const handlers: Record<string, (...args: never[]) => Promise<unknown>> = {
  get: (key: string) => cache.get(key),
  set: (key: string, value: unknown, options?: { ttl?: number; tags?: string[] }) =>
    cache.set(key, value, options),
  delete: (key: string) => cache.delete(key),
  invalidatePattern: (pattern: string) => cache.invalidatePattern(pattern),
  invalidateTags: (tags: string[]) => cache.invalidateTags(tags),
  clear: () => cache.clear(),
  stats: () => cache.getStats(),
  coherence: async () => cache.coherenceStatus,
  inspect: (key: string) => cache.inspect(key),
  aiGetOrCompute,
  aiSemantic,
  aiInvalidateOperation: (operation: string) => semantic.invalidateByOperation(operation),
  aiGetOrComputeMany: (count: number, text: string, factory: WorkerFactory) =>
    Promise.all(Array.from({ length: count }, () => aiGetOrCompute(text, factory))),
  busEvents: async () => busEvents.splice(0),
  getOrSet,
  getOrSetMany: (count: number, key: string, factory: WorkerFactory, o?: GetOrSetOptions) =>
    Promise.all(Array.from({ length: count }, () => getOrSet(key, factory, o))),
};

process.on('message', (request: Request) => {
  const handler = handlers[request.op];
  const reply = (message: object): void => void process.send?.({ id: request.id, ...message });
  if (!handler) return reply({ error: `unknown op ${request.op}` });
  handler(...(request.args as never[])).then(
    (result) => reply({ result: result === undefined ? { undefined: true } : { value: result } }),
    (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
  );
});

void cache.connect().then(() => process.send?.({ ready: true }));
