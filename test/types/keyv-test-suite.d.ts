declare module '@keyv/test-suite' {
  import type * as vitest from 'vitest';
  type Test = typeof vitest;
  type StoreFactory = () => unknown;
  export default function keyvTestSuite(test: Test, keyv: unknown, store: StoreFactory): void;
  export function keyvIteratorTests(test: Test, keyv: unknown, store: StoreFactory): void;
}
