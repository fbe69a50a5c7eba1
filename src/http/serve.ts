import type { FastifyInstance } from 'fastify';
import type { Env } from '../config/env.js';
import { buildServer } from './server.js';

/** Where to listen: HOST and PORT from the environment unless given. */
export function listenAddress(env: Env, host?: string, port?: string): { host: string; port: number } {
  const rawPort = port ?? env.PORT ?? '8000';
  const parsed = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || parsed > 65_535) {
    throw new RangeError(`PORT must be a port number (0-65535), got '${rawPort}'`);
  }
  return { host: host ?? env.HOST ?? '127.0.0.1', port: parsed };
}

/**
 * Builds the service and listens; SIGTERM and SIGINT drain requests and close the cache. Returns the
 * server and the address it listens on. Used by `npm start` and `tiercache serve`.
 */
export async function serve(
  env: Env,
  address: { host: string; port: number },
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildServer({ env });
  const shutdown = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'shutting down: draining requests and closing the cache');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  app.addHook('onClose', async () => {
    process.off('SIGTERM', shutdown);
    process.off('SIGINT', shutdown);
  });
  const url = await app.listen(address);
  return { app, url };
}
