export { localHarness } from './harness.js';
export { expectedFailures } from './expected-failures.js';
