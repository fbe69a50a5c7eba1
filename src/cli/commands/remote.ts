import { table, type CommandResult } from '../output.js';

/** Where a running service is, and the key to send. */
export interface RemoteTarget {
  url: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

export const REMOTE_OPTIONS_HELP = `  --url <url>        the service (default: TIERCACHE_URL, else http://127.0.0.1:8000)
  --api-key <key>    API key (default: API_KEY); sent as Authorization: Bearer
  --json             machine-readable output`;

/** A failure to talk to the service (unreachable, refused): one line for stderr, exit 1. */
export class RemoteError extends Error {}

interface Reply {
  status: number;
  body: unknown;
  text: string;
}

async function call(target: RemoteTarget, method: 'GET' | 'POST', path: string): Promise<Reply> {
  let response: Response;
  const url = new URL(path, target.url.endsWith('/') ? target.url : `${target.url}/`);
  try {
    response = await fetch(url, {
      method,
      headers: target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {},
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new RemoteError(`cannot reach ${url.origin}: ${reason}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 401 || response.status === 403) {
    throw new RemoteError(`${url.pathname}: ${messageOf(body) ?? 'unauthorized'} (use --api-key or API_KEY)`);
  }
  return { status: response.status, body, text };
}

function messageOf(body: unknown): string | undefined {
  const detail = (body as { detail?: { message?: unknown } } | undefined)?.detail;
  return typeof detail?.message === 'string' ? detail.message : undefined;
}

function expectOk(reply: Reply, path: string): Record<string, unknown> {
  if (reply.status >= 400 || typeof reply.body !== 'object' || reply.body === null) {
    throw new RemoteError(
      `${path}: HTTP ${reply.status} ${messageOf(reply.body) ?? reply.text.slice(0, 200)}`,
    );
  }
  return reply.body as Record<string, unknown>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
function str(v: unknown): string {
  if (v === undefined || v === null) return '–';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** `tiercache health`: exit 0 when healthy, 1 when degraded or unhealthy. */
export async function health(target: RemoteTarget): Promise<CommandResult> {
  const reply = await call(target, 'GET', 'health');
  const body = obj(reply.body);
  if (reply.status !== 200 && reply.status !== 503) expectOk(reply, '/health');
  const cache = obj(body.cache);
  const healthy = body.status === 'healthy';
  const text = table(
    ['status', 'cache', 'redis', 'breaker', 'L1 entries', 'version'],
    [
      [
        str(body.status),
        str(cache.type),
        str(cache.redis),
        str(cache.breaker),
        str(cache.l1_entries),
        str(body.version),
      ],
    ],
  );
  return { exitCode: healthy ? 0 : 1, text, json: body };
}

/** `tiercache status`: Redis, L1 and hit figures. */
export async function status(target: RemoteTarget): Promise<CommandResult> {
  const body = expectOk(await call(target, 'GET', 'internal/cache/status'), '/internal/cache/status');
  const redis = obj(body.redis);
  const memory = obj(body.memory);
  const performance = obj(body.performance);
  const rows = [
    ['cache type', str(performance.cache_type)],
    ['redis', `${str(redis.status)} (${str(redis.keys)} keys, ${str(redis.memory_used)})`],
    ['L1', `${str(memory.entries)} / ${str(memory.max_size)} entries (${str(memory.utilization_percent)}%)`],
    ['hit rate', `${str(performance.hit_rate)}% of ${str(performance.total_operations)} gets`],
  ];
  const ai = body.ai_metrics === undefined ? undefined : obj(body.ai_metrics);
  if (ai) rows.push(['AI hit rate', `${str(ai.hit_rate)}% (time saved ${str(ai.time_saved_ms)} ms)`]);
  return { exitCode: 0, text: table(['', ''], rows).split('\n').slice(2).join('\n'), json: body };
}

/** `tiercache metrics [--prometheus]`. */
export async function metrics(target: RemoteTarget, prometheus: boolean): Promise<CommandResult> {
  if (prometheus) {
    const reply = await call(target, 'GET', 'internal/cache/metrics/prometheus');
    if (reply.status >= 400) expectOk(reply, '/internal/cache/metrics/prometheus');
    return { exitCode: 0, text: reply.text.trimEnd(), json: { prometheus: reply.text } };
  }
  const body = expectOk(await call(target, 'GET', 'internal/cache/metrics'), '/internal/cache/metrics');
  const ops = obj(body.cache_operations);
  const byOperation = Object.entries(obj(ops.by_operation)).map(([name, s]) => {
    const stats = obj(s);
    return [name, str(stats.count), ms(stats.p50_ms), ms(stats.p95_ms), ms(stats.p99_ms)];
  });
  const header = `hit rate ${str(body.cache_hit_rate)}% over ${str(body.total_cache_operations)} operations`;
  const text = [header, table(['operation', 'count', 'p50', 'p95', 'p99'], byOperation)].join('\n');
  return { exitCode: 0, text, json: body };
}

const ms = (v: unknown): string => (typeof v === 'number' ? `${v.toFixed(3)} ms` : '–');

/** `tiercache invalidate <pattern> [--dry-run] [--context <text>]`. */
export async function invalidate(
  target: RemoteTarget,
  pattern: string,
  dryRun: boolean,
  context: string | undefined,
): Promise<CommandResult> {
  const query = new URLSearchParams({ pattern });
  if (dryRun) query.set('dry_run', 'true');
  if (context) query.set('operation_context', context);
  const reply = await call(target, 'POST', `internal/cache/invalidate?${query.toString()}`);
  const body = expectOk(reply, '/internal/cache/invalidate');
  const text = dryRun
    ? `${str(body.keys_invalidated)} keys match '${pattern}' (dry run: nothing removed)`
    : `invalidated ${str(body.keys_invalidated)} keys matching '${pattern}'`;
  return { exitCode: 0, text, json: body };
}
