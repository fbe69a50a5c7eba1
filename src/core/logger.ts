/** The logging surface tiercache needs; a pino logger fits it as is. */
export interface Logger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

const noop = (): void => {};

/** Prints warnings and errors to stderr; debug and info are dropped. Keys and values are never logged. */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (obj, msg) => console.warn(`[tiercache] ${msg}`, obj),
  error: (obj, msg) => console.error(`[tiercache] ${msg}`, obj),
};

/** Discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A console logger that prints `level` and above (warn and error to stderr). */
export function createConsoleLogger(level: (typeof LEVELS)[number]): Logger {
  const min = LEVELS.indexOf(level);
  const at = (name: (typeof LEVELS)[number], print: (...args: unknown[]) => void) =>
    LEVELS.indexOf(name) >= min
      ? (obj: Record<string, unknown>, msg: string) => print(`[tiercache] ${msg}`, obj)
      : noop;
  return {
    debug: at('debug', console.debug),
    info: at('info', console.info),
    warn: at('warn', console.warn),
    error: at('error', console.error),
  };
}
