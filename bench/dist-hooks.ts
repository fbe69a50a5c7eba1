// Module hooks for the bench's scenario processes (registered by use-dist.ts): tiercache's modules load
// from dist/, the JavaScript tsc emits and users run, not from src/ through tsx. tsx compiles with
// esbuild's keepNames, which wraps every function created at run time in a `__name` call (a
// defineProperty): a per-call cost the published package does not have, and the anchors (plain
// JavaScript from node_modules) never paid. The bench's own files still run through tsx.
import type { ResolveHook } from 'node:module';

const SRC = new URL('../src/', import.meta.url).href;
const DIST = new URL('../dist/', import.meta.url).href;

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith(SRC)) return resolved;
  const path = resolved.url.slice(SRC.length).replace(/\.ts$/, '.js');
  return { ...resolved, url: DIST + path, format: 'module' };
};
