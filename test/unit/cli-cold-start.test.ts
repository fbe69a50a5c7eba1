import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every module `from` imports statically, transitively (dynamic `import()` is not followed). */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)) {
      if ((spec as string).startsWith('.'))
        visit(resolve(dirname(file), (spec as string).replace(/\.js$/, '.ts')));
      else packages.add(spec as string);
    }
  };
  visit(resolve(ROOT, entry));
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe('CLI cold start', () => {
  it('main.ts loads only src/cli modules and Node built-ins: serve and config are imported when they run', () => {
    const { files, packages } = staticGraph('src/cli/main.ts');
    expect(files.filter((f) => !f.startsWith('src/cli/'))).toStrictEqual([]);
    expect(files).not.toContain('src/cli/commands/config.ts');
    expect(packages.filter((p) => !p.startsWith('node:'))).toStrictEqual([]);
    expect(files).toEqual(expect.arrayContaining(['src/cli/commands/top.ts', 'src/cli/commands/keys.ts']));
  });
});
