import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';

const invoke = (args: string[], env: Record<string, string> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(
    args,
    env,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('CLI commands in process', () => {
  it('explains and validates the configuration', () => {
    expect(invoke(['config', 'explain'], { CACHE_PRESET: 'minimal' }).out).toMatch(
      /defaultTtl\s+900\s+preset:minimal/,
    );
    expect(invoke(['config', 'validate', '--json'], { CACHE_PRESET: 'minimal' })).toMatchObject({ code: 0 });
    const invalid = invoke(['config', 'validate'], { CACHE_CUSTOM_CONFIG: '{"compressionLevel": 0}' });
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain('compressionLevel must be an integer between 1 and 9');
    const badEnv = invoke(['config', 'explain', '--json'], { CACHE_CUSTOM_CONFIG: '{oops' });
    expect(badEnv.code).toBe(1);
    expect(JSON.parse(badEnv.out)).toMatchObject({ isValid: false });
  });

  it('answers help and usage errors', () => {
    expect(invoke(['--help'])).toMatchObject({ code: 0 });
    expect(invoke(['help']).out).toContain('commands:');
    expect(invoke(['--nope']).code).toBe(2);
    expect(invoke(['config', 'explain', 'extra']).code).toBe(2);
    expect(invoke(['keygen', '--json']).out).toMatch(/^\{"key":"[A-Za-z0-9+/]{43}="\}$/);
  });
});
