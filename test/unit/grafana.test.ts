import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { CacheEventEmitter, type CacheEventListener, type CacheEventName } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import type { CacheStats } from '../../src/core/types.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { MonitoredCache } from '../../src/monitoring/performance-monitor.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

/**
 * The Grafana dashboard in grafana/tiercache.json against what the real PrometheusExporter emits: every
 * series and label a query names must exist, and every family the exporter emits must be on a panel.
 */

const DASHBOARD_PATH = new URL('../../grafana/tiercache.json', import.meta.url);

/**
 * Families deliberately left off the dashboard, each with the reason. Keep it explicit: a family the
 * exporter starts emitting fails the completeness test until it gets a panel or an entry here.
 */
const LEFT_OFF_DASHBOARD: ReadonlyMap<string, string> = new Map<string, string>([
  // none: every family the exporter emits has a panel
]);

const PANEL_TYPES = new Set(['timeseries', 'stat', 'state-timeline']);
const DATASOURCE_UID = '${datasource}';
const NAMESPACE_MATCHER = 'namespace=~"$namespace"';
const RATE_INTERVAL = '[$__rate_interval]';

interface DataSourceRef {
  type?: string;
  uid?: string;
}

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: DataSourceRef;
}

interface ValueMapping {
  type: string;
  options: Record<string, { text?: string; color?: string }>;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: DataSourceRef;
  targets?: Target[];
  /** A collapsed row keeps its panels here. */
  panels?: Panel[];
  fieldConfig?: {
    defaults: { unit?: string; min?: number; max?: number; mappings?: ValueMapping[] };
    overrides: { properties: { id: string }[] }[];
  };
  options?: { legend?: { displayMode?: string; calcs?: string[] } };
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: DataSourceRef;
  multi?: boolean;
  includeAll?: boolean;
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every panel but rows, including those kept inside collapsed rows. */
function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

// ---------------------------------------------------------------------------------------------------
// The exposition

interface Exposition {
  /** Family name → type, from the `# TYPE name type` lines. */
  families: Map<string, string>;
  /** Queryable series name → its family: the name itself; a histogram's `_bucket`, `_sum`, `_count`. */
  series: Map<string, string>;
  /** Series name → the label names on its samples; absent for a series without samples. */
  labels: Map<string, Set<string>>;
  /** `# HELP` text by family. */
  help: Map<string, string>;
  /** Sample values by series name and its labels rendered as `{a="x",b="y"}`. */
  values: Map<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseExposition(text: string): Exposition {
  const exposition: Exposition = {
    families: new Map(),
    series: new Map(),
    labels: new Map(),
    help: new Map(),
    values: new Map(),
  };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      exposition.families.set(name, kind);
      const suffixes =
        kind === 'histogram'
          ? ['_bucket', '_sum', '_count']
          : kind === 'summary'
            ? ['', '_sum', '_count']
            : [''];
      for (const suffix of suffixes) exposition.series.set(name + suffix, name);
      continue;
    }
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) exposition.help.set(help[1] as string, help[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`unreadable exposition line: ${line}`);
    const [, name, body = '', value] = sample as unknown as [string, string, string | undefined, string];
    const labels = exposition.labels.get(name) ?? new Set<string>();
    const pairs = [...body.matchAll(LABEL_PAIR)].map(([, label = '', v = '']): [string, string] => [
      label,
      v,
    ]);
    for (const [label] of pairs) labels.add(label);
    exposition.labels.set(name, labels);
    exposition.values.set(`${name}{${pairs.map(([l, v]) => `${l}="${v}"`).join(',')}}`, Number(value));
  }
  return exposition;
}

// ---------------------------------------------------------------------------------------------------
// The queries

const METRIC = /tiercache_[a-z0-9_]+/g;
/** A selector: its metric, its `{...}` matchers and what follows (a range, for range vectors). */
const SELECTOR = /(tiercache_[a-z0-9_]+)\s*(?:\{([^}]*)\})?(\s*\[[^\]]*\])?/g;
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g;
const LEGEND_LABEL = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;
const GROUPING = /\b(by|without)\s*\(([^)]*)\)/g;

function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(METRIC) ?? [])];
}

/** The index just past the group that the parenthesis at `open` starts. */
function closeOf(expr: string, open: number): number {
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    if (expr[i] === '(') depth++;
    else if (expr[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced parentheses in ${expr}`);
}

/** The index of the parenthesis that opens the group closed at `close`. */
function openOf(expr: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (expr[i] === ')') depth++;
    else if (expr[i] === '(' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in ${expr}`);
}

/**
 * The `by (...)` / `without (...)` clauses of an expression with the text they aggregate: the group after
 * the clause (`sum by (l) (x)`) or, in the trailing form, before it (`sum(x) by (l)`).
 */
function groupings(expr: string): { labels: string[]; argument: string }[] {
  return [...expr.matchAll(GROUPING)].map((m) => {
    const labels = (m[2] as string)
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const after = m.index + m[0].length;
    const next = expr.slice(after).search(/\S/);
    if (next >= 0 && expr[after + next] === '(') {
      const open = after + next;
      return { labels, argument: expr.slice(open, closeOf(expr, open)) };
    }
    const before = expr.slice(0, m.index).trimEnd();
    if (!before.endsWith(')')) throw new Error(`no argument for '${m[0]}' in ${expr}`);
    const close = before.length - 1;
    return { labels, argument: expr.slice(openOf(expr, close), close + 1) };
  });
}

/**
 * Everything wrong with the dashboard's queries against an exposition: series that are not emitted,
 * labels that the series does not carry, selectors without the namespace filter or `$__rate_interval`,
 * and legends naming labels the query does not keep.
 */
function queryProblems(dashboard: Dashboard, exposition: Exposition): string[] {
  const problems: string[] = [];
  // A series that is not emitted is reported once, as such; one without samples in this exposition can
  // only be checked for existence.
  const hasLabel = (series: string, label: string): boolean =>
    !exposition.series.has(series) || (exposition.labels.get(series)?.has(label) ?? true);
  for (const panel of panelsOf(dashboard)) {
    for (const target of panel.targets ?? []) {
      const where = `panel '${panel.title}' query ${target.refId}`;
      const { expr } = target;
      const metrics = metricsIn(expr);
      if (metrics.length === 0) problems.push(`${where} names no tiercache_ series`);
      for (const metric of metrics) {
        if (!exposition.series.has(metric))
          problems.push(`${where}: ${metric} is not emitted by the exporter`);
      }
      for (const [, name = '', matchers = '', range = ''] of expr.matchAll(SELECTOR)) {
        for (const [, label = ''] of matchers.matchAll(MATCHER)) {
          if (!hasLabel(name, label)) problems.push(`${where}: ${name} has no label '${label}'`);
        }
        if (!matchers.includes(NAMESPACE_MATCHER))
          problems.push(`${where}: ${name} is not filtered by ${NAMESPACE_MATCHER}`);
        if (range.trim() !== RATE_INTERVAL)
          problems.push(`${where}: ${name} is not read over ${RATE_INTERVAL}`);
      }
      const kept = new Set<string>();
      for (const { labels, argument } of groupings(expr)) {
        for (const label of labels) {
          kept.add(label);
          for (const metric of metricsIn(argument)) {
            if (!hasLabel(metric, label))
              problems.push(`${where}: groups ${metric} by '${label}', a label it does not have`);
          }
        }
      }
      for (const [, label = ''] of (target.legendFormat ?? '').matchAll(LEGEND_LABEL)) {
        if (!kept.has(label)) problems.push(`${where}: legend names '${label}', which no 'by' keeps`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Traffic through the real exporter

/**
 * What only a Redis-backed cache announces (L1 hits and misses, Redis errors, lock waits, bus messages,
 * breaker transitions) and its figures (Redis connected, breaker state, its L1), played through the
 * real emitter, so that those families have samples to check labels against without a Redis server.
 */
class RedisLikeCache implements MonitoredCache {
  readonly events = new CacheEventEmitter((error) => {
    throw error;
  });

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    return this.events.on(event, listener);
  }

  async getStats(): Promise<CacheStats & Record<string, unknown>> {
    return {
      hits: 1,
      misses: 1,
      hitRate: 50,
      redis: 'connected',
      breaker: { state: 'half-open', failures: 3, opens: 1 },
      l1: { activeEntries: 1, memoryUsageBytes: 64, maxSize: 100 },
    };
  }

  play(): void {
    const e = this.events;
    e.get('l1', 'hit', e.startTimer());
    e.operation('get', 'redis', 'miss', e.startTimer(), undefined, true);
    e.emit('entry', { action: 'hit', key: 'sess:1', value: 1 });
    e.emit('error', {
      kind: 'connection',
      operation: 'get',
      tier: 'redis',
      error: new Error('ECONNREFUSED'),
    });
    e.emit('evict', { key: 'sess:2', tier: 'l1', reason: 'evict' });
    e.emit('lock', { key: 'report', outcome: 'waited', durationMs: 12 });
    e.emit('bus', { type: 'received', keys: 1 });
    e.emit('breaker', { state: 'open', failures: 3, opens: 1 });
  }
}

async function driveTraffic(): Promise<string> {
  const exporter = new PrometheusExporter({ keyGroups: { user: /^user:/, session: /^sess:/ } });

  const clock = new ManualClock();
  const web = new InMemoryCache({ maxSize: 2, clock, logger: silentLogger });
  exporter.attach(web, { namespace: 'web' });
  await web.set('user:1', 1);
  await web.get('user:1');
  await web.get('user:2');
  await web.set('a', 'x', { tags: ['t'] });
  await web.set('b', 'y'); // evicts user:1
  await web.delete('b');
  await web.invalidatePattern('a*');
  await web.set('c', 1, { tags: ['t'] });
  await web.invalidateTags(['t']);
  await web.getOrSet('user:3', () => 3, { ttl: '1s', grace: '1m' });
  clock.advance(2_000);
  await web.getOrSet(
    'user:3',
    () => {
      throw new Error('database down');
    },
    { ttl: '1s', grace: '1m' },
  ); // served stale

  const ai = new AIResponseCache({
    cache: new InMemoryCache({ logger: silentLogger }),
    logger: silentLogger,
    prices: { 'model-a': { inputPerMillion: 1, outputPerMillion: 4 } },
  });
  exporter.attach(ai, { namespace: 'ai' });
  const request = { operation: 'summarize', text: 'a long document', model: 'model-a' };
  const compute = () => ({ value: 'short', usage: { inputTokens: 100, outputTokens: 20 } });
  await ai.getOrCompute(request, compute);
  await ai.getOrCompute(request, compute);
  const streamed: string[] = [];
  const produce = async function* () {
    yield 'streamed';
  };
  for (let i = 0; i < 2; i++)
    for await (const chunk of ai.getOrComputeStream(request, produce)) streamed.push(chunk);

  const redisLike = new RedisLikeCache();
  exporter.attach(redisLike, { namespace: 'orders' });
  redisLike.play();

  return exporter.metrics();
}

// ---------------------------------------------------------------------------------------------------

describe('grafana/tiercache.json', () => {
  let dashboard: Dashboard;
  let exposition: Exposition;

  beforeAll(async () => {
    dashboard = loadDashboard();
    exposition = parseExposition(await driveTraffic());
  });

  it('is a dashboard Grafana imports: schema, unique ids, layout, datasource and units', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('tiercache');
    const ids = dashboard.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    const panels = panelsOf(dashboard);
    expect(panels.length).toBeGreaterThan(20);
    for (const panel of panels) {
      const where = `panel '${panel.title}'`;
      expect(PANEL_TYPES.has(panel.type), `${where} type ${panel.type}`).toBe(true);
      expect(panel.gridPos.x + panel.gridPos.w, `${where} width`).toBeLessThanOrEqual(24);
      expect(panel.datasource?.uid, where).toBe(DATASOURCE_UID);
      expect(panel.targets?.length, `${where} targets`).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, where).toBe(DATASOURCE_UID);
      // One unit per panel: set on the defaults, never changed by an override.
      const unit = panel.fieldConfig?.defaults.unit;
      expect(unit, `${where} unit`).toBeTruthy();
      const overridden = panel.fieldConfig?.overrides.flatMap((o) => o.properties.map((p) => p.id)) ?? [];
      expect(overridden, `${where} overrides`).not.toContain('unit');
      if (unit === 'percent') {
        expect(panel.fieldConfig?.defaults.min, `${where} min`).toBe(0);
        expect(panel.fieldConfig?.defaults.max, `${where} max`).toBe(100);
      }
      if (panel.type === 'timeseries') expect(panel.options?.legend?.displayMode, where).toBe('table');
    }
  });

  it('has a Prometheus datasource variable and a multi-select namespace variable with All', () => {
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    const datasource = variables.get('datasource');
    expect(datasource?.type).toBe('datasource');
    expect(datasource?.query).toBe('prometheus');
    const namespace = variables.get('namespace');
    expect(namespace?.type).toBe('query');
    expect(namespace?.datasource?.uid).toBe(DATASOURCE_UID);
    // Grafana writes the query as a string or, from version 10, as { query }.
    const raw = namespace?.query;
    const query = typeof raw === 'object' ? raw.query : raw;
    expect(query).toBe('label_values(tiercache_operations_total, namespace)');
    expect(namespace?.multi).toBe(true);
    expect(namespace?.includeAll).toBe(true);
    // The variable reads a series and label that the exporter emits.
    expect(exposition.labels.get('tiercache_operations_total')).toContain('namespace');
  });

  it('drives traffic that reaches every family, so labels are checked against real samples', () => {
    const unsampled = [...exposition.families.keys()].filter(
      (family) =>
        ![...exposition.series].some(([series, f]) => f === family && exposition.labels.has(series)),
    );
    // A new family needs a line of traffic in driveTraffic (else only its existence is checked).
    expect(unsampled).toEqual([]);
  });

  it('names only series and labels the exporter emits, each filtered by namespace over $__rate_interval', () => {
    expect(queryProblems(dashboard, exposition)).toEqual([]);
  });

  it('uses every family the exporter emits on at least one panel', () => {
    const used = new Set(
      panelsOf(dashboard)
        .flatMap((p) => p.targets ?? [])
        .flatMap((t) => metricsIn(t.expr))
        .map((series) => exposition.series.get(series)),
    );
    const missing = [...exposition.families.keys()].filter((f) => !used.has(f) && !LEFT_OFF_DASHBOARD.has(f));
    expect(missing, 'families without a panel (add one, or list them in LEFT_OFF_DASHBOARD)').toEqual([]);
    for (const family of LEFT_OFF_DASHBOARD.keys()) {
      expect(exposition.families.has(family), `${family} is left off but not emitted`).toBe(true);
      expect(used.has(family), `${family} is left off but has a panel`).toBe(false);
    }
  });

  it("maps the breaker and Redis gauges' values as the exporter defines them", () => {
    const mappingOf = (metric: string): Record<string, string> => {
      const panels = panelsOf(dashboard).filter((p) => p.targets?.some((t) => t.expr.includes(metric)));
      expect(panels.length, metric).toBeGreaterThan(0);
      const texts = panels.map((p) =>
        Object.fromEntries(
          (p.fieldConfig?.defaults.mappings ?? [])
            .filter((m) => m.type === 'value')
            .flatMap((m) =>
              Object.entries(m.options).map(([value, o]): [string, string] => [value, o.text ?? '']),
            ),
        ),
      );
      for (const text of texts) expect(text).toEqual(texts[0]);
      return texts[0] as Record<string, string>;
    };
    // The exporter documents its breaker levels in the HELP text: "0 closed, 1 half-open, 2 open".
    const help = exposition.help.get('tiercache_circuit_breaker_state') ?? '';
    const levels = Object.fromEntries(
      [...help.matchAll(/(\d+) ([a-z-]+)/g)].map(([, v = '', s = '']): [string, string] => [v, s]),
    );
    expect(levels).toEqual({ '0': 'closed', '1': 'half-open', '2': 'open' });
    expect(mappingOf('tiercache_circuit_breaker_state')).toEqual(levels);
    // And the values it exports agree: the played cache's breaker is half-open and Redis connected.
    expect(exposition.values.get('tiercache_circuit_breaker_state{namespace="orders"}')).toBe(1);
    expect(exposition.values.get('tiercache_redis_connected{namespace="orders"}')).toBe(1);
    expect(mappingOf('tiercache_redis_connected')).toEqual({ '0': 'degraded', '1': 'connected' });
  });

  it('catches a query that names a series or label the exporter does not emit', () => {
    const broken = loadDashboard();
    const [first] = panelsOf(broken).filter((p) =>
      p.targets?.some((t) => t.expr.includes('tiercache_hits_total{')),
    );
    const target = first?.targets?.find((t) => t.expr.includes('tiercache_hits_total{')) as Target;
    target.expr = target.expr.replaceAll('tiercache_hits_total{', 'tiercache_hit_total{');
    const [latency] = panelsOf(broken).filter((p) =>
      p.targets?.some((t) => t.expr.includes('tiercache_operation_duration_seconds_bucket')),
    );
    const quantile = latency?.targets?.[0] as Target;
    quantile.expr = quantile.expr.replace('by (le, ', 'by (le, shard, ');
    const misses = panelsOf(broken)
      .flatMap((p) => p.targets ?? [])
      .find((t) => t.expr.includes('tiercache_misses_total{')) as Target;
    misses.expr = misses.expr.replace('tiercache_misses_total{', 'tiercache_misses_total{tier="l1", ');
    const problems = queryProblems(broken, exposition);
    expect(problems).toContainEqual(expect.stringContaining('tiercache_hit_total is not emitted'));
    expect(problems).toContainEqual(expect.stringContaining("tiercache_misses_total has no label 'tier'"));
    expect(problems).toContainEqual(
      expect.stringContaining("groups tiercache_operation_duration_seconds_bucket by 'shard'"),
    );
  });
});
