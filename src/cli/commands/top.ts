import { compact, count, duration, percent, rate, windowLabel } from '../format.js';
import { getJson, list, obj, str, type Json, type RemoteTarget } from '../http.js';
import { fields, table, UsageError } from '../output.js';
import { inProcess, redisScopes, redisState, windowOf } from './remote.js';

/** Where `top` draws, and how it learns that the user pressed Ctrl-C. */
export interface Screen {
  write: (frame: string) => void;
  /** Redraw in place with ANSI clear (a terminal); otherwise frames follow one another. */
  isTTY: boolean;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: `top` stops and exits 0. */
  signal?: AbortSignal | undefined;
}

export interface TopOptions {
  intervalMs: number;
  once: boolean;
  json: boolean;
}

export const DEFAULT_TOP_INTERVAL = '2s';
const MIN_INTERVAL_MS = 200;

/** `2s`, `500ms`, `1.5s`, `1m`, or a bare number of seconds; at least 200 ms. */
export function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--interval must be a duration such as 2s, 500ms or 1m, got '${text}'`);
  const value = Number(match[1]);
  const ms = match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000;
  if (ms < MIN_INTERVAL_MS) throw new UsageError(`--interval must be at least 200ms, got '${text}'`);
  return ms;
}

const CLEAR = '\x1b[H\x1b[2J';
const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of a per-second series, scaled to its maximum. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => BARS[max === 0 ? 0 : Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))])
    .join('');
}

const ROWS: [label: string, field: string, format: (v: unknown) => string][] = [
  ['operations', 'operations_per_second', rate],
  ['gets', 'gets_per_second', rate],
  ['hit rate', 'hit_rate', percent],
  ['L1 hit rate', 'l1_hit_rate', percent],
  ['errors', 'errors_per_second', rate],
  ['timeouts', 'timeouts_per_second', rate],
  ['stale serves', 'stale_serves_per_second', rate],
  ['factory runs', 'factory_runs_per_second', rate],
];

const TIERS = ['l1', 'redis', 'memory', 'factory'] as const;
const MAX_KEY = 60;
const clip = (key: string) => (key.length > MAX_KEY ? `${key.slice(0, MAX_KEY - 1)}…` : key);

/** One frame of `top` from the service's status (and, when given, the per-second series of the last minute). */
export function renderTop(
  status: Json,
  series: Json | undefined,
  meta: { url: string; at: Date; intervalMs: number | undefined },
): string {
  const performance = obj(status.performance);
  const every = meta.intervalMs === undefined ? '' : `  (every ${duration(meta.intervalMs)}; Ctrl-C quits)`;
  const lines = [
    `tiercache top  ${meta.url}  ${str(performance.cache_type)} cache  ${meta.at.toTimeString().slice(0, 8)}${every}`,
    '',
  ];
  const windows = [windowOf(status, 60), windowOf(status, 300)].filter((w) => w !== undefined);
  if (windows.length === 0) {
    lines.push('no windowed figures: this service runs without a performance monitor');
  } else {
    lines.push(
      table(
        ['', ...windows.map((w) => windowLabel(w.window_seconds))],
        ROWS.map(([label, field, format]) => [label, ...windows.map((w) => format(w[field]))]),
      ),
    );
  }
  const charts: [string, string][] = [];
  for (const [label, field] of [
    ['operations/s', 'operations'],
    ['errors/s', 'errors'],
    ['stale serves/s', 'stale_serves'],
  ] as const) {
    const raw = series?.[field];
    const values = Array.isArray(raw) ? raw.map(Number) : [];
    if (values.length === 0 || (field !== 'operations' && values.every((v) => v === 0))) continue;
    charts.push([
      `${label} (last ${values.length} s)`,
      `${sparkline(values)}  max ${compact(Math.max(...values))}/s`,
    ]);
  }
  if (charts.length > 0) lines.push('', fields(charts));
  const first = windows[0];
  if (first) {
    const latency = obj(first.latency);
    const rows = TIERS.filter((tier) => latency[tier] !== undefined).map((tier) => {
      const s = obj(latency[tier]);
      return [
        tier,
        count(s.count),
        duration(s.avg_ms),
        duration(s.p50_ms),
        duration(s.p95_ms),
        duration(s.p99_ms),
      ];
    });
    lines.push('');
    if (rows.length > 0)
      lines.push(
        `latency per tier (${windowLabel(first.window_seconds)}; timed samples)`,
        table(['tier', 'samples', 'avg', 'p50', 'p95', 'p99'], rows),
      );
    else lines.push(`latency per tier: no timed operation in the ${windowLabel(first.window_seconds)}`);
  }
  const hot = list(status.hot_keys);
  if (hot.length > 0)
    lines.push(
      '',
      `hot keys (since start, sampled)`,
      table(
        ['key', 'reads (est.)'],
        hot.map((k) => [clip(str(k.key)), compact(k.estimated_reads)]),
      ),
    );
  const redis = obj(status.redis);
  const memory = obj(status.memory);
  const memoryOnly = performance.cache_type === 'memory_only';
  const state: [string, string][] = [];
  if (memoryOnly && redis.status !== 'connected') state.push(['redis', 'not used']);
  else {
    state.push(['redis', redisState(redis)]);
    if (redis.status === 'connected') for (const line of redisScopes(redis)) state.push(['', line]);
  }
  state.push([memoryOnly ? 'memory' : 'L1', inProcess(memory)]);
  lines.push('', fields(state));
  return lines.join('\n');
}

const pause = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * `tiercache top`: draws the windowed figures every interval until Ctrl-C (exit 0), or once with
 * `--once`. The first reading must succeed (else the error, exit 1); later failures are drawn in the
 * frame and retried, so a restart of the service does not end the view.
 */
export async function top(target: RemoteTarget, options: TopOptions, screen: Screen): Promise<0> {
  const { signal } = screen;
  const live = !options.once;
  let frames = 0;
  while (!signal?.aborted) {
    let frame: string;
    try {
      const [status, series] = await Promise.all([
        getJson(target, 'internal/cache/status', signal),
        options.json
          ? undefined
          : getJson(target, 'internal/cache/timeseries?seconds=60', signal).catch(() => undefined),
      ]);
      frame = options.json
        ? JSON.stringify(status, null, live ? undefined : 2)
        : renderTop(status, series, {
            url: target.url,
            at: new Date(),
            intervalMs: live ? options.intervalMs : undefined,
          });
    } catch (error) {
      if (signal?.aborted) break;
      if (frames === 0) throw error;
      const message = (error as Error).message;
      frame = options.json
        ? JSON.stringify({ ok: false, error: message })
        : `tiercache top  ${target.url}  ${new Date().toTimeString().slice(0, 8)}\n\nerror: ${message} (retrying every ${duration(options.intervalMs)}; Ctrl-C quits)`;
    }
    const redraw = live && screen.isTTY && !options.json;
    screen.write(redraw ? `${CLEAR}${frame}` : live && !options.json && frames > 0 ? `\n${frame}` : frame);
    frames++;
    if (!live) break;
    await pause(options.intervalMs, signal);
  }
  return 0;
}
