// The cache contract suite (`tiercache/testing/contract`): it registers vitest tests, so it needs vitest.
export { runCacheContractSuite, expectValidationError, ROUND_TRIP_VALUES } from './contract-suite.js';
export type { ContractSuiteOptions } from './contract-suite.js';
