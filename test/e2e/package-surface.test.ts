import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Every module a built file imports, transitively (relative specifiers followed, packages listed);
 * `dynamic` also follows `import(...)` (what may load later, not at start-up).
 */
function importGraph(entry: string, dynamic = true): { files: Set<string>; packages: Set<string> } {
  const pattern = dynamic ? /(?:from|import)\s*\(?\s*'([^']+)'/g : /from\s*'([^']+)'/g;
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] as string),
        );
    }
  };
  visit(join(root, entry));
  return { files, packages };
}

describe('issue 19 item 8: the package loads the way Node users load it', () => {
  it('item 8: require("tiercache") works on Node ≥ 20.19 (ESM loaded through require)', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        "const t = require('tiercache'); console.log(typeof t.GenericRedisCache, typeof t.CacheFactory)",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function');
  });

  it('item 8: tiercache/testing (the Redis harness) does not load vitest; the contract suite is its own entry', () => {
    expect(importGraph('dist/testing/index.js').packages).not.toContain('vitest');
    expect(importGraph('dist/testing/contract.js').packages).toContain('vitest');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      scripts: Record<string, string>;
    };
    expect(Object.keys(pkg.exports)).toContain('./testing/contract');
  });

  it('item 8: npm start and the tiercache bin run compiled JavaScript with production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe('node dist/http/start.js');
    expect(pkg.bin.tiercache).toBe('./dist/cli/main.js');
    for (const entry of ['dist/http/start.js', 'dist/cli/main.js']) {
      const { packages } = importGraph(entry);
      const builtins = [...packages].filter((p) => p.startsWith('node:'));
      const external = [...packages].filter((p) => !p.startsWith('node:'));
      expect(builtins.length).toBeGreaterThan(0);
      for (const name of external) expect(Object.keys(pkg.dependencies)).toContain(name);
    }
  });

  it('issue 22: tiercache/ai-sdk and tiercache/langchain load by name and export exactly their API', () => {
    const script = `for (const entry of ['ai-sdk', 'langchain']) console.log(Object.keys(await import('tiercache/' + entry)).join())`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toStrictEqual(['tiercacheMiddleware', 'TiercacheLangChainCache']);
  });

  it('issue 22: the optional peers load only with their own entry (ai is only ever a type import)', () => {
    const optional = ['ai', '@langchain/core', 'keyv'];
    for (const entry of [
      'dist/index.js',
      'dist/http/index.js',
      'dist/testing/index.js',
      'dist/keyv/index.js',
    ])
      for (const name of optional) expect(importGraph(entry).packages).not.toContain(name);
    expect(importGraph('dist/ai-sdk/index.js').packages).not.toContain('ai');
    expect(importGraph('dist/langchain/index.js').packages).toContain('@langchain/core');
  });

  it('item 8: `tiercache --help` does not load the service (Fastify and its plugins)', () => {
    const { packages } = importGraph('dist/cli/main.js', false);
    // The service is imported only by the serve command, when it runs.
    expect(packages).not.toContain('fastify');
    expect(packages).not.toContain('@fastify/swagger');
  });
});
