/**
 * Human figures for the CLI's text output (`--json` prints the service's numbers untouched). Every
 * function answers '–' for a value that is not a finite number, so a field missing from an older service
 * never prints `NaN` or `undefined`.
 */

/** Placeholder for a figure the service did not give. */
export const NONE = '–';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One decimal below ten, whole above: 0.4, 2.5, 12, 340 (a trailing `.0` is dropped). */
function short(n: number): string {
  const text = Math.abs(n) < 9.95 ? n.toFixed(1) : n.toFixed(0);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/**
 * A duration given in milliseconds: `40 µs`, `0.4 ms`, `218 ms`, `1.2 s`, `3 min 38 s`, `2 h 5 min`,
 * `3 d 4 h`.
 */
export function duration(ms: unknown): string {
  if (!finite(ms)) return NONE;
  if (ms < 0) return `-${duration(-ms)}`;
  if (ms === 0) return '0 ms';
  if (ms < 0.095) return `${Math.max(1, Math.round(ms * 1000))} µs`;
  if (ms < 999.5) return `${short(ms)} ms`;
  if (ms < 59_500) return `${short(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return two(Math.floor(seconds / 60), 'min', seconds % 60, 's');
  const minutes = Math.round(seconds / 60);
  if (minutes < 24 * 60) return two(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
  const hours = Math.round(minutes / 60);
  return two(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** `3 min 38 s`, `1 h` (a zero second part is left out). */
const two = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
  small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;

/** A TTL in seconds: `null` = no expiry. */
export function ttl(seconds: unknown): string {
  if (seconds === null) return 'no expiry';
  return finite(seconds) ? duration(seconds * 1000) : NONE;
}

const SIZE_UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in decimal units (1 kB = 1000 B): `512 B`, `1.2 kB`, `38 MB`. */
export function bytes(n: unknown): string {
  if (!finite(n)) return NONE;
  if (Math.abs(n) < 999.5) return `${Math.round(n)} B`;
  let value = n;
  let unit = 'B';
  for (const next of SIZE_UNITS) {
    value /= 1000;
    unit = next;
    if (Math.abs(value) < 999.5) break;
  }
  return `${short(value)} ${unit}`;
}

/** A count with thousands separators: `12,044`. */
export function count(n: unknown): string {
  return finite(n) ? Math.round(n).toLocaleString('en-US') : NONE;
}

/** A compact count: `950`, `1.2k`, `38k`, `4.1M`. */
export function compact(n: unknown): string {
  if (!finite(n)) return NONE;
  const abs = Math.abs(n);
  if (abs < 999.5) return abs < 10 && !Number.isInteger(n) ? short(n) : String(Math.round(n));
  if (abs < 999_500) return `${short(n / 1000)}k`;
  if (abs < 999_500_000) return `${short(n / 1_000_000)}M`;
  return `${short(n / 1_000_000_000)}G`;
}

/** A rate per second: `0/s`, `0.02/s`, `3.5/s`, `42/s`, `1.2k/s`. */
export function rate(perSecond: unknown): string {
  if (!finite(perSecond)) return NONE;
  if (perSecond !== 0 && Math.abs(perSecond) < 0.095) return `${perSecond.toFixed(2)}/s`;
  return `${compact(perSecond)}/s`;
}

/** A percentage given as 0–100: `92.4 %`, `100 %`; `null` (nothing to divide) is '–'. */
export function percent(value: unknown): string {
  if (!finite(value)) return NONE;
  const text = value.toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text} %`;
}

/** `last 1 min`, `last 5 min`, `last 30 s`: the span a windowed figure covers. */
export function windowLabel(seconds: unknown): string {
  if (!finite(seconds)) return 'window unknown';
  return seconds >= 60 && seconds % 60 === 0 ? `last ${seconds / 60} min` : `last ${seconds} s`;
}

/** `1 key`, `3 keys`; `plural(2, 'entry', 'entries')`. */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : words}`;
}
