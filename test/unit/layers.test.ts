import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/**
 * The layers of src/, lowest first. A module imports from its own folder or a lower layer only; folders
 * on one layer do not import each other (the AI cache does not reach into monitoring, nor back).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core', 'types'],
  ['memory'],
  ['redis'],
  ['ai', 'monitoring', 'keyv', 'langchain', 'testing'],
  ['ai-sdk'],
  ['config'],
  ['factory'],
  ['http'],
  ['cli'],
];

function layerOf(folder: string): number {
  const layer = LAYERS.findIndex((folders) => folders.includes(folder));
  if (layer < 0) throw new Error(`src/${folder} has no layer in test/unit/layers.test.ts`);
  return layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `from/file.ts → to/file.ts` for every relative import that crosses folders against the layers. */
function upwardImports(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split('/')[0] as string;
    if (from.endsWith('.ts')) continue; // src/index.ts re-exports everything
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = relative(SRC, resolve(dirname(file), spec as string)).split('/')[0] as string;
      if (to === from) continue;
      if (layerOf(to) >= layerOf(from)) found.push(`${relative(SRC, file)} → ${spec}`);
    }
  }
  return found;
}

describe('issue 18: the import graph stays layered', () => {
  it('has no import from a higher layer or a sibling folder', () => {
    expect(upwardImports()).toStrictEqual([]);
  });
});
