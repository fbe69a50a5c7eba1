import { buildServer } from './server.js';

/** `npm start`: the service on HOST:PORT (127.0.0.1:8000), cache from the environment, graceful shutdown. */
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number (0-65535), got '${process.env.PORT}'`);
  process.exit(2);
}

let app;
try {
  app = await buildServer();
} catch (error) {
  console.error(`tiercache: cannot start: ${(error as Error).message}`);
  process.exit(1);
}
const server = app;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.log.info({ signal }, 'shutting down: draining requests and closing the cache');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
await server.listen({ host, port });
