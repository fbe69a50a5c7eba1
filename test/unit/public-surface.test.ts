import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';

/** Names `src/index.ts` exports, as `value Name` / `type Name`, read from its export statements. */
async function exportedNames(): Promise<string[]> {
  const source = await readFile(new URL('../../src/index.ts', import.meta.url), 'utf8');
  const names: string[] = [];
  for (const match of source.matchAll(/export (type )?\{([^}]*)\} from/g)) {
    const kind = match[1] ? 'type' : 'value';
    for (const name of (match[2] as string).split(',').map((n) => n.trim()))
      if (name !== '') names.push(`${kind} ${name}`);
  }
  return names.sort();
}

describe('issue 18: the public surface is deliberate', () => {
  it('exports exactly the names listed in docs/public-api.txt (change both together)', async () => {
    const listed = (await readFile(new URL('../../docs/public-api.txt', import.meta.url), 'utf8'))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .sort();
    expect(await exportedNames()).toStrictEqual(listed);
  });

  it('exports at run time every value name it lists, and no sampling constants, defaults tables or ciphers', async () => {
    const values = (await exportedNames()).filter((n) => n.startsWith('value ')).map((n) => n.slice(6));
    expect(Object.keys(root).sort()).toStrictEqual(values.sort());
    for (const internal of ['IN_PROCESS_TIMING_SAMPLE', 'GENERIC_REDIS_CACHE_DEFAULTS', 'ValueCipher'])
      expect(Object.keys(root)).not.toContain(internal);
  });
});
