import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { buildServer, HTTP_TIMEOUT_DEFAULTS } from '../../src/http/server.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

describe('issue 19 item 8: the service bounds how long a client may hold a connection', () => {
  it('item 8: answers 408 and closes the socket of a client that never finishes its body', async () => {
    const app = await buildServer({
      logger: false,
      env: {},
      cache: new InMemoryCache({ logger: silentLogger }),
      timeouts: { requestTimeout: 300, connectionTimeout: 2000 },
    });
    const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      'POST /internal/cache/invalidate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\nab',
    );
    await closed; // without a request timeout this would hang for Node's default of 300 s
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    await app.close();
  });

  it('documents its defaults', () => {
    expect(HTTP_TIMEOUT_DEFAULTS).toStrictEqual({
      requestTimeout: 10_000,
      connectionTimeout: 0,
      keepAliveTimeout: 72_000,
    });
  });
});
