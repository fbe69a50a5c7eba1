// Every help text of the CLI, in one module with no imports: `--help` answers without loading a command.

export const HELP = `usage: tiercache <command> [options]

commands:
  serve                          run the cache service (same as npm start)
  status                         Redis, L1 and hit figures of a running service
  top [--interval 2s] [--once]   live view: rates, hit rates, errors, latency per tier, hot keys, Redis
  metrics [--prometheus]         performance metrics (figures, or the Prometheus text)
  keys [<pattern>] [--limit N]   list the keys matching a pattern (100 at most unless --limit)
  inspect <key> [--value]        where a key is cached, its TTL, size, tags and codec flags
  invalidate <pattern>           remove the keys matching a pattern (--dry-run counts them only)
  invalidate --all               remove EVERY key of the cache (an empty pattern is refused without it)
  invalidate --tag <tag>[,...]   remove the entries written with any of the tags
  health                         health of a running service (exit 1 when degraded)
  config validate|explain        check or explain the configuration from the environment
  keygen                         print a new random encryption key (32 bytes, base64)

options:
  --json                         machine-readable output: the service's JSON as is
  --help                         help for a command

Text output is humanised (3 min 38 s, 1.2 MB, 1.2k/s, 92.4 %); --json keeps the service's raw numbers.
exit codes: 0 ok, 1 a check failed or the service could not be reached, 2 usage error`;

export const REMOTE_OPTIONS_HELP = `  --url <url>        the service (default: TIERCACHE_URL, else http://127.0.0.1:8000)
  --api-key <key>    API key (default: API_KEY); sent as Authorization: Bearer
  --json             machine-readable output: the service's JSON as is`;

export const SERVE_HELP = `usage: tiercache serve [--host <host>] [--port <port>]

Runs the cache management service with the cache the environment describes (CACHE_PRESET, CACHE_REDIS_URL,
API_KEY ...; see docs/configuration.md). Defaults: HOST or 127.0.0.1, PORT or 8000.`;

export const STATUS_HELP = `usage: tiercache status [options]

Redis state, L1 fill, hit rates, traffic and hot keys. Each figure says its scope: the key count is the
keys under this cache's prefix, the memory is the whole Redis server's; windowed figures name their
window (last 1 min, last 5 min), the others are since the service started.

${REMOTE_OPTIONS_HELP}`;

export const TOP_HELP = `usage: tiercache top [--interval <duration>] [--once] [options]

A live view of the service's windowed figures (last 1 and 5 min): operations/s, gets/s, hit rate, L1 hit
rate, errors/s, timeouts/s, stale serves/s, factory runs/s, a chart of the last minute, latency per tier
(p50/p95/p99), hot keys and the Redis state. On a terminal it redraws in place; Ctrl-C quits (exit 0).
A service that stops answering is shown in the frame and retried.

  --interval <d>     time between frames: 2s (default), 500ms, 1.5s, 1m; at least 200ms
  --once             print one frame and exit (scripts, CI); with --json the status JSON
${REMOTE_OPTIONS_HELP}
                     (live with --json: one status JSON a line per frame)`;

export const METRICS_HELP = `usage: tiercache metrics [--prometheus] [options]

  --prometheus       the Prometheus text exposition
${REMOTE_OPTIONS_HELP}`;

export const KEYS_HELP = `usage: tiercache keys [<pattern>] [--limit <n>] [options]

Lists the keys of the cache that match a pattern, one a line on stdout; how many, and whether more
match, goes to stderr. Needs an API key.

  <pattern>          as for invalidate: 'user:*' (glob with * ? [...]) or 'user' (keys containing it);
                     no pattern, or '', lists every key of the cache (up to the limit)
  --limit <n>        at most n keys (default 100, at most 10000)
${REMOTE_OPTIONS_HELP}`;

export const INSPECT_HELP = `usage: tiercache inspect <key> [--value] [options]

Where a key is cached (l1, redis or memory), its TTL, its size, its tags and the codec flags of its
Redis copy (format, compression, encryption, grace). The value is neither fetched nor printed unless
you pass --value: it may hold personal data. Needs an API key.

  --value            also fetch and print the value
${REMOTE_OPTIONS_HELP}`;

export const INVALIDATE_HELP = `usage: tiercache invalidate <pattern> [--dry-run] [--context <text>] [options]
       tiercache invalidate --all [--dry-run] [--context <text>] [options]
       tiercache invalidate --tag <tag>[,<tag>...] [options]

Removes keys from the cache (the in-process tier and Redis). Needs an API key.

  <pattern>          'user:*' (a glob with * ? [...] over the whole key) or 'user' (keys containing it)
  --all              every key of the cache (only keys under its prefix). The service reads a missing or
                     empty pattern as "every key"; the CLI sends it only for --all. Without --all, no
                     pattern or '' (an unset shell variable, say) is refused with exit 2.
  --tag <tags>       remove every entry written with any of these tags (comma-separated, or repeat --tag)
  --dry-run          count the keys that would go, remove nothing (not with --tag)
  --context <text>   recorded with the invalidation, e.g. a deploy id (not with --tag)
${REMOTE_OPTIONS_HELP}`;

export const HEALTH_HELP = `usage: tiercache health [options]

Exit 0 when healthy, 1 when degraded, unhealthy or unreachable.

${REMOTE_OPTIONS_HELP}`;

export const CONFIG_HELP = `usage: tiercache config <validate|explain> [--json]

  validate   check the configuration the environment describes (exit 0 valid, 1 invalid)
  explain    show the effective configuration and where each value came from

The configuration comes from CACHE_PRESET, CACHE_REDIS_URL, ENABLE_AI_CACHE, CACHE_CUSTOM_CONFIG,
REDIS_PASSWORD, REDIS_TLS_*, REDIS_ENCRYPTION_KEY ... (see docs/configuration.md). Secrets are never printed.`;

export const KEYGEN_HELP =
  'usage: tiercache keygen [--json]\n\nPrints a new random 32-byte key, base64, for REDIS_ENCRYPTION_KEY.';
