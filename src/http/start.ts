import { listenAddress, serve } from './serve.js';

/** `npm start`: the service on HOST:PORT (127.0.0.1:8000), cache from the environment, graceful shutdown. */
let address;
try {
  address = listenAddress(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
try {
  await serve(process.env, address);
} catch (error) {
  console.error(`tiercache: cannot start: ${(error as Error).message}`);
  process.exit(1);
}
