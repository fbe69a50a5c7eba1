/** Plain-text table with aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `label  value` lines with the values aligned; a row whose label is '' continues the one above. */
export function fields(rows: [label: string, value: string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd()).join('\n');
}

/** What a command produces: text for people, data for --json, and the exit code. */
export interface CommandResult {
  exitCode: 0 | 1 | 2;
  text: string;
  json: unknown;
  /** A line for stderr in human mode (a summary or a warning that must not mix with piped output). */
  note?: string;
}

/** A usage error found after parsing (conflicting flags, a refused argument): usage and exit 2. */
export class UsageError extends Error {}
