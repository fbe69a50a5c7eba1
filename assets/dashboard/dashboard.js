// tiercache dashboard: polls the management API every `pollMs` and draws it with uPlot. No build step.
// What each chart and figure shows, its window and its source: docs/dashboard.md.
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('dashboard-config').textContent);
  const POLL_MS = config.pollMs;
  /** Seconds of per-second series asked for (the server keeps five minutes). */
  const SERIES_SECONDS = 300;
  /** Seconds the hit-rate chart sums before dividing (one second alone is mostly noise or empty). */
  const HIT_RATE_SECONDS = 10;
  const KEY_STORAGE = 'tiercache.apiKey';
  const api = (path) => new URL(path, window.location.href).toString();
  const $ = (id) => document.getElementById(id);

  let apiKey = window.sessionStorage.getItem(KEY_STORAGE) ?? '';
  const state = {
    polls: 0,
    errors: 0,
    /** The last answers, as received. */
    health: undefined,
    status: undefined,
    timeseries: undefined,
    /** The uPlot instance of each chart, by element id. */
    charts: {},
    /** The breaker timeline of the charted span: transitions and shaded bands (wall-clock seconds). */
    breaker: { events: [], bands: [], states: [] },
  };
  // For humans poking at the page and for the browser tests.
  window.tiercacheDashboard = state;

  // ---- numbers for humans ---------------------------------------------------------------------------
  /** Up to three significant digits, no trailing zeros: 0.25, 3.4, 12.5, 999. */
  function short(value) {
    const abs = Math.abs(value);
    const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
    return String(Number(value.toFixed(digits)));
  }
  /** 0.25, 12.5, 999, 1.2k, 3.4M. */
  function num(value) {
    if (value == null || !Number.isFinite(value)) return '–';
    const units = ['', 'k', 'M', 'G'];
    let scaled = value;
    let unit = 0;
    // 999.5 and up would print as 1000: the next unit says it shorter.
    while (Math.abs(scaled) >= 999.5 && unit < units.length - 1) {
      scaled /= 1000;
      unit++;
    }
    return `${short(scaled)}${units[unit]}`;
  }
  /** "1.2k ops/s"; a bare "/s" goes without a space: "3.4/s". */
  const perSecond = (value, unit) =>
    value == null ? '–' : `${num(value)}${unit.startsWith('/') ? '' : ' '}${unit}`;
  const percent = (value) => (value == null ? '–' : `${value.toFixed(1)} %`);
  const ms = (value) =>
    value == null
      ? '–'
      : value >= 1000
        ? `${short(value / 1000)} s`
        : value >= 0.01 || value === 0
          ? `${short(value)} ms`
          : `${short(value * 1000)} µs`;
  function bytes(n) {
    if (n == null || !Number.isFinite(n)) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
  }
  const two = (n) => String(n).padStart(2, '0');
  /** 14:03 or 14:03:25 (24-hour, local time) from epoch seconds. */
  function clock(epochSeconds, withSeconds) {
    const d = new Date(epochSeconds * 1000);
    return `${two(d.getHours())}:${two(d.getMinutes())}${withSeconds ? `:${two(d.getSeconds())}` : ''}`;
  }
  /** "last 1 min" for 60, "1 min" when `brief`. */
  const windowName = (seconds, brief = false) =>
    seconds % 60 === 0 ? `${brief ? '' : 'last '}${seconds / 60} min` : `${brief ? '' : 'last '}${seconds} s`;

  // ---- HTTP -----------------------------------------------------------------------------------------
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
  const COLORS = {
    blue: '#2563eb',
    green: '#15803d',
    red: '#dc2626',
    orange: '#d97706',
    purple: '#7c3aed',
    teal: '#0891b2',
    grey: '#475569',
    pink: '#db2777',
  };
  const DASHED = [6, 4];
  const DOTTED = [2, 3];
  const DASH_DOT = [8, 3, 2, 3];
  const LONG_DASH = [12, 4];
  const BREAKER_STATES = ['closed', 'half-open', 'open'];
  const BAND_FILL = { open: 'rgba(220, 38, 38, 0.13)', 'half-open': 'rgba(217, 119, 6, 0.13)' };
  const MARK_STROKE = { open: COLORS.red, 'half-open': COLORS.orange, closed: COLORS.green };

  /** Per-second counts from the time series (`key` is its snake_case field). */
  const count = (key) => (ts, n) => ts[key].slice(0, n);
  /** `part` ÷ `whole` over a trailing window of HIT_RATE_SECONDS, in %; null without any `whole`. */
  const rolling = (part, wholeKeys) => (ts, n) => {
    const out = [];
    let partSum = 0;
    let wholeSum = 0;
    const whole = (i) => wholeKeys.reduce((sum, key) => sum + ts[key][i], 0);
    for (let i = 0; i < n; i++) {
      partSum += ts[part][i];
      wholeSum += whole(i);
      if (i >= HIT_RATE_SECONDS) {
        partSum -= ts[part][i - HIT_RATE_SECONDS];
        wholeSum -= whole(i - HIT_RATE_SECONDS);
      }
      out.push(wholeSum > 0 ? Math.min(100, (100 * partSum) / wholeSum) : null);
    }
    return out;
  };

  /**
   * One y axis per chart, in one unit. `kind`: 'rate' (per second, from 0), 'percent' (fixed 0–100) or
   * 'breaker' (closed / half-open / open). Series: label, data, colour and dash (solid when absent).
   */
  const CHARTS = [
    {
      id: 'chart-ops',
      kind: 'rate',
      unit: 'ops/s',
      series: [
        { label: 'operations', data: count('operations'), color: COLORS.blue },
        { label: 'gets', data: count('gets'), color: COLORS.purple, dash: DASHED },
      ],
    },
    {
      id: 'chart-hit-rate',
      kind: 'percent',
      unit: '%',
      series: [
        { label: 'hit rate', data: rolling('hits', ['gets']), color: COLORS.green, width: 3 },
        {
          label: 'L1 hit rate',
          data: rolling('l1_hits', ['l1_hits', 'l1_misses']),
          color: COLORS.teal,
          dash: DASHED,
          redisOnly: true,
        },
      ],
    },
    {
      id: 'chart-hits',
      kind: 'rate',
      unit: 'gets/s',
      series: [
        { label: 'hits', data: count('hits'), color: COLORS.green },
        { label: 'misses', data: count('misses'), color: COLORS.red, dash: DASHED },
      ],
    },
    {
      id: 'chart-l1',
      kind: 'rate',
      unit: 'gets/s',
      redisOnly: true,
      series: [
        { label: 'L1 hits', data: count('l1_hits'), color: COLORS.teal },
        { label: 'L1 misses', data: count('l1_misses'), color: COLORS.orange, dash: DASHED },
      ],
    },
    {
      id: 'chart-errors',
      kind: 'rate',
      unit: 'errors/s',
      series: [
        { label: 'errors', data: count('errors'), color: COLORS.red },
        { label: 'of which timeouts', data: count('timeouts'), color: COLORS.orange, dash: DASHED },
      ],
    },
    {
      id: 'chart-stale',
      kind: 'rate',
      unit: 'serves/s',
      series: [{ label: 'stale serves', data: count('stale_serves'), color: COLORS.orange }],
    },
    {
      id: 'chart-factory',
      kind: 'rate',
      unit: 'events/s',
      series: [
        { label: 'factory runs', data: count('factory_runs'), color: COLORS.blue },
        { label: 'factory errors', data: count('factory_errors'), color: COLORS.red, dash: DASHED },
        { label: 'lock waits', data: count('lock_waits'), color: COLORS.purple, dash: DOTTED },
        { label: 'lock takeovers', data: count('lock_takeovers'), color: COLORS.orange, dash: DASH_DOT },
        { label: 'lock timeouts', data: count('lock_timeouts'), color: COLORS.pink, dash: LONG_DASH },
      ],
    },
    {
      id: 'chart-bus',
      kind: 'rate',
      unit: 'messages/s',
      series: [{ label: 'bus messages', data: count('bus_messages'), color: COLORS.teal }],
    },
    {
      id: 'chart-breaker',
      kind: 'breaker',
      redisOnly: true,
      unit: 'state',
      height: 130,
      series: [{ label: 'breaker', data: () => state.breaker.states, color: COLORS.grey }],
    },
  ];

  /** Ticks at 1, 2, 5 × 10^n (per-second counts are whole numbers). */
  const RATE_INCRS = [];
  for (let p = 1; p <= 1e9; p *= 10) RATE_INCRS.push(p, 2 * p, 5 * p);
  /** The smallest 1/2/5 × 10^n at or above `max` (and at least 1): the top of a rate axis. */
  function niceMax(max) {
    for (const step of RATE_INCRS) if (step >= max) return step;
    return max;
  }

  /** Width of a y axis from its widest tick label, so labels are never clipped. */
  function axisSize(self, values, axisIdx, cycleNum) {
    const axis = self.axes[axisIdx];
    if (cycleNum > 1) return axis._size; // uPlot's size convergence: keep the last answer
    let size = axis.ticks.size + axis.gap + 4;
    const widest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), '');
    if (widest) {
      self.ctx.font = axis.font[0];
      size += self.ctx.measureText(widest).width / window.devicePixelRatio;
    }
    return Math.ceil(size);
  }

  /** The index the legend shows when the cursor is elsewhere: the latest second with any value. */
  function latestIndex(u) {
    const n = u.data[0]?.length ?? 0;
    for (let i = n - 1; i >= 0; i--)
      for (let s = 1; s < u.data.length; s++) if (u.data[s][i] != null) return i;
    return n > 0 ? n - 1 : null;
  }

  /** Shaded bands while the breaker was open (red) or half-open (amber), a line at each transition. */
  function drawBreaker(u) {
    const { ctx, bbox } = u;
    const { left, top, width, height } = bbox;
    const pos = (x) => Math.min(left + width, Math.max(left, u.valToPos(x, 'x', true)));
    ctx.save();
    for (const band of state.breaker.bands) {
      const x0 = pos(band.from);
      const x1 = pos(band.to);
      if (x1 <= x0) continue;
      ctx.fillStyle = BAND_FILL[band.state];
      ctx.fillRect(x0, top, x1 - x0, height);
    }
    ctx.lineWidth = window.devicePixelRatio;
    ctx.setLineDash([4 * window.devicePixelRatio, 3 * window.devicePixelRatio]);
    for (const event of state.breaker.events) {
      const x = u.valToPos(event.at, 'x', true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = MARK_STROKE[event.state];
      ctx.beginPath();
      ctx.moveTo(Math.round(x), top);
      ctx.lineTo(Math.round(x), top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  function chartWidth(el) {
    const width = el.clientWidth || el.closest('.charts')?.clientWidth / 2 || 560;
    return Math.max(300, Math.floor(width));
  }

  function createChart(definition) {
    const el = $(definition.id);
    const { kind, unit } = definition;
    const format =
      kind === 'percent'
        ? (v) => `${v.toFixed(1)} %`
        : kind === 'breaker'
          ? (v) => BREAKER_STATES[v] ?? 'not configured'
          : (v) => `${num(v)} ${unit}`;
    const yScale =
      kind === 'percent'
        ? { range: [0, 100] }
        : kind === 'breaker'
          ? { range: [-0.3, 2.3] }
          : { range: (_u, _min, max) => [0, niceMax(Math.max(1, max ?? 0))] };
    const yAxis = {
      label: kind === 'percent' ? 'hit rate %' : unit,
      labelSize: 18,
      labelFont: '12px system-ui, sans-serif',
      font: '12px system-ui, sans-serif',
      size: axisSize,
      ...(kind === 'percent' && {
        splits: () => [0, 25, 50, 75, 100],
        values: (_u, ticks) => ticks.map(String),
      }),
      ...(kind === 'breaker' && {
        splits: () => [0, 1, 2],
        values: (_u, ticks) => ticks.map((t) => BREAKER_STATES[t]),
      }),
      ...(kind === 'rate' && { incrs: RATE_INCRS, values: (_u, ticks) => ticks.map(num) }),
    };
    const options = {
      width: chartWidth(el),
      height: definition.height ?? 200,
      // Hovering one chart shows the same second on all of them.
      cursor: { sync: { key: 'tiercache' }, drag: { x: false, y: false } },
      legend: {
        live: true,
        markers: {
          dash: (u, i) => (!u.series[i].dash ? 'solid' : u.series[i].dash[0] <= 2 ? 'dotted' : 'dashed'),
        },
      },
      scales: { x: { time: true }, y: yScale },
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '–' : clock(v, true)) },
        ...definition.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 2,
          ...(s.dash && { dash: s.dash }),
          ...(kind === 'breaker' && { paths: window.uPlot.paths.stepped({ align: 1 }) }),
          points: { show: false },
          value: (_u, v) => (v == null ? '–' : format(v)),
        })),
      ],
      axes: [
        {
          font: '12px system-ui, sans-serif',
          size: 32,
          space: 64,
          incrs: [1, 5, 10, 15, 30, 60, 120, 300, 600],
          values: (_u, ticks, _axis, _space, incr) => ticks.map((t) => clock(t, incr < 60)),
        },
        yAxis,
      ],
      hooks: {
        drawClear: [drawBreaker],
        // With the cursor off the chart the legend shows the latest value, never "--".
        setLegend: [
          (u) => {
            if (u.cursor.idx != null) return;
            const idx = latestIndex(u);
            if (idx != null && u.legend.idx !== idx) u.setLegend({ idx }, false);
          },
        ],
      },
    };
    const empty = [[], ...definition.series.map(() => [])];
    state.charts[definition.id] = new window.uPlot(options, empty, el);
  }

  function resizeCharts() {
    for (const [id, plot] of Object.entries(state.charts)) {
      const el = $(id);
      if (el.closest('figure').hidden) continue;
      const width = chartWidth(el);
      if (width !== plot.width) plot.setSize({ width, height: plot.height });
    }
  }
  let resizeQueued = false;
  window.addEventListener('resize', () => {
    if (resizeQueued) return;
    resizeQueued = true;
    window.requestAnimationFrame(() => {
      resizeQueued = false;
      resizeCharts();
    });
  });

  // ---- the breaker timeline -------------------------------------------------------------------------
  /** The state before a transition to `state` (the series only holds transitions inside its span). */
  const BEFORE = { open: 'closed', 'half-open': 'open', closed: 'half-open' };

  /**
   * Per-second breaker states over `x` (wall-clock seconds), the transitions and the bands to shade.
   * Without a transition in the span the state throughout is the current one from /health.
   */
  function breakerTimeline(events, x, current) {
    if (!BREAKER_STATES.includes(current)) return { events: [], bands: [], states: x.map(() => null) };
    const first = events[0];
    let at = first ? BEFORE[first.state] : current;
    let next = 0;
    const states = x.map((second) => {
      while (next < events.length && events[next].at <= second) at = events[next++].state;
      return BREAKER_STATES.indexOf(at);
    });
    const bands = [];
    x.forEach((second, i) => {
      const name = BREAKER_STATES[states[i]];
      const last = bands.at(-1);
      if (name === 'closed') return;
      if (last && last.state === name && last.to === second) last.to = second + 1;
      else bands.push({ state: name, from: second, to: second + 1 });
    });
    return { events, bands, states };
  }

  /**
   * Chart data from one /timeseries answer. Its `at` is the server's monotonic clock in seconds and its
   * last second is still running: that one is left out, and the others are placed on the wall clock
   * counting back from now.
   */
  function renderCharts(ts, health) {
    const n = Math.max(0, ts.at.length - 1);
    const shift = Math.floor(Date.now() / 1000) - 1 - ts.at[n - 1];
    const x = ts.at.slice(0, n).map((at) => at + shift);
    const events = (ts.breaker ?? []).map((e) => ({ at: e.at + shift, state: e.state }));
    state.breaker = breakerTimeline(events, x, health?.cache?.breaker);
    // L1 and breaker figures exist only in front of Redis: a memory-only cache has neither.
    const redis = health?.cache?.redis !== 'not_configured';
    for (const definition of CHARTS) {
      const plot = state.charts[definition.id];
      const box = $(definition.id).closest('figure');
      box.hidden = Boolean(definition.redisOnly) && !redis;
      if (box.hidden) continue;
      definition.series.forEach((s, i) => {
        const show = !s.redisOnly || redis;
        if (plot.series[i + 1].show !== show) plot.setSeries(i + 1, { show });
      });
      if (plot.width !== chartWidth($(definition.id))) resizeCharts();
      plot.setData([x, ...definition.series.map((s) => s.data(ts, n).map((v) => v ?? null))]);
    }
  }

  // ---- figures --------------------------------------------------------------------------------------
  function pill(id, text, level) {
    const el = $(id);
    el.textContent = text;
    el.className = `pill ${level}`.trim();
  }

  /** A figure card: its value, the window it covers, and a line below (often the other window). */
  function figure(id, value, span, sub = '') {
    const card = $(id);
    card.querySelector('.big').textContent = value;
    card.querySelector('.window').textContent = span ? `· ${span}` : '';
    card.querySelector('.sub').textContent = sub;
  }

  /**
   * Redis as /health reports it. Green only while Redis is connected *and* the breaker is closed: a
   * degraded cache or an open breaker is red whatever else is known.
   */
  function renderHealth(health) {
    const cache = health?.cache;
    if (!cache) {
      pill('redis-state', 'Redis: unknown (no answer)', 'unknown');
      pill('breaker-state', 'breaker: unknown', 'unknown');
      $('redis-reason').textContent = '';
      return;
    }
    pill('cache-type', `cache: ${cache.type ?? '?'}`, '');
    const { redis, breaker } = cache;
    const [text, level] =
      redis === 'not_configured'
        ? ['no Redis (memory only)', '']
        : redis === 'degraded'
          ? ['Redis degraded: serving L1', 'bad']
          : redis !== 'connected'
            ? [`Redis ${redis}`, 'bad']
            : breaker === 'closed'
              ? ['Redis connected', 'ok']
              : breaker === 'half-open'
                ? ['Redis connected: breaker half-open', 'warn']
                : ['Redis unavailable: breaker open', 'bad'];
    pill('redis-state', text, level);
    pill(
      'breaker-state',
      breaker === 'not_configured' ? 'no breaker' : `breaker ${breaker}`,
      breaker === 'open'
        ? 'bad'
        : breaker === 'half-open'
          ? 'warn'
          : breaker === 'closed' && level === 'ok'
            ? 'ok'
            : '',
    );
    $('redis-reason').textContent = cache.reason ? `reason: ${cache.reason}` : '';
  }

  function renderFigures(health, status) {
    const windows = status.windows ?? [];
    const [w1, w5] = [60, 300].map((s) => windows.find((w) => w.window_seconds === s));
    const cache = health?.cache ?? {};
    const redisConfigured = cache.redis !== undefined && cache.redis !== 'not_configured';
    const other = (w, text) => (w ? `${windowName(w.window_seconds, true)}: ${text(w)}` : '');
    const win = (w) => (w ? windowName(w.window_seconds) : 'no window figures');

    figure(
      'fig-operations',
      perSecond(w1?.operations_per_second, 'ops/s'),
      win(w1),
      [
        w1 && `gets ${perSecond(w1.gets_per_second, '/s')}`,
        other(w5, (w) => perSecond(w.operations_per_second, 'ops/s')),
      ]
        .filter(Boolean)
        .join(' · '),
    );
    const rate = (w, field) => (w?.[field] == null ? 'no gets' : percent(w[field]));
    figure(
      'fig-hit-rate',
      w1 ? rate(w1, 'hit_rate') : '–',
      win(w1),
      other(w5, (w) => rate(w, 'hit_rate')),
    );
    $('fig-l1-hit-rate').hidden = !redisConfigured;
    figure(
      'fig-l1-hit-rate',
      w1 ? rate(w1, 'l1_hit_rate') : '–',
      win(w1),
      other(w5, (w) => rate(w, 'l1_hit_rate')),
    );
    figure(
      'fig-errors',
      perSecond(w1?.errors_per_second, 'errors/s'),
      win(w1),
      [
        w1 && `timeouts ${perSecond(w1.timeouts_per_second, '/s')}`,
        other(w5, (w) => perSecond(w.errors_per_second, 'errors/s')),
      ]
        .filter(Boolean)
        .join(' · '),
    );
    figure(
      'fig-stale',
      perSecond(w1?.stale_serves_per_second, 'serves/s'),
      win(w1),
      other(w5, (w) => perSecond(w.stale_serves_per_second, 'serves/s')),
    );
    figure(
      'fig-factory',
      perSecond(w1?.factory_runs_per_second, 'runs/s'),
      win(w1),
      [
        w1 && `${num(w1.counts?.lock_waits ?? 0)} lock waits in 1 min`,
        other(w5, (w) => perSecond(w.factory_runs_per_second, 'runs/s')),
      ]
        .filter(Boolean)
        .join(' · '),
    );

    const memory = status.memory ?? {};
    const entries = memory.entries ?? cache.l1_entries;
    $('fig-l1-entries').querySelector('.label').textContent = redisConfigured
      ? 'L1 entries'
      : 'entries (in process)';
    figure(
      'fig-l1-entries',
      entries == null ? '–' : `${num(entries)}${memory.max_size ? ` / ${num(memory.max_size)}` : ''}`,
      'now',
      memory.status === 'disabled'
        ? 'no L1 tier'
        : `${num(memory.utilization_percent ?? 0)} % full · ${bytes(memory.memory_usage ?? 0)}`,
    );

    // Redis's own figures only while /health says commands reach it: "0 B" from an offline status is
    // not a measurement.
    const server = status.redis ?? {};
    const live = cache.redis === 'connected' && cache.breaker !== 'open' && server.status === 'connected';
    figure(
      'fig-redis',
      !redisConfigured ? 'not configured' : live ? bytes(server.memory_used_bytes) : 'unknown',
      redisConfigured ? 'now' : '',
      !redisConfigured
        ? 'memory-only cache'
        : live
          ? `${num(server.keys)} keys · ${num(server.connected_clients)} clients`
          : 'Redis unavailable: figures unknown',
    );
    renderLatency(windows, redisConfigured);
    renderHotKeys(status.hot_keys);
  }

  function row(cells, classes = []) {
    const tr = document.createElement('tr');
    cells.forEach((cell, i) => {
      const td = document.createElement('td');
      td.textContent = String(cell);
      if (classes[i]) td.className = classes[i];
      tr.append(td);
    });
    return tr;
  }
  const NUMERIC = ['', '', 'num', 'num', 'num', 'num'];
  const TIER_NAMES = { memory: 'memory', l1: 'L1', redis: 'Redis', factory: 'factory (getOrSet)' };

  function renderLatency(windows, redisConfigured) {
    const tiers = redisConfigured ? ['l1', 'redis', 'factory'] : ['memory', 'factory'];
    for (const w of windows)
      for (const tier of Object.keys(w.latency ?? {})) if (!tiers.includes(tier)) tiers.push(tier);
    const rows = [];
    for (const tier of tiers)
      for (const w of windows) {
        const l = w.latency?.[tier];
        const name = windowName(w.window_seconds);
        rows.push(
          l
            ? row(
                [TIER_NAMES[tier] ?? tier, name, ms(l.p50_ms), ms(l.p95_ms), ms(l.p99_ms), num(l.count)],
                NUMERIC,
              )
            : row([TIER_NAMES[tier] ?? tier, name, '–', '–', '–', 'no samples'], NUMERIC),
        );
      }
    $('latency').tBodies[0].replaceChildren(...rows);
  }

  function renderHotKeys(hotKeys) {
    const body = $('hot-keys').tBodies[0];
    if (!hotKeys || hotKeys.length === 0) {
      body.replaceChildren(row(['', hotKeys ? 'no read sampled yet' : 'not tracked by this cache', '']));
      return;
    }
    body.replaceChildren(
      ...hotKeys
        .slice(0, 10)
        .map((k, i) => row([i + 1, k.key, num(k.estimated_reads)], ['num', 'key', 'num'])),
    );
  }

  function renderInvalidations(invalidations) {
    figure(
      'fig-invalidations',
      num(invalidations.frequency?.last_hour ?? 0),
      'last hour',
      `${num(invalidations.frequency?.last_24_hours ?? 0)} in 24 h · ${num(invalidations.total_operations ?? 0)} since start`,
    );
    const patterns = invalidations.patterns?.most_common_patterns ?? [];
    $('top-patterns').tBodies[0].replaceChildren(
      ...patterns.slice(0, 10).map((p) => row([p.pattern, num(p.count)], ['', 'num'])),
    );
  }

  function renderAi(ai) {
    $('ai-section').hidden = !ai;
    if (!ai) return;
    const tokens = ai.tokens_saved?.total_tokens ?? 0;
    $('ai-summary').textContent =
      `AI hit rate ${percent(ai.hit_rate)} of ${num(ai.total_requests)} requests · ` +
      `time saved ${ms(ai.time_saved_ms)} · tokens saved ${num(tokens)} · since start`;
    const operations = Object.entries(ai.operations ?? {});
    $('ai-operations').tBodies[0].replaceChildren(
      ...operations.map(([name, op]) =>
        row(
          [
            name,
            num(op.requests),
            percent(op.hit_rate),
            ms(op.time_saved_ms),
            num((op.tokens_saved?.input_tokens ?? 0) + (op.tokens_saved?.output_tokens ?? 0)),
          ],
          ['', 'num', 'num', 'num', 'num'],
        ),
      ),
    );
  }

  // ---- polling --------------------------------------------------------------------------------------
  let polling = false;
  let pollAgain = false;

  /** One round of reads. A round asked for while one runs is run right after it (once). */
  async function poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    try {
      const [health, status, timeseries, invalidations] = await Promise.allSettled([
        request('../../health'),
        request('status'),
        request(`timeseries?seconds=${SERIES_SECONDS}`),
        request('invalidation-stats'),
      ]);
      const value = (result) => (result.status === 'fulfilled' ? result.value : undefined);
      state.health = value(health);
      renderHealth(state.health);
      const failed = [health, status, timeseries, invalidations].find((r) => r.status === 'rejected');
      if (failed) {
        state.errors++;
        showError(failed.reason);
        return;
      }
      hideError();
      state.status = status.value;
      state.timeseries = timeseries.value;
      renderFigures(state.health, state.status);
      renderInvalidations(invalidations.value);
      renderAi(state.status.ai_metrics);
      renderCharts(state.timeseries, state.health);
      $('last-update').textContent = `updated ${clock(Date.now() / 1000, true)}`;
      state.polls++;
    } finally {
      polling = false;
      if (pollAgain) {
        pollAgain = false;
        void poll();
      }
    }
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

  for (const definition of CHARTS) createChart(definition);
  void poll();
  window.setInterval(() => {
    if (!polling) void poll();
  }, POLL_MS);
})();
