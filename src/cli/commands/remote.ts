import { bytes, count, duration, percent, plural, rate, windowLabel } from '../format.js';
import { call, expectOk, failure, getJson, list, obj, str, type Json, type RemoteTarget } from '../http.js';
import { fields, table, type CommandResult } from '../output.js';

/** `tiercache health`: exit 0 when healthy, 1 when degraded or unhealthy. */
export async function health(target: RemoteTarget): Promise<CommandResult> {
  const reply = await call(target, 'GET', 'health');
  const body = obj(reply.body);
  // 503 carries the health body (?strict, or degraded) or an error body (the check itself failed).
  if (typeof body.status !== 'string' || (reply.status !== 200 && reply.status !== 503))
    throw failure(reply, '/health');
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
        count(cache.l1_entries),
        str(body.version),
      ],
    ],
  );
  const reason = typeof cache.reason === 'string' ? `\nreason: ${cache.reason}` : '';
  return { exitCode: healthy ? 0 : 1, text: text + reason, json: body };
}

/** The window of `seconds` among the status's `windows` (1 and 5 minutes). */
export function windowOf(body: Json, seconds: number): Json | undefined {
  return list(body.windows).find((w) => w.window_seconds === seconds);
}

/** `92.4 % (last 1 min), 93 % (last 5 min)`: a windowed figure with its window beside it. */
function windowed(windows: Json[], format: (w: Json) => string): string {
  return windows.map((w) => `${format(w)} (${windowLabel(w.window_seconds)})`).join(', ');
}

/** `connected, 3 clients` / `disconnected: InMemoryCache does not use Redis backend`. */
export function redisState(redis: Json): string {
  if (redis.status === 'connected') return `connected, ${plural(Number(redis.connected_clients), 'client')}`;
  const message = typeof redis.message === 'string' ? `: ${redis.message}` : '';
  return `${str(redis.status)}${message}`;
}

/** The Redis key count and memory, each labelled with its scope (they are not the same scope). */
export function redisScopes(redis: Json): [string, string] {
  return [
    `${plural(Number(redis.keys), 'key')} under this cache's prefix`,
    `${bytes(redis.memory_used_bytes)} Redis server memory (all keys, not only this cache's)`,
  ];
}

/** `100 / 100 entries (100 %), 48 kB` or `disabled`. */
export function inProcess(memory: Json): string {
  if (memory.status === 'disabled') return 'disabled';
  return `${count(memory.entries)} / ${count(memory.max_size)} entries (${percent(memory.utilization_percent)}), ${bytes(memory.memory_usage)}`;
}

/** `tiercache status`: Redis, L1 and hit figures, each with its scope or its window. */
export async function status(target: RemoteTarget): Promise<CommandResult> {
  const body = await getJson(target, 'internal/cache/status');
  const redis = obj(body.redis);
  const memory = obj(body.memory);
  const performance = obj(body.performance);
  const memoryOnly = performance.cache_type === 'memory_only';
  const rows: [string, string][] = [['cache type', str(performance.cache_type)]];
  if (memoryOnly && redis.status !== 'connected') {
    rows.push(['redis', `not used (${str(redis.message)})`]);
  } else {
    rows.push(['redis', redisState(redis)]);
    if (redis.status === 'connected') for (const line of redisScopes(redis)) rows.push(['', line]);
  }
  if (typeof redis.fallback_reason === 'string') rows.push(['fallback', redis.fallback_reason]);
  rows.push([memoryOnly ? 'memory' : 'L1', inProcess(memory)]);
  const gets = Number(performance.hits) + Number(performance.misses);
  rows.push([
    'hit rate',
    gets > 0 ? `${percent(performance.hit_rate)} of ${plural(gets, 'get')} (since start)` : 'no gets yet',
  ]);
  const windows = [windowOf(body, 60), windowOf(body, 300)].filter((w) => w !== undefined);
  if (windows.length > 0) {
    rows.push(['', windowed(windows, (w) => (w.hit_rate === null ? 'no gets' : percent(w.hit_rate)))]);
    const last = windows[0] as Json;
    rows.push([
      'traffic',
      `operations ${rate(last.operations_per_second)}, gets ${rate(last.gets_per_second)} (${windowLabel(last.window_seconds)})`,
    ]);
    rows.push([
      'errors',
      `${rate(last.errors_per_second)} (timeouts ${rate(last.timeouts_per_second)}), stale serves ${rate(last.stale_serves_per_second)} (${windowLabel(last.window_seconds)})`,
    ]);
  }
  const hot = list(body.hot_keys).slice(0, 3);
  if (hot.length > 0)
    rows.push([
      'hot keys',
      `${hot.map((k) => `${str(k.key)} (~${plural(Number(k.estimated_reads), 'read')})`).join(', ')} (since start, sampled)`,
    ]);
  const security = body.security === undefined ? undefined : obj(body.security);
  if (security) {
    const on = [
      security.tls_enabled === true && 'TLS',
      security.has_authentication === true && 'auth',
      security.encryption_enabled === true && 'encryption',
    ].filter((s) => s !== false);
    rows.push(['security', `${str(security.security_level)} (${on.length > 0 ? on.join(', ') : 'none'})`]);
  }
  const ai = body.ai_metrics === undefined ? undefined : obj(body.ai_metrics);
  if (ai)
    rows.push([
      'AI hit rate',
      `${percent(ai.hit_rate)} of ${plural(Number(ai.total_requests), 'request')} (since start), time saved ${duration(ai.time_saved_ms)}`,
    ]);
  return { exitCode: 0, text: fields(rows), json: body };
}

/** `tiercache metrics [--prometheus]`. */
export async function metrics(target: RemoteTarget, prometheus: boolean): Promise<CommandResult> {
  if (prometheus) {
    const reply = await call(target, 'GET', 'internal/cache/metrics/prometheus');
    if (reply.status >= 400) expectOk(reply, '/internal/cache/metrics/prometheus');
    return { exitCode: 0, text: reply.text.trimEnd(), json: { prometheus: reply.text } };
  }
  const body = await getJson(target, 'internal/cache/metrics');
  const ops = obj(body.cache_operations);
  const latencyRows = (group: unknown) =>
    Object.entries(obj(group)).map(([name, s]) => {
      const stats = obj(s);
      return [
        name,
        count(stats.count),
        duration(stats.p50_ms),
        duration(stats.p95_ms),
        duration(stats.p99_ms),
      ];
    });
  const gets = Number(body.cache_hits) + Number(body.cache_misses);
  const lines = [
    `hit rate ${percent(body.cache_hit_rate)} of ${plural(gets, 'get')}, ${plural(Number(body.total_cache_operations), 'operation')} (since start)`,
  ];
  const retention =
    typeof body.retention_hours === 'number' ? duration(body.retention_hours * 3_600_000) : '–';
  const byOperation = latencyRows(ops.by_operation);
  if (byOperation.length > 0)
    lines.push(
      '',
      `latency of the timed operations kept (last ${retention}; in-process gets are sampled)`,
      table(['operation', 'samples', 'p50', 'p95', 'p99'], byOperation),
    );
  const byTier = latencyRows(ops.by_tier);
  if (byTier.length > 0) lines.push('', table(['tier', 'samples', 'p50', 'p95', 'p99'], byTier));
  // Not `total_bytes`: it adds the L1 estimate to the whole Redis server's memory (two scopes).
  const current = obj(obj(body.memory_usage).current);
  if (current.l1_bytes !== undefined) {
    const redisMemory =
      current.redis_bytes === undefined
        ? ''
        : `; ${bytes(current.redis_bytes)} Redis server memory (all keys, not only this cache's)`;
    lines.push(
      '',
      `memory: L1 ${bytes(current.l1_bytes)} (${plural(Number(current.l1_entries), 'entry', 'entries')})${redisMemory}`,
    );
  }
  return { exitCode: 0, text: lines.join('\n'), json: body };
}

/**
 * `tiercache invalidate <pattern> | --all [--dry-run] [--context <text>]`. `pattern` '' is every key of
 * the cache (the service's rule); the caller sends it only for an explicit `--all`.
 */
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
  const n = Number(body.keys_invalidated);
  const keys = plural(n, 'key');
  const text =
    pattern === ''
      ? dryRun
        ? `${keys} in the cache: --all would remove every one (dry run: nothing removed)`
        : `invalidated ${keys}: every key of the cache (--all)`
      : dryRun
        ? `${keys} ${n === 1 ? 'matches' : 'match'} '${pattern}' (dry run: nothing removed)`
        : `invalidated ${keys} matching '${pattern}'`;
  return { exitCode: 0, text, json: body };
}

/** `tiercache invalidate --tag <tag>[,<tag>...]`: removes every entry written with any of the tags. */
export async function invalidateTags(target: RemoteTarget, tags: string[]): Promise<CommandResult> {
  const query = new URLSearchParams({ tags: tags.join(',') });
  const reply = await call(target, 'POST', `internal/cache/invalidate/tags?${query.toString()}`);
  const body = expectOk(reply, '/internal/cache/invalidate/tags');
  const text = `invalidated ${plural(Number(body.keys_invalidated), 'key')} tagged ${tags.map((t) => `'${t}'`).join(' or ')}`;
  return { exitCode: 0, text, json: body };
}
