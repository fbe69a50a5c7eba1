import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { getFreePort } from '../../src/testing/redis-server.js';

const invoke = async (args: string[], env: Record<string, string> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    args,
    env,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('CLI commands in process', () => {
  it('explains and validates the configuration', async () => {
    expect((await invoke(['config', 'explain'], { CACHE_PRESET: 'minimal' })).out).toMatch(
      /defaultTtl\s+900\s+preset:minimal/,
    );
    expect(await invoke(['config', 'validate', '--json'], { CACHE_PRESET: 'minimal' })).toMatchObject({
      code: 0,
    });
    const invalid = await invoke(['config', 'validate'], { CACHE_CUSTOM_CONFIG: '{"compressionLevel": 0}' });
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain('compressionLevel must be an integer between 1 and 9');
    const badEnv = await invoke(['config', 'explain', '--json'], { CACHE_CUSTOM_CONFIG: '{oops' });
    expect(badEnv.code).toBe(1);
    expect(JSON.parse(badEnv.out)).toMatchObject({ ok: false });
  });

  it('answers help and usage errors', async () => {
    expect(await invoke(['--help'])).toMatchObject({ code: 0 });
    expect((await invoke(['help'])).out).toContain('commands:');
    expect((await invoke([])).code).toBe(2);
    expect((await invoke(['--nope'])).code).toBe(2);
    expect((await invoke(['config', 'explain', 'extra'])).code).toBe(2);
    expect((await invoke(['config', 'frobnicate'])).err).toContain('unknown command: config frobnicate');
    expect((await invoke(['keygen', '--json'])).out).toMatch(/^\{"key":"[A-Za-z0-9+/]{43}="\}$/);
  });

  it.each([
    'serve',
    'status',
    'top',
    'metrics',
    'keys',
    'inspect',
    'invalidate',
    'health',
    'config',
    'keygen',
  ])('prints help for %s', async (command) => {
    const result = await invoke([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`usage: tiercache ${command}`);
  });

  it('rejects unknown flags, missing arguments and bad values with usage and exit 2', async () => {
    const unknownFlag = await invoke(['status', '--verbose']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err).toContain("Unknown option '--verbose'");
    expect(unknownFlag.err).toContain('usage: tiercache status');
    const noPattern = await invoke(['invalidate']);
    expect(noPattern.code).toBe(2);
    expect(noPattern.err).toContain(
      'no pattern given: the service reads a missing or empty pattern as EVERY key',
    );
    expect(noPattern.err).toContain('Pass --all to invalidate every key');
    expect((await invoke(['invalidate', 'a', 'b'])).err).toContain('unexpected argument: b');
    expect((await invoke(['health', '--url', 'ftp://x'])).err).toContain('--url must be an http(s) URL');
    expect((await invoke(['serve', '--port', 'eighty'])).err).toContain(
      "PORT must be a port number (0-65535), got 'eighty'",
    );
  });

  it('reports an unreachable service on one line with exit 1', async () => {
    const url = `http://127.0.0.1:${await getFreePort()}`; // nothing listens there
    const result = await invoke(['health', '--url', url]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`error: cannot reach ${url}: ECONNREFUSED`);
    const json = await invoke(['status', '--json'], { TIERCACHE_URL: url });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toStrictEqual({ ok: false, error: `cannot reach ${url}: ECONNREFUSED` });
  });
});
