import { bytes, count, plural, ttl } from '../format.js';
import { getJson, obj, str, type RemoteTarget } from '../http.js';
import { fields, type CommandResult } from '../output.js';

/** What `keys` lists when no --limit is given (the service's default too). */
export const DEFAULT_KEYS_LIMIT = 100;
/** The service's bound on `limit`. */
export const MAX_KEYS_LIMIT = 10_000;

/**
 * `tiercache keys [<pattern>] [--limit N]`: the matching keys, one a line on stdout (for pipes), the
 * summary on stderr. '' (or no pattern) lists every key of the cache, up to the limit.
 */
export async function keys(target: RemoteTarget, pattern: string, limit: number): Promise<CommandResult> {
  const query = new URLSearchParams({ pattern, limit: String(limit) });
  const body = await getJson(target, `internal/cache/keys?${query.toString()}`);
  const found = Array.isArray(body.keys) ? body.keys.map(str) : [];
  const scope = pattern === '' ? 'in the cache' : `${found.length === 1 ? 'matches' : 'match'} '${pattern}'`;
  const note =
    body.truncated === true
      ? `the first ${plural(found.length, 'key')} shown; more ${pattern === '' ? 'are in the cache' : `match '${pattern}'`} (raise --limit, at most ${count(MAX_KEYS_LIMIT)})`
      : found.length === 0
        ? pattern === ''
          ? 'the cache is empty'
          : `no key matches '${pattern}'`
        : `${plural(found.length, 'key')} ${scope}`;
  return { exitCode: 0, text: found.join('\n'), json: body, note };
}

/** `tiercache inspect <key> [--value]`: where a key is, for how long, how big; its value only if asked. */
export async function inspect(target: RemoteTarget, key: string, withValue: boolean): Promise<CommandResult> {
  const query = new URLSearchParams({ key });
  if (withValue) query.set('value', 'true');
  const body = await getJson(target, `internal/cache/inspect?${query.toString()}`);
  const tiers = Array.isArray(body.tiers) ? body.tiers.map(str) : [];
  const codec = body.codec === undefined ? undefined : obj(body.codec);
  const rows: [string, string][] = [['key', str(body.key)]];
  if (tiers.length > 0) rows.push(['tiers', tiers.join(', ')]);
  else if (body.grace_only === true)
    rows.push([
      'tiers',
      codec?.grace === true
        ? // The service reads 4 header bytes, not the value that holds the soft expiry: fresh or stale is unknown.
          'redis, fresh or in its grace period (a getOrSet entry with grace: its soft expiry is inside the value, not read)'
        : "none fresh: only a grace copy, past its TTL (kept for getOrSet's grace period; get misses it)",
    ]);
  else rows.push(['tiers', 'not cached']);
  if (tiers.length > 0 || body.grace_only === true) {
    rows.push([
      'ttl',
      body.grace_only !== true
        ? ttl(body.ttl_seconds)
        : codec
          ? `${ttl(body.ttl_seconds)} (Redis TTL, grace period included)`
          : 'expired (kept for the grace period)',
    ]);
    rows.push([
      'size',
      `${bytes(body.size_bytes)} (${codec ? 'as stored in Redis, after compression and encryption' : 'in-process estimate'})`,
    ]);
    // Only an in-process copy written here records tags; Redis keeps the links in its tag sets, and an L1
    // copy filled from Redis has none. So for a Redis copy an empty list is "not known here", not "none".
    const tags = Array.isArray(body.tags) ? body.tags.map(str) : [];
    rows.push([
      'tags',
      tags.length > 0
        ? `${tags.join(', ')}${codec ? ' (of the in-process copy)' : ''}`
        : codec
          ? 'not known here (Redis keeps tags in its tag sets; invalidate --tag uses them)'
          : Array.isArray(body.tags)
            ? 'none'
            : 'unknown',
    ]);
    if (codec) {
      const flags = [
        str(codec.format),
        codec.compression === 'none' ? 'uncompressed' : `${str(codec.compression)} compression`,
        codec.encrypted === true
          ? `encrypted${codec.encryption_key_id === undefined ? '' : ` (key id ${str(codec.encryption_key_id)})`}`
          : 'not encrypted',
      ];
      if (codec.grace === true) flags.push('with a grace period');
      rows.push(['codec', flags.join(', ')]);
    }
  }
  let text = fields(rows);
  if (withValue)
    text += `\n\nvalue:\n${body.value === null || body.value === undefined ? 'none (not cached)' : JSON.stringify(body.value, null, 2)}`;
  return { exitCode: 0, text, json: body };
}
