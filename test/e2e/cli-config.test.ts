import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const run = async (args: string[], env: Record<string, string> = {}) => {
  const result = await promisify(execFile)(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
  return result;
};

describe('tiercache CLI (built binary)', () => {
  it('config explain shows the AI settings of ai-production and where each came from, secrets hidden', async () => {
    const env = {
      CACHE_PRESET: 'ai-production',
      CACHE_REDIS_URL: 'redis://app:s3cret@127.0.0.1:6399',
      REDIS_ENCRYPTION_KEY: 'key-material',
    };
    const { code, stdout } = await run(['config', 'explain'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/aiConfig\.textHashThreshold\s+1000\s+preset:ai-production/);
    expect(stdout).toMatch(/aiConfig\.maxTextLength\s+200000\s+preset:ai-production/);
    expect(stdout).toMatch(/redisUrl\s+redis:\/\/app:\*\*\*@127\.0\.0\.1:6399\s+env:CACHE_REDIS_URL/);
    expect(stdout).not.toContain('s3cret');
    expect(stdout).not.toContain('key-material');
  });

  it('config explain --json gives the config and the sources', async () => {
    const { code, stdout } = await run(['config', 'explain', '--json'], {
      CACHE_PRESET: 'simple',
      CACHE_CUSTOM_CONFIG: '{"defaultTtl": 99}',
    });
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as { config: { defaultTtl: number }; sources: Record<string, string> };
    expect(body.config.defaultTtl).toBe(99);
    expect(body.sources.defaultTtl).toBe('custom');
  });

  it('config validate exits 0 for a valid configuration and 1 for an invalid one', async () => {
    const ok = await run(['config', 'validate'], { CACHE_PRESET: 'simple' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('configuration (preset simple) is valid');
    const bad = await run(['config', 'validate'], {
      CACHE_PRESET: 'production',
      CACHE_REDIS_URL: 'redis://127.0.0.1:6399',
    });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('TLS is off');
    const json = await run(['config', 'validate', '--json'], {
      CACHE_PRESET: 'production',
      CACHE_REDIS_URL: 'redis://h:1',
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ isValid: false });
  });

  it('reports a bad environment in one line with exit 1', async () => {
    const { code, stderr } = await run(['config', 'validate'], { CACHE_PRESET: 'nope' });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^error: unknown cache preset 'nope': valid presets are disabled, minimal/);
  });

  it('prints usage on stderr with exit 2 for unknown commands and flags, help with exit 0', async () => {
    for (const args of [['bogus'], ['config', 'frobnicate'], ['config', 'explain', '--colour'], []]) {
      const { code, stderr } = await run(args);
      expect(code).toBe(2);
      expect(stderr).toContain('usage: tiercache');
    }
    const help = await run(['config', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: tiercache config <validate|explain>');
  });

  it('keygen prints a fresh 32-byte base64 key', async () => {
    const first = (await run(['keygen'])).stdout.trim();
    const second = (await run(['keygen'])).stdout.trim();
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(first).not.toBe(second);
  });
});
