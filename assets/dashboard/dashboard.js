// tiercache dashboard: polls the management API every 2 s and draws it with uPlot. No build step.
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('dashboard-config').textContent);
  const POLL_MS = config.pollMs;
  const MAX_POINTS = 180;
  const KEY_STORAGE = 'tiercache.apiKey';
  const api = (path) => new URL(path, window.location.href).toString();
  const $ = (id) => document.getElementById(id);

  let apiKey = window.sessionStorage.getItem(KEY_STORAGE) ?? '';
  const state = {
    polls: 0,
    errors: 0,
    series: {
      time: [],
      hitRate: [],
      l1HitRate: [],
      redisHitRate: [],
      p50: [],
      p99: [],
      l1Entries: [],
      l1Limit: [],
      l1Bytes: [],
      redisBytes: [],
      invalidationsPerMinute: [],
      aiHitRate: [],
      aiTimeSavedSeconds: [],
    },
    lastInvalidations: undefined,
  };
  // For humans poking at the page and for the browser tests.
  window.tiercacheDashboard = state;

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function request(path, init = {}) {
    const headers = apiKey ? { 'X-API-Key': apiKey } : {};
    const response = await fetch(api(path), { ...init, headers });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new HttpError(response.status, body?.detail?.message ?? response.statusText);
    return body;
  }

  // ---- charts ---------------------------------------------------------------------------------------
  const charts = {};
  const palette = ['#2f6fde', '#1f9d55', '#d97706', '#8b5cf6', '#dc2626'];
  // `rightAxisFrom`: series from this index on use a second scale on the right (figures of another size);
  // `format`: how axis values are written.
  function chart(id, labels, data, rightAxisFrom = labels.length, format = undefined) {
    const values = format && ((_plot, ticks) => ticks.map(format));
    const el = $(id);
    const twoScales = rightAxisFrom < labels.length;
    const options = {
      width: Math.max(300, el.clientWidth || 560),
      height: 220,
      scales: { x: { time: true }, ...(twoScales && { right: {} }) },
      series: [
        {},
        ...labels.map((label, i) => ({
          label,
          stroke: palette[i],
          width: 2,
          spanGaps: true,
          ...(i >= rightAxisFrom && { scale: 'right' }),
        })),
      ],
      axes: [
        {},
        { size: 60, ...(values && { values }) },
        ...(twoScales
          ? [{ scale: 'right', side: 1, size: 70, grid: { show: false }, ...(values && { values }) }]
          : []),
      ],
    };
    charts[id] = { plot: new window.uPlot(options, [state.series.time, ...data()], el), data };
  }
  const s = state.series;
  function createCharts() {
    chart('chart-hit-rate', ['overall', 'L1', 'Redis'], () => [s.hitRate, s.l1HitRate, s.redisHitRate]);
    chart('chart-latency', ['p50', 'p99'], () => [s.p50, s.p99]);
    chart('chart-l1', ['entries', 'limit'], () => [s.l1Entries, s.l1Limit]);
    chart('chart-memory', ['L1', 'Redis (right)'], () => [s.l1Bytes, s.redisBytes], 1, bytes);
    chart('chart-invalidations', ['per minute'], () => [s.invalidationsPerMinute]);
    chart(
      'chart-ai',
      ['AI hit rate', 'time saved (s, right)'],
      () => [s.aiHitRate, s.aiTimeSavedSeconds],
      1,
      (v) => Number(v.toPrecision(3)).toString(),
    );
  }
  function redraw() {
    for (const { plot, data } of Object.values(charts)) plot.setData([s.time, ...data()]);
  }

  // ---- polling --------------------------------------------------------------------------------------
  const rate = (hits, misses) => (hits + misses > 0 ? (100 * hits) / (hits + misses) : null);
  const bytes = (n) =>
    n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;

  function push(values) {
    for (const [name, value] of Object.entries(values)) {
      s[name].push(value);
      if (s[name].length > MAX_POINTS) s[name].shift();
    }
  }

  function pill(id, text, level) {
    const el = $(id);
    el.textContent = text;
    el.className = `pill ${level}`;
  }

  async function poll() {
    let health, status, metrics, invalidations;
    try {
      [health, status, metrics, invalidations] = await Promise.all([
        request('../../health'),
        request('status'),
        request('metrics'),
        request('invalidation-stats'),
      ]);
    } catch (error) {
      state.errors++;
      showError(error);
      return;
    }
    hideError();
    state.polls++;
    const now = Date.now() / 1000;
    const tiers = metrics.cache_operations?.by_tier ?? {};
    const l1 = tiers.l1 ?? tiers.memory ?? { hits: 0, misses: 0 };
    const redis = tiers.redis ?? { hits: 0, misses: 0 };
    const memory = status.memory ?? {};
    const totalInvalidations = invalidations.total_operations ?? 0;
    const previous = state.lastInvalidations;
    state.lastInvalidations = { at: now, total: totalInvalidations };
    const perMinute =
      previous && now > previous.at ? ((totalInvalidations - previous.total) * 60) / (now - previous.at) : 0;
    const ai = status.ai_metrics;
    push({
      time: now,
      hitRate: metrics.cache_hit_rate ?? null,
      l1HitRate: rate(l1.hits ?? 0, l1.misses ?? 0),
      redisHitRate: tiers.redis ? rate(redis.hits ?? 0, redis.misses ?? 0) : null,
      p50: metrics.cache_operations?.p50_ms ?? null,
      p99: metrics.cache_operations?.p99_ms ?? null,
      l1Entries: memory.entries ?? health.cache?.l1_entries ?? 0,
      l1Limit: memory.max_size ?? null,
      l1Bytes: metrics.memory_usage?.current?.l1_bytes ?? memory.memory_usage ?? 0,
      redisBytes: status.redis?.memory_used_bytes ?? null,
      invalidationsPerMinute: Math.max(0, Math.round(perMinute * 10) / 10),
      aiHitRate: ai ? ai.hit_rate : null,
      aiTimeSavedSeconds: ai ? ai.time_saved_ms / 1000 : null,
    });
    renderNumbers(health, status, metrics, invalidations);
    renderTables(invalidations, ai);
    redraw();
  }

  function renderNumbers(health, status, metrics, invalidations) {
    const cache = health.cache ?? {};
    pill('cache-type', `cache: ${cache.type ?? '?'}`, '');
    const redis = cache.redis ?? 'not_configured';
    pill(
      'redis-state',
      redis === 'connected'
        ? 'Redis connected'
        : redis === 'degraded'
          ? 'Redis degraded: serving L1'
          : 'no Redis',
      redis === 'connected' ? 'ok' : redis === 'degraded' ? 'bad' : '',
    );
    const breaker = cache.breaker ?? 'not_configured';
    pill(
      'breaker-state',
      `breaker ${breaker.replace('_', ' ')}`,
      breaker === 'closed' ? 'ok' : breaker === 'open' ? 'bad' : breaker === 'half-open' ? 'warn' : '',
    );
    $('stat-hit-rate').textContent = `${(metrics.cache_hit_rate ?? 0).toFixed(1)}%`;
    $('stat-operations').textContent = String(metrics.total_cache_operations ?? 0);
    $('stat-l1-entries').textContent =
      `${status.memory?.entries ?? cache.l1_entries ?? 0} / ${status.memory?.max_size ?? '–'}`;
    $('stat-redis-memory').textContent = status.redis ? bytes(status.redis.memory_used_bytes ?? 0) : '–';
    $('stat-invalidations').textContent = String(invalidations.frequency?.last_hour ?? 0);
    $('last-update').textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      tr.append(td);
    }
    return tr;
  }

  function renderTables(invalidations, ai) {
    const patterns = invalidations.patterns?.most_common_patterns ?? [];
    $('top-patterns').tBodies[0].replaceChildren(
      ...patterns.slice(0, 10).map((p) => row([p.pattern, p.count])),
    );
    $('ai-section').hidden = !ai;
    $('ai-figure').hidden = !ai;
    if (!ai) return;
    const operations = Object.entries(ai.operations ?? {});
    $('ai-operations').tBodies[0].replaceChildren(
      ...operations.map(([name, op]) =>
        row([
          name,
          op.requests,
          `${op.hit_rate.toFixed(1)}%`,
          `${(op.time_saved_ms / 1000).toFixed(2)} s`,
          (op.tokens_saved?.input_tokens ?? 0) + (op.tokens_saved?.output_tokens ?? 0),
        ]),
      ),
    );
  }

  // ---- errors and the API key -----------------------------------------------------------------------
  function showError(error) {
    const banner = $('error-banner');
    if (error instanceof HttpError && error.status === 401) {
      banner.textContent = apiKey
        ? `The API key was refused (${error.message}). Enter a valid key.`
        : `An API key is required (${error.message}).`;
      $('auth').hidden = false;
    } else {
      banner.textContent = `Cannot reach the cache service: ${error.message}. Retrying every ${POLL_MS / 1000} s.`;
    }
    banner.hidden = false;
  }
  function hideError() {
    $('error-banner').hidden = true;
  }

  $('auth').hidden = !(config.authEnabled && !apiKey);
  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    apiKey = $('api-key').value.trim();
    if (apiKey) window.sessionStorage.setItem(KEY_STORAGE, apiKey);
    else window.sessionStorage.removeItem(KEY_STORAGE);
    $('auth').hidden = Boolean(apiKey);
    void poll();
  });

  // ---- invalidation: preview (dry run), then confirm -----------------------------------------------
  let previewed;
  $('invalidate-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const pattern = $('pattern').value;
    const message = $('invalidate-message');
    $('confirm').hidden = true;
    try {
      const result = await request(`invalidate?pattern=${encodeURIComponent(pattern)}&dry_run=true`, {
        method: 'POST',
      });
      previewed = pattern;
      message.textContent = `${result.keys_invalidated} keys match "${pattern}".`;
      $('confirm').textContent = `Invalidate ${result.keys_invalidated} keys`;
      $('confirm').hidden = false;
    } catch (error) {
      message.textContent = invalidateError(error);
    }
  });
  $('confirm').addEventListener('click', async () => {
    const message = $('invalidate-message');
    $('confirm').hidden = true;
    try {
      const result = await request(`invalidate?pattern=${encodeURIComponent(previewed)}`, { method: 'POST' });
      message.textContent = `Invalidated ${result.keys_invalidated} keys matching "${result.pattern}".`;
      void poll();
    } catch (error) {
      message.textContent = invalidateError(error);
    }
  });
  function invalidateError(error) {
    if (error instanceof HttpError && error.status === 401) {
      $('auth').hidden = false;
      return apiKey ? `The API key was refused: ${error.message}` : 'An API key is required to invalidate.';
    }
    return `Invalidation failed: ${error.message}`;
  }

  createCharts();
  void poll();
  window.setInterval(() => void poll(), POLL_MS);
})();
