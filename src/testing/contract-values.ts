import { expect } from 'vitest';
import { ValidationError } from '../core/errors.js';

/** Values of every supported type (SPEC §2) that must read back equal. */
export const ROUND_TRIP_VALUES: Readonly<Record<string, unknown>> = {
  string: 'hello',
  'empty string': '',
  unicode: 'naïve café 日本語 🚀',
  integer: 42,
  float: 3.14159,
  negative: -7,
  NaN: Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  true: true,
  false: false,
  null: null,
  array: [1, 'two', { three: 3 }, [4]],
  'nested object': { user: { id: 1, tags: ['a', 'b'], profile: { active: true, score: null } } },
  date: new Date('2024-05-06T07:08:09.010Z'),
  buffer: Buffer.from([0, 1, 2, 253, 254, 255]),
  uint8array: new Uint8Array([9, 8, 7]),
  map: new Map<unknown, unknown>([
    ['a', 1],
    [2, { b: new Date(0) }],
  ]),
  set: new Set(['x', 'y', 3]),
  bigint: 12345678901234567890n,
  'object with $tc key': { $tc: 'date', v: 1 },
  'large text': 'lorem ipsum '.repeat(20_000),
};

/** Asserts a promise rejects with a ValidationError whose message is exactly `message`. */
export async function expectValidationError(promise: Promise<unknown>, message: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ValidationError '${message}'`).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).message).toBe(message);
}
