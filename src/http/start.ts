// Placeholder until the HTTP service lands: `npm start` must work on a fresh clone.
console.log(
  'tiercache: the HTTP service is not built yet; the library is ready: import { InMemoryCache, GenericRedisCache } from "tiercache".',
);
